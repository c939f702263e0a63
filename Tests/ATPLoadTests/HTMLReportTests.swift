import Foundation
import FoundationXML
import Testing

@testable import ATPLoad

/// Collects the element names of a document and any parse error.
final class ElementCollector: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var error: Error?
    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) { elements.append(name) }
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }
}

@Suite struct HTMLReportTests {
    static func sampleRun(target: String, scale: UInt64) -> RunResult {
        var hold = LatencyHistogram()
        var all = LatencyHistogram()
        var timeline: [SecondFigures] = []
        for second in 0..<5 {
            var figures = SecondFigures(second: second)
            for v in 1...(200 * scale) {
                figures.add(kind: .hold, status: v % 7 == 0 ? 409 : 201, latencyMicroseconds: Int64(v * 3))
                hold.record(Int64(v * 3))
            }
            timeline.append(figures)
        }
        all.add(hold)
        var verdict = InvariantChecker.Verdict()
        verdict.checkedCells = 10
        verdict.fail("S1@DC<1> & \"quotes\": reserved 3 exceeds the 2 units")
        return RunResult(
            target: target, scenario: "flash-sale <test>", connections: 8, threads: 2, rate: nil, skus: 10,
            locations: 1,
            durationSeconds: 5, warmupSeconds: 1,
            kinds: [.init(kind: .hold, histogram: hold, statuses: [(201, 850), (409, 150)])], overall: all,
            timeline: timeline, holdsSucceeded: 850, holdsRejected: 150, holdsAmbiguous: 0, verdict: verdict,
            slos: [.init(objective: ServiceLevelObjective(parsing: "p99<5ms")!, measuredMicroseconds: 590)])
    }

    @Test func htmlIsWellFormedAndSelfContained() throws {
        let runs = [
            Self.sampleRun(target: "http://127.0.0.1:1", scale: 2),
            Self.sampleRun(target: "redis://127.0.0.1:2", scale: 1),
        ]
        let html = HTMLReport.render(runs)
        let parser = XMLParser(data: Data(html))
        let collector = ElementCollector()
        parser.delegate = collector
        let ok = parser.parse()
        #expect(ok, "not well-formed: \(String(describing: collector.error ?? parser.parserError))")
        #expect(collector.elements.filter { $0 == "svg" }.count == 3)
        #expect(collector.elements.contains("polyline"))
        #expect(!collector.elements.contains("script") && !collector.elements.contains("link"))
        let text = String(decoding: html, as: UTF8.self)
        #expect(!text.contains("http://fonts") && !text.contains("src=\""))
        #expect(text.contains("Comparison"))
    }

    @Test func jsonReportParses() throws {
        let runs = [Self.sampleRun(target: "a", scale: 1), Self.sampleRun(target: "b", scale: 1)]
        let object = try JSONSerialization.jsonObject(with: Data(JSONReport.render(runs))) as? [String: Any]
        let first = (object?["runs"] as? [[String: Any]])?.first
        #expect((first?["timeline"] as? [Any])?.count == 5)
        #expect((first?["verdict"] as? [String: Any])?["passed"] as? Bool == false)
        #expect((object?["comparison"] as? [String: Any])?["holdsPerSecondRatio"] as? Double == 1)
    }
}
