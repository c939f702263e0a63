import ATPHTTP
import ATPJSON
import ATPUtilities
import Foundation

/// The webhook receiver of the lag benchmark: the project's `HTTPServer` on 127.0.0.1, port 0,
/// answering 204 to everything and recording, for each request, its arrival time (monotonic
/// microseconds, taken before anything else) and the (sku index, available) pairs of its body.
///
/// Skus are named `PB-<digits>`; the digits are the sku's index. The receiver also keeps the
/// latest value each sku received, so the driver can wait for convergence cheaply.
///
/// Not the tests' `WebhookReceiver` (Tests/Support), which keeps every request's headers and body:
/// this one keeps only arrival times and sku indexes, so that under the benchmark's load the
/// receiver's own work stays small next to the lag it measures.
/// Thread-safety: the server calls `respond` from its loop threads; the state is behind `Locked`.
final class BenchReceiver: HTTPResponder, @unchecked Sendable {  // `server` is set once in init
    struct Hit {
        var at: Int64
        var skus: [Int32]
        var values: [Int64]
    }

    struct State {
        var hits: [Hit] = []
        /// Latest value received per sku index; -1 = none yet.
        var latest: [Int64]
        /// Bodies that did not parse, or named skus outside `PB-<index>`.
        var malformed = 0
    }

    let state: Locked<State>
    private(set) var server: HTTPServer!

    init(skus: Int, threads: Int) throws {
        state = Locked(State(latest: Array(repeating: -1, count: skus)))
        var configuration = HTTPServerConfiguration(address: .loopback(port: 0))
        configuration.threads = threads
        configuration.shutdownGraceMilliseconds = 200
        server = try HTTPServer(configuration: configuration, responder: self)
        server.start()
    }

    var port: UInt16 { server.boundAddress.port }

    func stop() {
        server.shutdown()
        server.wait()
    }

    func bodyLimit(for head: HTTPRequestHead, headBytes: UnsafeRawBufferPointer) -> Int { 8 << 20 }

    func respond(to request: HTTPRequest, _ response: inout HTTPResponse) -> HTTPDisposition {
        let at = monotonicMicros()
        var skus: [Int32] = []
        var values: [Int64] = []
        var ok = false
        if let object = try? JSONParser.parse(request.body).object, let items = object["updates"]?.array {
            ok = true
            skus.reserveCapacity(items.count)
            values.reserveCapacity(items.count)
            for item in items {
                guard let o = item.object, let sku = o["sku"]?.string, let index = Self.index(sku),
                    let value = o["available"]?.int64
                else {
                    ok = false
                    continue
                }
                skus.append(index)
                values.append(value)
            }
        }
        state.withLock { s in
            if !ok { s.malformed += 1 }
            for (sku, value) in zip(skus, values) where Int(sku) < s.latest.count {
                s.latest[Int(sku)] = value
            }
            s.hits.append(Hit(at: at, skus: skus, values: values))
        }
        response.status = 204
        response.contentType = .none
        return .answered
    }

    /// `PB-0000123` → 123.
    static func index(_ sku: String) -> Int32? {
        var n: Int32 = 0
        var digits = 0
        for byte in sku.utf8.dropFirst(3) {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            n = n &* 10 &+ Int32(byte - 0x30)
            digits += 1
        }
        return sku.hasPrefix("PB-") && digits > 0 ? n : nil
    }

    static func name(_ index: Int) -> String {
        let digits = String(index)
        return "PB-" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
    }

    var hitCount: Int { state.withLock { $0.hits.count } }

    /// The hits from index `from` on.
    func hits(from: Int) -> [Hit] { state.withLock { Array($0.hits[min(from, $0.hits.count)...]) } }
}
