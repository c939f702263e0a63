import ATPEngine

/// A circuit breaker in front of one channel's endpoint.
///
/// Closed: requests flow; `threshold` consecutive failed attempts open it. Open: no request for
/// `cooldown`; then half-open: exactly one trial request; its success closes the breaker, its
/// failure opens it again for another cooldown. Throttling answers (429/503) are neither.
/// Package access for the semantics fuzz target.
/// Thread-safety: a value type, owned by the dispatcher thread.
/// - Complexity: O(1) per call.
package struct CircuitBreaker {
    package enum State: Int, Sendable {
        case closed = 0
        case open = 1
        case halfOpen = 2

        /// The name in channel status and metrics.
        package var label: String {
            switch self {
            case .closed: "closed"
            case .open: "open"
            case .halfOpen: "half_open"
            }
        }
    }

    package let threshold: Int
    /// Microseconds.
    package let cooldown: Int64
    package private(set) var state = State.closed
    package private(set) var consecutiveFailures = 0
    private var openedAt: Int64 = 0
    private var trialInFlight = false

    init(threshold: Int, cooldownMicroseconds: Int64) {
        self.threshold = threshold
        cooldown = cooldownMicroseconds
    }

    /// A closed breaker for a channel's settings (the cooldown clamped to what validation allows,
    /// so no recovered value can overflow the conversion to microseconds).
    package init(_ delivery: ChannelDelivery) {
        let milliseconds = min(
            max(delivery.breakerCooldownMilliseconds, 1), ChannelDelivery.maxBreakerCooldownMilliseconds)
        self.init(threshold: delivery.breakerThreshold, cooldownMicroseconds: milliseconds * 1000)
    }

    /// Whether a request may be sent at `now` (moving open → half-open once the cooldown is over).
    package mutating func allows(now: Int64) -> Bool {
        switch state {
        case .closed: return true
        case .open:
            guard now - openedAt >= cooldown else { return false }
            state = .halfOpen
            trialInFlight = false
            return true
        case .halfOpen: return !trialInFlight
        }
    }

    /// Notes that a request was sent (the trial, when half-open).
    package mutating func sent() {
        if state == .halfOpen { trialInFlight = true }
    }

    package mutating func succeeded() {
        state = .closed
        consecutiveFailures = 0
        trialInFlight = false
    }

    package mutating func failed(now: Int64) {
        consecutiveFailures += 1
        if state == .halfOpen || consecutiveFailures >= threshold {
            state = .open
            openedAt = now
            trialInFlight = false
        }
    }

    /// A throttled or abandoned request: frees the half-open trial without a verdict.
    package mutating func released() { trialInFlight = false }
}
