import ATPHTTP
import ATPPosix
import ATPUtilities
import Glibc
import Testing

@testable import ATPLoad

/// A target that accepts connections (through the listen backlog) and never answers: every
/// request times out. Seeding and the stock reading are no-ops.
struct SilentTarget: LoadTarget {
    let inner: HTTPTarget
    var description: String { inner.description }
    var address: SocketAddress { inner.address }
    func prepare(_ catalogue: Catalogue) throws(LoadError) {}
    func makeCodecs(_ catalogue: Catalogue, count: Int) throws(LoadError) -> [any WireCodec] {
        try inner.makeCodecs(catalogue, count: count)
    }
    func readCells(_ catalogue: Catalogue) throws(LoadError) -> [CellReading] { [] }
}

/// The event-driven driver: many connections multiplexed on few threads.
@Suite(.serialized) struct EventDriverTests {
    @Test(.timeLimit(.minutes(1))) func oneThreadDrivesManyConnectionsAgainstAnInProcessService() throws {
        let local = try LocalService()
        defer { local.stop() }
        var options = LoadOptions()
        options.connections = 32
        options.threads = 1
        options.durationNanoseconds = 1_000_000_000
        options.warmupNanoseconds = 200_000_000
        options.skus = 100
        options.locations = 2
        options.seed = 5
        options.cpuPIDs = [getpid()]
        let started = MonotonicClock.now()
        let result = try LoadRunner(
            options: options, spec: ScenarioSpec.builtIn("holiday-peak")!, progress: nil
        )
        .run(target: makeTarget(url: local.url, token: nil, timeoutMilliseconds: 5_000))
        #expect(MonotonicClock.now() - started < 10_000_000_000)
        #expect(result.threads == 1 && result.connections == 32)
        #expect(result.errors == 0, "\(result.kinds.map { ($0.kind.name, $0.statuses) })")
        #expect(result.verdict.passed, "\(result.verdict.violations)")
        let kinds = Set(result.kinds.map(\.kind))
        for kind in [OperationKind.availability, .hold, .confirm, .fulfil, .events] {
            #expect(kinds.contains(kind), "no \(kind.name) requests")
        }
        // Every connection was reused for more than one request (a count, not a rate: the rate is
        // a benchmark's business, and a sanitizer build on a busy machine is slow).
        #expect(result.requests > options.connections * 2, "only \(result.requests) requests")
        #expect(result.timeline.count == 1 && result.timeline[0].requests > 0)
        // The client's own CPU (getrusage) and the watched pid's (/proc) are both reported.
        #expect(result.cpu.count == 2)
        #expect(result.cpu.first?.pid == nil && result.cpu.first?.process == "atp-load")
        #expect(result.cpu.last?.pid == getpid())
        #expect((result.cpu.first?.totalSeconds ?? 0) > 0)
    }

    @Test(.timeLimit(.minutes(1))) func aServerThatNeverAnswersTimesOutAndTheRunStillEnds() throws {
        let listener = try TCPSocket.listen(on: .loopback(port: 0))
        defer { Syscall.close(listener) }
        let port = try TCPSocket.localAddress(listener).port
        let target = SilentTarget(inner: try HTTPTarget(url: "http://127.0.0.1:\(port)", token: nil))
        var options = LoadOptions()
        options.connections = 8
        options.threads = 2
        options.durationNanoseconds = 1_000_000_000
        options.warmupNanoseconds = 0
        options.timeoutMilliseconds = 200
        options.skus = 10
        options.locations = 1
        let started = MonotonicClock.now()
        let result = try LoadRunner(options: options, spec: ScenarioSpec.builtIn("checkout")!, progress: nil)
            .run(target: target)
        let elapsed = MonotonicClock.now() - started
        // 1 s of load plus at most one timeout of drain (and the start-up delay): about 1.3 s;
        // the bound leaves room for a busy machine.
        #expect(elapsed < 3_000_000_000, "took \(elapsed / 1_000_000) ms")
        #expect(result.errors > 0 && result.errors == result.requests)
        #expect(result.kinds.allSatisfy { $0.statuses.allSatisfy { $0.status == 0 } })
        // Every request timed out after about 200 ms.
        #expect(result.overall.value(atPercentile: 50) >= 190_000)
        #expect(result.holdsAmbiguous > 0 && result.holdsSucceeded == 0)
    }

    @Test func respRepliesAreScannedWithoutBuildingValues() {
        func scan(_ text: String) -> RESP.Scan {
            Array(text.utf8).withUnsafeBytes { RESP.scan($0, from: 0) }
        }
        #expect(scan(":1\r\n") == .reply(.integer(1), end: 4))
        #expect(scan(":-12\r\n") == .reply(.integer(-12), end: 6))
        #expect(scan("+OK\r\n") == .reply(.other, end: 5))
        #expect(scan("-NOSCRIPT No matching script\r\n") == .reply(.error, end: 30))
        #expect(scan("$3\r\nabc\r\n") == .reply(.other, end: 9))
        #expect(scan("$-1\r\n") == .reply(.other, end: 5))
        #expect(scan("*2\r\n$2\r\n10\r\n$1\r\n0\r\n:1\r\n") == .reply(.other, end: 19))
        #expect(scan("*2\r\n:1\r\n-ERR x\r\n") == .reply(.error, end: 16))
        #expect(scan("*2\r\n$2\r\n10\r\n$1\r\n") == .incomplete)
        #expect(scan("$3\r\nab") == .incomplete)
        #expect(scan(":12") == .incomplete)
        #expect(scan("") == .incomplete)
        #expect(scan("?x\r\n") == .malformed)
        #expect(scan("$3\r\nabcd\r\n") == .malformed)
        #expect(scan(":1x\r\n") == .malformed)
        var out: [UInt8] = []
        RESP.appendCommand(count: 2, to: &out)
        RESP.appendBulk("GET".utf8, to: &out)
        RESP.appendBulk(decimal: -42, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "*2\r\n$3\r\nGET\r\n$3\r\n-42\r\n")
    }
}
