import Testing

@testable import ATPPush

/// The circuit breaker's states with a clock the test moves by hand (monotonic microseconds):
/// closed → open after `threshold` consecutive failures, open → half-open once the cooldown has
/// passed, one trial at a time, and the trial's verdict.
@Suite struct CircuitBreakerTests {
    @Test func onlyConsecutiveFailuresOpenIt() {
        var breaker = CircuitBreaker(threshold: 3, cooldownMicroseconds: 1_000)
        breaker.failed(now: 1)
        breaker.failed(now: 2)
        breaker.succeeded()
        #expect(breaker.consecutiveFailures == 0)
        breaker.failed(now: 3)
        breaker.failed(now: 4)
        let allowedAt4 = breaker.allows(now: 4)
        #expect(breaker.state == .closed && allowedAt4)
        breaker.failed(now: 5)
        #expect(breaker.state == .open && breaker.consecutiveFailures == 3)
        let allowedAt5 = breaker.allows(now: 5)
        #expect(!allowedAt5)
    }

    @Test func aThresholdOfOneOpensOnTheFirstFailure() {
        var breaker = CircuitBreaker(threshold: 1, cooldownMicroseconds: 1_000)
        let allowedAt0 = breaker.allows(now: 0)
        #expect(allowedAt0)
        breaker.sent()
        breaker.failed(now: 0)
        #expect(breaker.state == .open)
    }

    @Test func theCooldownEndsExactlyAfterItsLength() {
        var breaker = CircuitBreaker(threshold: 1, cooldownMicroseconds: 1_000)
        breaker.failed(now: 100)
        let allowedAt1099 = breaker.allows(now: 1_099)
        #expect(!allowedAt1099)
        #expect(breaker.state == .open)
        let allowedAt1100 = breaker.allows(now: 1_100)
        #expect(allowedAt1100)
        #expect(breaker.state == .halfOpen)
    }

    @Test func halfOpenAllowsOneTrialAndItsFailureReopensFromThen() {
        var breaker = CircuitBreaker(threshold: 2, cooldownMicroseconds: 1_000)
        breaker.failed(now: 0)
        breaker.failed(now: 0)
        let allowedAt1000 = breaker.allows(now: 1_000)
        #expect(allowedAt1000)
        breaker.sent()
        let allowedAt1001 = breaker.allows(now: 1_001)
        #expect(!allowedAt1001, "one trial at a time")
        breaker.failed(now: 5_000)
        #expect(breaker.state == .open)
        let allowedAt5999 = breaker.allows(now: 5_999)
        #expect(!allowedAt5999, "the new cooldown counts from the trial's failure")
        let allowedAt6000 = breaker.allows(now: 6_000)
        #expect(allowedAt6000)
        breaker.sent()
        breaker.succeeded()
        #expect(breaker.state == .closed && breaker.consecutiveFailures == 0)
        let allowedAt6000Again = breaker.allows(now: 6_000)
        #expect(allowedAt6000Again)
    }

    @Test func aThrottledTrialIsReleasedWithoutAVerdict() {
        var breaker = CircuitBreaker(threshold: 1, cooldownMicroseconds: 10)
        breaker.failed(now: 0)
        let allowedAt10 = breaker.allows(now: 10)
        #expect(allowedAt10)
        breaker.sent()
        let allowedAt11 = breaker.allows(now: 11)
        #expect(!allowedAt11)
        breaker.released()  // 429 or 503: neither success nor failure
        #expect(breaker.state == .halfOpen)
        let allowedAt12 = breaker.allows(now: 12)
        #expect(allowedAt12, "another trial may go")
        #expect(breaker.consecutiveFailures == 1)
    }

    @Test func sendingWhileClosedTakesNoTrial() {
        var breaker = CircuitBreaker(threshold: 2, cooldownMicroseconds: 10)
        breaker.sent()
        breaker.sent()
        let allowedAt0 = breaker.allows(now: 0)
        #expect(allowedAt0 && breaker.state == .closed)
    }
}
