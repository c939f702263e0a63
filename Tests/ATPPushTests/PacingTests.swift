import ATPEngine
import ATPUtilities
import Testing

@testable import ATPPush

/// The token bucket and circuit breaker that pace one channel, for any settings they can be
/// handed — including ones validation refuses, since a journal written by an older version may
/// carry them (issue 21: `ratePerSecond` 1e-300 trapped `TokenBucket.wait`).
@Suite struct PacingTests {
    @Test func theBucketPacesAtItsRate() {
        var bucket = TokenBucket(rate: 2, burst: 2, now: 0)
        let taken = [bucket.take(now: 0), bucket.take(now: 0), bucket.take(now: 0)]
        #expect(taken == [true, true, false])
        let waits = [bucket.wait(now: 0), bucket.wait(now: 250_000)]
        #expect(waits == [500_000, 250_000])
        let later = [bucket.take(now: 500_000), bucket.take(now: 500_000)]
        #expect(later == [true, false])
        let refilled = bucket.wait(now: 10_000_000)
        #expect(refilled == 0)
        #expect(bucket.tokens == 2, "never above the burst")
    }

    @Test(arguments: [1e-300, Double.leastNonzeroMagnitude, 0, -1, -.infinity, .nan, .infinity, 1e300])
    func anyRateGivesAWaitAndNeverTraps(rate: Double) {
        var bucket = TokenBucket(rate: rate, burst: 1, now: 0)
        let first = bucket.take(now: 0)
        #expect(first)
        let wait = bucket.wait(now: 1)
        #expect(wait >= 0)
        if rate.isNaN || rate <= 1e-300 {
            #expect(wait == .max || wait > 1_000_000_000_000, "\(rate): \(wait)")
        }
        for now: Int64 in [.max / 2, .max, .min] { _ = bucket.wait(now: now) }
    }

    @Test func theSlowestAllowedRateWaitsAnHour() {
        var bucket = TokenBucket(rate: ChannelDelivery.minRate, burst: 1, now: 0)
        let first = bucket.take(now: 0)
        let wait = bucket.wait(now: 0)
        #expect(first && wait == 3_600_000_000)
    }

    @Test func theBreakerOpensAfterTheThresholdAndTriesOnceAfterTheCooldown() {
        var breaker = CircuitBreaker(threshold: 2, cooldownMicroseconds: 1_000)
        breaker.failed(now: 0)
        #expect(breaker.state == .closed)
        var allowed = breaker.allows(now: 0)
        #expect(allowed)
        breaker.failed(now: 10)
        allowed = breaker.allows(now: 500)
        #expect(breaker.state == .open && !allowed)
        allowed = breaker.allows(now: 1_010)
        #expect(allowed && breaker.state == .halfOpen)
        breaker.sent()
        allowed = breaker.allows(now: 1_011)
        #expect(!allowed, "one trial at a time")
        breaker.failed(now: 1_020)
        allowed = breaker.allows(now: 2_000)
        #expect(breaker.state == .open && !allowed)
        allowed = breaker.allows(now: 2_020)
        #expect(allowed)
        breaker.succeeded()
        #expect(breaker.state == .closed && breaker.consecutiveFailures == 0)
    }

    @Test func saturatingConversionsClampInsteadOfTrapping() {
        #expect(Int64(saturating: .nan) == 0)
        #expect(Int64(saturating: .infinity) == .max && Int64(saturating: -.infinity) == .min)
        #expect(Int64(saturating: 9.3e18) == .max && Int64(saturating: -9.3e18) == .min)
        #expect(
            Int64(saturating: 9_223_372_036_854_774_784) == 9_223_372_036_854_774_784,
            "the largest Double below 2^63")
        #expect(Int64(saturating: 1.5) == 2 && Int64(saturating: 1.2, rounding: .up) == 2)
        #expect(Int(saturating: -2.5) == -3)
    }

    @Test func lagQuantilesTakeAnyQuantile() {
        let counters = PushChannelCounters()
        counters.observeLag(40_000)
        for q in [0, 0.5, 1, 2, -1, .nan, .infinity] { #expect(counters.lagQuantile(q) != nil) }
    }
}
