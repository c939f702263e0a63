import ATPEngine
import ATPJSON
import ATPUtilities

/// One webhook request's content and its retry bookkeeping: the same `webhook-id` and body on
/// every attempt.
///
/// Thread-safety: a value type, owned by the dispatcher thread.
struct Delivery {
    let id: String
    /// Sku ids, parallel to `updates`.
    let skus: [UInt32]
    let updates: [PushedUpdate]
    /// Monotonic microseconds when each update's change was first seen (for the lag figure).
    let since: [Int64]
    let body: [UInt8]
    var attempts = 0
    /// When the next attempt may go (monotonic microseconds).
    var dueAt: Int64 = 0
    var lastError = ""

    init(id: String, channel: String, skus: [UInt32], updates: [PushedUpdate], since: [Int64]) {
        self.id = id
        self.skus = skus
        self.updates = updates
        self.since = since
        body = Self.payload(channel: channel, updates: updates)
    }

    /// `{"channel":"web","updates":[{"sku":"A","available":5,"at":"…"}]}`.
    /// - Complexity: O(updates).
    static func payload(channel: String, updates: [PushedUpdate]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + updates.count * 64)
        out.appendASCII(#"{"channel":"#)
        out.appendJSONString(channel)
        out.appendASCII(#","updates":["#)
        for (i, u) in updates.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.appendASCII(#"{"sku":"#)
            out.appendJSONString(u.sku)
            out.appendASCII(#","available":"#)
            out.appendDecimal(u.available)
            out.appendASCII(#","at":""#)
            u.at.appendRFC3339(to: &out, fraction: true)
            out.appendASCII(#""}"#)
        }
        out.appendASCII("]}")
        return out
    }
}

/// How one attempt ended, as the sender thread saw it.
enum AttemptOutcome: Sendable {
    case delivered(status: Int)
    /// 429 or 503, with `Retry-After` in seconds when given.
    case throttled(status: Int, retryAfterSeconds: Int?)
    /// 410 Gone: the receiver disabled the channel.
    case gone
    case failed(String)

    /// Classifies a response status.
    init(status: Int, retryAfterSeconds: Int?) {
        switch status {
        case 200..<300: self = .delivered(status: status)
        case 429, 503: self = .throttled(status: status, retryAfterSeconds: retryAfterSeconds)
        case 410: self = .gone
        default: self = .failed("answered \(status)")
        }
    }
}
