import ATPUtilities
import Synchronization

/// A channel's delivery figures, written by the dispatcher and read by the API and `/metrics`.
///
/// Thread-safety: every member from any thread (relaxed atomics: figures, not synchronization).
/// - Complexity: O(1) per update; O(buckets) to observe a lag.
public final class PushChannelCounters: Sendable {
    /// Upper bounds of the propagation-lag histogram buckets, in microseconds.
    public static let lagBounds: [Int64] = [
        1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000,
        10_000_000, 30_000_000, 60_000_000,
    ]

    /// Skus with an update waiting (queued or waiting for a retry).
    public let pending = Atomic<Int>(0)
    /// Requests answered 2xx.
    public let sent = Atomic<Int>(0)
    /// Updates delivered (answered 2xx).
    public let updatesSent = Atomic<Int>(0)
    /// Attempts that failed (not counting throttling).
    public let failedAttempts = Atomic<Int>(0)
    /// Attempts answered 429 or 503.
    public let throttled = Atomic<Int>(0)
    /// Deliveries that became dead letters since the server started.
    public let deadLettered = Atomic<Int>(0)
    /// `CircuitBreaker.State` raw value.
    public let breaker = Atomic<Int>(0)
    /// Milliseconds since the epoch of the last 2xx; 0 = never.
    public let lastSuccessMilliseconds = Atomic<Int64>(0)
    public let disabled = Atomic<Bool>(false)
    /// Per-update lag from the change (as the dispatcher saw it) to the 2xx: bucket counts, then
    /// the overflow bucket.
    public let lagBuckets = AtomicCounterArray(count: lagBounds.count + 1)
    public let lagSumMicroseconds = Atomic<Int>(0)

    public init() {}

    func observeLag(_ micros: Int64) {
        let i = Self.lagBounds.firstIndex { micros <= $0 } ?? Self.lagBounds.count
        lagBuckets.add(i)
        lagSumMicroseconds.add(Int(max(0, micros)), ordering: .relaxed)
    }

    /// The breaker's state name: `closed`, `open` or `half_open`.
    public var breakerLabel: String {
        (CircuitBreaker.State(rawValue: breaker.load(ordering: .relaxed)) ?? .closed).label
    }

    /// The lag quantile `q` (0...1) as the upper bound of its bucket, in microseconds; nil
    /// without samples (Int64.max when it falls in the overflow bucket).
    public func lagQuantile(_ q: Double) -> Int64? {
        let counts = (0...Self.lagBounds.count).map { lagBuckets.load($0) }
        let total = counts.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = max(1, Int(saturating: Double(total) * q, rounding: .up))  // any q, even NaN
        var seen = 0
        for (i, c) in counts.enumerated() {
            seen += c
            if seen >= rank { return i < Self.lagBounds.count ? Self.lagBounds[i] : Int64.max }
        }
        return Int64.max
    }
}
