import ATPTestSupport
import Testing

@testable import ATPEngine

@Suite struct IdempotencyTests {
    let fp1 = Digest128("POST", "/v1/reservations", "{body 1}")
    let fp2 = Digest128("POST", "/v1/reservations", "{body 2}")

    @Test func storedOutcomeIsReplayedAndReuseDetected() {
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        let table = engine.idempotency
        #expect(table.begin(scope: "shop", key: "k1", fingerprint: fp1, now: clock.now()) == .proceed)
        #expect(table.begin(scope: "shop", key: "k1", fingerprint: fp1, now: clock.now()) == .inProgress)
        #expect(table.begin(scope: "shop", key: "k1", fingerprint: fp2, now: clock.now()) == .mismatch)
        let outcome = StoredOutcome(status: 201, body: Array("{\"id\":\"r_1\"}".utf8))
        let record = table.complete(
            scope: "shop", key: "k1", fingerprint: fp1, outcome: outcome, now: clock.now())
        guard case .idempotency(let stored) = record else {
            Issue.record("record kind")
            return
        }
        #expect(stored.outcome == outcome)
        #expect(table.begin(scope: "shop", key: "k1", fingerprint: fp1, now: clock.now()) == .replay(outcome))
        #expect(table.begin(scope: "shop", key: "k1", fingerprint: fp2, now: clock.now()) == .mismatch)
        #expect(
            table.begin(scope: "other-client", key: "k1", fingerprint: fp2, now: clock.now()) == .proceed,
            "keys are scoped per client")
    }

    @Test func abandonedKeysCanBeRetried() {
        let clock = ManualClock()
        let table = Engine(clock: clock).idempotency
        #expect(table.begin(scope: "s", key: "k", fingerprint: fp1, now: clock.now()) == .proceed)
        table.abandon(scope: "s", key: "k")
        #expect(table.begin(scope: "s", key: "k", fingerprint: fp2, now: clock.now()) == .proceed)
    }

    @Test func stuckInProgressKeysTimeOut() {
        let clock = ManualClock()
        let table = Engine(clock: clock).idempotency
        #expect(table.begin(scope: "s", key: "k", fingerprint: fp1, now: clock.now()) == .proceed)
        clock.advance(seconds: 61)
        #expect(table.begin(scope: "s", key: "k", fingerprint: fp1, now: clock.now()) == .proceed)
    }

    @Test func keysAreKeptForTheRetentionPeriod() {
        let clock = ManualClock()
        let table = Engine(clock: clock).idempotency
        let outcome = StoredOutcome(status: 409, body: [1, 2, 3])
        _ = table.begin(scope: "s", key: "k", fingerprint: fp1, now: clock.now())
        _ = table.complete(scope: "s", key: "k", fingerprint: fp1, outcome: outcome, now: clock.now())
        clock.advance(seconds: 24 * 3600 - 1)
        #expect(table.begin(scope: "s", key: "k", fingerprint: fp1, now: clock.now()) == .replay(outcome))
        clock.advance(seconds: 2)
        #expect(table.begin(scope: "s", key: "k", fingerprint: fp2, now: clock.now()) == .proceed)
    }

    @Test func memoryIsBoundedByTheCap() {
        let clock = ManualClock()
        var configuration = EngineConfiguration()
        configuration.idempotencyCapacity = 160
        let engine = Engine(configuration: configuration, clock: clock)
        let table = engine.idempotency
        for i in 0..<5000 {
            _ = table.begin(scope: "flood", key: "k\(i)", fingerprint: fp1, now: clock.now())
        }
        #expect(table.count <= 160)
        #expect(engine.counters.idempotencyEvictions.load(ordering: .relaxed) >= 5000 - 160)
        #expect(
            table.begin(scope: "flood", key: "k4999", fingerprint: fp1, now: clock.now()) == .inProgress,
            "the newest keys stay")
    }
}
