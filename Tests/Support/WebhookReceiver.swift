import ATPHTTP
import ATPJSON
import ATPPosix
import ATPUtilities
import Dispatch
import Foundation
import Synchronization

/// A real webhook receiver for the push and API tests: the project's `HTTPServer` on 127.0.0.1,
/// port 0, recording every request (headers, body, parsed `updates`) and answering as `policy`
/// says — a status, a `Retry-After`, a delay.
///
/// Thread-safety: the server calls `respond` from its loop threads; everything is behind `Locked`
/// or atomic; `stop` once, from the test. Complexity: O(body) per request.
public final class WebhookReceiver: HTTPResponder, @unchecked Sendable {
    /// One request as received.
    public struct Hit: Sendable {
        /// Monotonic microseconds at arrival.
        public var at: Int64
        public var id: String
        public var timestamp: String
        public var signature: String?
        public var body: [UInt8]
        /// The `updates` of the body, `(sku, available)` in body order.
        public var updates: [(sku: String, available: Int64)]
    }

    /// What to answer: status, optional Retry-After seconds, optional delay before answering (ms).
    public struct Answer: Sendable {
        public var status: Int
        public var retryAfter: Int?
        public var delayMilliseconds: Int

        public init(status: Int = 204, retryAfter: Int? = nil, delayMilliseconds: Int = 0) {
            self.status = status
            self.retryAfter = retryAfter
            self.delayMilliseconds = delayMilliseconds
        }
    }

    /// Every request so far, in arrival order.
    public let hits = Locked<[Hit]>([])
    /// Chooses the answer from the request's index (from 0) and the request.
    public let policy: Locked<@Sendable (Int, Hit) -> Answer>
    private let inFlight = Atomic<Int>(0)
    /// The most requests ever in flight at once.
    public let maxInFlight = Atomic<Int>(0)
    public private(set) var server: HTTPServer!

    /// Starts the receiver (two loop threads); it answers as `policy` says, 204 by default.
    public init(_ policy: @escaping @Sendable (Int, Hit) -> Answer = { _, _ in Answer() }) throws {
        self.policy = Locked(policy)
        var configuration = HTTPServerConfiguration(address: .loopback(port: 0))
        configuration.threads = 2
        configuration.shutdownGraceMilliseconds = 200
        server = try HTTPServer(configuration: configuration, responder: self)
        server.start()
    }

    /// Where to send webhooks: `http://127.0.0.1:<port>/hook`.
    public var url: String { "http://127.0.0.1:\(server.boundAddress.port)/hook" }

    /// Stops the server and lets go of it (it holds this receiver as its responder).
    public func stop() {
        server.shutdown()
        server.wait()
        server = nil
    }

    /// Replaces the policy for the requests to come.
    public func setPolicy(_ p: @escaping @Sendable (Int, Hit) -> Answer) { policy.withLock { $0 = p } }

    public func bodyLimit(for head: HTTPRequestHead, headBytes: UnsafeRawBufferPointer) -> Int { 8 << 20 }

    public func respond(to request: HTTPRequest, _ response: inout HTTPResponse) -> HTTPDisposition {
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
    public var latest: [String: Int64] {
        var out: [String: Int64] = [:]
        for hit in hits.withLock({ $0 }) { for u in hit.updates { out[u.sku] = u.available } }
        return out
    }

    /// How many requests arrived.
    public var count: Int { hits.withLock { $0.count } }

    /// Every body received, as text, in arrival order.
    public var bodies: [String] { hits.withLock { $0.map { String(decoding: $0.body, as: UTF8.self) } } }

    /// Every `available` figure pushed for `sku`, in arrival order.
    public func pushed(_ sku: String) -> [Int64] {
        hits.withLock { $0.flatMap { hit in hit.updates.filter { $0.sku == sku }.map(\.available) } }
    }
}
