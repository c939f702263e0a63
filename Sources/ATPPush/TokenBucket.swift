import ATPEngine
import ATPUtilities

/// A token bucket: `capacity` tokens at most, refilled at `rate` tokens a second. One token is
/// one webhook request, so over any window of `t` seconds a channel sends at most
/// `capacity + rate × t` requests.
///
/// Package access for the semantics fuzz target.
/// Thread-safety: a value type, owned by the dispatcher thread.
/// - Complexity: O(1) per call, no allocation.
package struct TokenBucket {
    package let rate: Double
    package let capacity: Double
    package private(set) var tokens: Double
    private var updatedAt: Int64

    /// A full bucket at `now` (monotonic microseconds).
    package init(rate: Double, burst: Int, now: Int64) {
        self.rate = rate
        capacity = Double(burst)
        tokens = capacity
        updatedAt = now
    }

    private mutating func refill(_ now: Int64) {
        guard now > updatedAt else { return }
        let gained = Double(now &- updatedAt) * rate / 1_000_000
        if gained > 0 { tokens = min(capacity, tokens + gained) }  // false for NaN too
        updatedAt = now
    }

    /// A full bucket for a channel's settings.
    package init(_ delivery: ChannelDelivery, now: Int64) {
        self.init(rate: delivery.ratePerSecond, burst: delivery.burst, now: now)
    }

    /// Takes one token if there is one.
    package mutating func take(now: Int64) -> Bool {
        refill(now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Microseconds from `now` until a token is available (0 when one is), at most
    /// `Int64.max`: any rate, even one validation would refuse (0, NaN, 1e-300), gives a wait.
    package mutating func wait(now: Int64) -> Int64 {
        refill(now)
        guard tokens < 1 else { return 0 }
        guard rate > 0 else { return .max }
        return Int64(saturating: (1 - tokens) * 1_000_000 / rate, rounding: .up)
    }
}
