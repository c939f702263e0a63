import Testing

@testable import ATPPush

/// The token bucket's arithmetic with a clock the test moves by hand (monotonic microseconds
/// passed to every call): refill, the burst cap, waits, and clock steps in any order. Rates and
/// steps are chosen so the figures are exact in binary floating point.
@Suite struct TokenBucketTests {
    @Test func refillIsRateTimesElapsedTime() {
        var bucket = TokenBucket(rate: 4, burst: 3, now: 0)
        let drained = (0..<4).map { _ in bucket.take(now: 0) }
        #expect(drained == [true, true, true, false])
        #expect(bucket.tokens == 0)
        // 125 ms at 4 tokens a second: half a token, not enough for a request.
        let tookAt125000 = bucket.take(now: 125_000)
        #expect(!tookAt125000)
        #expect(bucket.tokens == 0.5)
        let waitAt125000 = bucket.wait(now: 125_000)
        #expect(waitAt125000 == 125_000)
        let tookAt250000 = bucket.take(now: 250_000)
        #expect(tookAt250000)
        #expect(bucket.tokens == 0)
        // 1.25 s later: five tokens' worth, capped at the burst of three.
        let waitAt1500000 = bucket.wait(now: 1_500_000)
        #expect(waitAt1500000 == 0)
        #expect(bucket.tokens == 3)
    }

    @Test func theBurstIsAllThatAnIdleChannelMaySendAtOnce() {
        var bucket = TokenBucket(rate: 1, burst: 5, now: 0)
        let anHourLater: Int64 = 3_600_000_000
        let taken = (0..<7).map { _ in bucket.take(now: anHourLater) }
        #expect(taken == [true, true, true, true, true, false, false])
        let waitAtAnHourLater = bucket.wait(now: anHourLater)
        #expect(waitAtAnHourLater == 1_000_000)
    }

    @Test func manySmallClockStepsRefillAsMuchAsOneBigStep() {
        var stepped = TokenBucket(rate: 8, burst: 16, now: 0)
        var jumped = TokenBucket(rate: 8, burst: 16, now: 0)
        for _ in 0..<16 {
            _ = stepped.take(now: 0)
            _ = jumped.take(now: 0)
        }
        // 1,000 steps of 1 ms (each gains 0.008 tokens, not exact in binary: near 8, not equal).
        var now: Int64 = 0
        for _ in 0..<1_000 {
            now += 1_000
            _ = stepped.wait(now: now)
        }
        _ = jumped.wait(now: 1_000_000)
        #expect(abs(stepped.tokens - 8) < 1e-9, "\(stepped.tokens)")
        #expect(jumped.tokens == 8)
        let fromSteps = (0..<9).map { _ in stepped.take(now: now) }
        #expect(fromSteps == Array(repeating: true, count: 8) + [false])
    }

    @Test func aClockThatGoesBackRefillsNothingAndLosesNoTime() {
        var bucket = TokenBucket(rate: 2, burst: 1, now: 0)
        let tookAt1000000 = bucket.take(now: 1_000_000)
        #expect(tookAt1000000)
        // Earlier than the last call: no refill, and the last time is kept.
        let waitAt0 = bucket.wait(now: 0)
        #expect(waitAt0 == 500_000)
        let tookAt500000 = bucket.take(now: 500_000)
        #expect(!tookAt500000)
        // Counted from 1 s, not from the earlier readings: 0.25 s gave half a token.
        let waitAt1250000 = bucket.wait(now: 1_250_000)
        #expect(waitAt1250000 == 250_000)
        let tookAt1500000 = bucket.take(now: 1_500_000)
        #expect(tookAt1500000)
    }

    @Test func theWaitIsRoundedUpToAWholeMicrosecond() {
        var bucket = TokenBucket(rate: 3, burst: 1, now: 0)
        let tookAt0 = bucket.take(now: 0)
        #expect(tookAt0)
        // A token every 333,333.33… µs: waiting 333,333 µs would be too early.
        let waitAt0 = bucket.wait(now: 0)
        #expect(waitAt0 == 333_334)
    }
}
