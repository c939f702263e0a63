import ATPHTTP
import ATPPosix
import ATPUtilities
import Dispatch
import Foundation
import Synchronization

/// A real webhook receiver for the push tests: the project's `HTTPServer` on 127.0.0.1, port 0,
/// recording every request and answering as `policy` says.
///
/// Thread-safety: the server calls `respond` from its loop threads; everything is behind `Locked`.
final class Receiver: HTTPResponder, @unchecked Sendable {
    struct Hit: Sendable {
        var at: Int64  // monotonic microseconds
        var id: String
        var timestamp: String
        var signature: String?
        var body: [UInt8]
        var updates: [(sku: String, available: Int64)]
    }

    /// What to answer: status, optional Retry-After seconds, optional delay before answering (ms).
    struct Answer: Sendable {
        var status = 204
        var retryAfter: Int?
        var delayMilliseconds = 0
    }

    let hits = Locked<[Hit]>([])
    let policy: Locked<@Sendable (Int, Hit) -> Answer>
    private let inFlight = Atomic<Int>(0)
    let maxInFlight = Atomic<Int>(0)
    private(set) var server: HTTPServer!

    init(_ policy: @escaping @Sendable (Int, Hit) -> Answer = { _, _ in Answer() }) throws {
        self.policy = Locked(policy)
        var configuration = HTTPServerConfiguration(address: .loopback(port: 0))
        configuration.threads = 2
        configuration.shutdownGraceMilliseconds = 200
        server = try HTTPServer(configuration: configuration, responder: self)
        server.start()
    }

    var url: String { "http://127.0.0.1:\(server.boundAddress.port)/hook" }

    /// Stops the server and lets go of it (it holds this receiver as its responder).
    func stop() {
        server.shutdown()
        server.wait()
        server = nil
    }

    func setPolicy(_ p: @escaping @Sendable (Int, Hit) -> Answer) { policy.withLock { $0 = p } }

    func bodyLimit(for head: HTTPRequestHead, headBytes: UnsafeRawBufferPointer) -> Int { 8 << 20 }

    func respond(to request: HTTPRequest, _ response: inout HTTPResponse) -> HTTPDisposition {
        func text(_ name: StaticString) -> String? {
            request.header(name).map { String(decoding: $0, as: UTF8.self) }
        }
        let body = Array(request.body)
        var updates: [(String, Int64)] = []
        if let object = try? JSONParser.parse(body).object, let items = object["updates"]?.array {
            for item in items {
                if let o = item.object, let sku = o["sku"]?.string, let n = o["available"]?.int64 {
                    updates.append((sku, n))
                }
            }
        }
        let hit = Hit(
            at: Self.now(), id: text("webhook-id") ?? "", timestamp: text("webhook-timestamp") ?? "",
            signature: text("webhook-signature"), body: body, updates: updates)
        let running = inFlight.add(1, ordering: .relaxed).newValue
        _ = maxInFlight.max(running, ordering: .relaxed)
        let index = hits.withLock { h -> Int in
            h.append(hit)
            return h.count - 1
        }
        let answer = policy.withLock { $0 }(index, hit)
        var out = HTTPResponse(status: answer.status, contentType: .none)
        if let r = answer.retryAfter { out.addHeader("Retry-After", String(r)) }
        guard answer.delayMilliseconds > 0 else {
            inFlight.subtract(1, ordering: .relaxed)
            response = out
            return .answered
        }
        let deferral = request.deferral
        let delayed = out
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(answer.delayMilliseconds)) {
            [self] in
            inFlight.subtract(1, ordering: .relaxed)
            deferral.complete(delayed)
        }
        return .deferred
    }

    /// Monotonic microseconds.
    static func now() -> Int64 { MonotonicClock.microseconds() }

    /// The latest value each sku received, in arrival order.
    var latest: [String: Int64] {
        var out: [String: Int64] = [:]
        for hit in hits.withLock({ $0 }) { for u in hit.updates { out[u.sku] = u.available } }
        return out
    }

    var count: Int { hits.withLock { $0.count } }
}
