import ATPJSON
import ATPUtilities
import Glibc

/// The machine-readable report (`--report-json`): every run's figures, timeline, latency
/// distribution, verdict, objectives and the CPU used in the measured window, and with `--compare` the ratios of the first run to the
/// second. Latencies are integer microseconds; rates are per second with three decimals.
///
/// Thread-safety: stateless. Complexity: O(kinds + timeline + violations) per run.
public enum JSONReport {
    public static func render(_ runs: [RunResult]) -> [UInt8] {
        var out: [UInt8] = []
        out.appendASCII("{\"generator\":\"atp-load\",\"runs\":[")
        for (i, run) in runs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            write(run, into: &out)
        }
        out.append(UInt8(ascii: "]"))
        if runs.count == 2 {
            let (a, b) = (runs[0], runs[1])
            out.appendASCII(",\"comparison\":{\"first\":")
            out.appendJSONString(a.target)
            out.appendASCII(",\"second\":")
            out.appendJSONString(b.target)
            number(",\"requestsPerSecondRatio\":", ratio(a.throughput, b.throughput), &out)
            number(",\"holdsPerSecondRatio\":", ratio(a.holdsPerSecond, b.holdsPerSecond), &out)
            number(
                ",\"p99Ratio\":",
                ratio(Double(a.overall.value(atPercentile: 99)), Double(b.overall.value(atPercentile: 99))),
                &out)
            out.append(UInt8(ascii: "}"))
        }
        out.appendASCII("}\n")
        return out
    }

    private static func write(_ r: RunResult, into out: inout [UInt8]) {
        out.appendASCII("{\"target\":")
        out.appendJSONString(r.target)
        out.appendASCII(",\"scenario\":")
        out.appendJSONString(r.scenario)
        integer(",\"connections\":", r.connections, &out)
        integer(",\"threads\":", r.threads, &out)
        out.appendASCII(",\"rate\":")
        if let rate = r.rate { out.appendDecimal(rate) } else { out.appendASCII("null") }
        integer(",\"skus\":", r.skus, &out)
        integer(",\"locations\":", r.locations, &out)
        number(",\"durationSeconds\":", r.durationSeconds, &out)
        number(",\"warmupSeconds\":", r.warmupSeconds, &out)
        integer(",\"requests\":", Int(r.requests), &out)
        integer(",\"errors\":", Int(r.errors), &out)
        number(",\"requestsPerSecond\":", r.throughput, &out)
        number(",\"holdsPerSecond\":", r.holdsPerSecond, &out)
        number(",\"successfulHoldsPerSecond\":", r.successfulHoldsPerSecond, &out)
        integer(",\"holds\":{\"succeeded\":", r.holdsSucceeded, &out)
        integer(",\"refused\":", r.holdsRejected, &out)
        integer(",\"unanswered\":", r.holdsAmbiguous, &out)
        out.appendASCII("},\"latencyMicroseconds\":")
        latency(r.overall, &out)
        out.appendASCII(",\"operations\":[")
        for (i, k) in r.kinds.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.appendASCII("{\"kind\":")
            out.appendJSONString(k.kind.name)
            integer(",\"count\":", Int(k.count), &out)
            integer(",\"errors\":", Int(k.errors), &out)
            number(",\"requestsPerSecond\":", Double(k.count) / r.durationSeconds, &out)
            out.appendASCII(",\"latencyMicroseconds\":")
            latency(k.histogram, &out)
            out.appendASCII(",\"statuses\":{")
            for (j, s) in k.statuses.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                out.appendJSONString(s.status == 0 ? "transport" : String(s.status))
                out.append(UInt8(ascii: ":"))
                out.appendDecimal(Int(s.count))
            }
            out.appendASCII("}}")
        }
        out.appendASCII("],\"timeline\":[")
        for (i, s) in r.timeline.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            integer("{\"second\":", s.second, &out)
            integer(",\"requests\":", Int(s.requests), &out)
            integer(",\"errors\":", Int(s.errors), &out)
            integer(",\"holdsSucceeded\":", Int(s.holdsSucceeded), &out)
            integer(",\"holdsAnswered\":", Int(s.holdDecisions), &out)
            integer(",\"p50\":", Int(s.histogram.value(atPercentile: 50)), &out)
            integer(",\"p99\":", Int(s.histogram.value(atPercentile: 99)), &out)
            integer(",\"max\":", Int(s.histogram.maxValue), &out)
            out.append(UInt8(ascii: "}"))
        }
        out.appendASCII("],\"distribution\":[")
        for (i, point) in LatencyDistribution.points(r.overall).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            number("{\"percentile\":", point.percentile, &out)
            integer(",\"microseconds\":", Int(point.value), &out)
            out.append(UInt8(ascii: "}"))
        }
        let v = r.verdict
        out.appendASCII("],\"verdict\":{\"passed\":")
        out.appendASCII(v.passed ? "true" : "false")
        integer(",\"checkedCells\":", v.checkedCells, &out)
        integer(",\"violationCount\":", v.violationCount, &out)
        integer(",\"flashUnitsHeld\":", v.flashUnitsHeld, &out)
        integer(",\"flashStock\":", v.flashStock, &out)
        out.appendASCII(",\"violations\":[")
        for (i, text) in v.violations.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.appendJSONString(text)
        }
        out.appendASCII("]},\"slos\":[")
        for (i, s) in r.slos.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.appendASCII("{\"objective\":")
            out.appendJSONString(s.objective.description)
            integer(",\"limitMicroseconds\":", Int(s.objective.limitMicroseconds), &out)
            integer(",\"measuredMicroseconds\":", Int(s.measuredMicroseconds), &out)
            out.appendASCII(s.passed ? ",\"passed\":true}" : ",\"passed\":false}")
        }
        out.appendASCII("],\"cpuSeconds\":[")
        for (i, c) in r.cpu.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.appendASCII("{\"process\":")
            out.appendJSONString(c.process)
            out.appendASCII(",\"pid\":")
            if let pid = c.pid { out.appendDecimal(Int(pid)) } else { out.appendASCII("null") }
            number(",\"user\":", c.userSeconds, &out)
            number(",\"system\":", c.systemSeconds, &out)
            out.append(UInt8(ascii: "}"))
        }
        out.appendASCII("],\"passed\":")
        out.appendASCII(r.passed ? "true}" : "false}")
    }

    private static func latency(_ h: LatencyHistogram, _ out: inout [UInt8]) {
        integer("{\"p50\":", Int(h.value(atPercentile: 50)), &out)
        integer(",\"p90\":", Int(h.value(atPercentile: 90)), &out)
        integer(",\"p99\":", Int(h.value(atPercentile: 99)), &out)
        integer(",\"p99.9\":", Int(h.value(atPercentile: 99.9)), &out)
        integer(",\"max\":", Int(h.maxValue), &out)
        number(",\"mean\":", h.mean, &out)
        out.append(UInt8(ascii: "}"))
    }

    private static func integer(_ key: StaticString, _ v: Int, _ out: inout [UInt8]) {
        out.appendASCII(key)
        out.appendDecimal(v)
    }

    private static func number(_ key: StaticString, _ v: Double, _ out: inout [UInt8]) {
        out.appendASCII(key)
        out.append(contentsOf: DurationText.fixed(v, digits: 3).utf8)
    }

    static func ratio(_ a: Double, _ b: Double) -> Double { b > 0 ? a / b : 0 }
}

/// The latency-by-percentile curve of a histogram, on the HDR "nines" ladder: 0, 50, 68.4, 90,
/// 96.8, 99, … 99.99 % (ten points per decade of 1 − p), then the maximum.
/// Thread-safety: stateless. Complexity: O(points × counters).
public enum LatencyDistribution {
    public static func points(_ h: LatencyHistogram) -> [(percentile: Double, value: Int64)] {
        guard h.totalCount > 0 else { return [] }
        var out: [(percentile: Double, value: Int64)] = []
        var step = 0.0
        while step <= 4.0001 {
            let p = 100 * (1 - pow(10, -step))
            out.append((p, h.value(atPercentile: p)))
            step += 0.25
        }
        out.append((100, h.maxValue))
        return out
    }
}
