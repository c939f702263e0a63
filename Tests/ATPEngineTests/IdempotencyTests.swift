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

/// `Engine.createReservation(_:idempotency:answer:into:)`: the engine decides what a retry with
/// the same key is answered with.
@Suite struct IdempotentCreateTests {
    struct Malformed: Error { var detail: String }

    let claim = IdempotencyClaim(scope: "shop", key: "k1", fingerprint: Digest128("body 1"))
    let request = ReservationRequest(lines: [ReservationLine(sku: "A", location: "DC1", qty: 2)])

    /// Creates under `claim`, answering with the status the result would get and recording how
    /// often `answer` ran.
    private func create(
        _ engine: Engine, _ request: Result<ReservationRequest, Malformed>, claim: IdempotencyClaim,
        answers: inout Int, into change: inout EngineChange
    ) -> IdempotentCreateOutcome<Malformed> {
        engine.createReservation(
            request, idempotency: claim,
            answer: { result in
                answers += 1
                switch result {
                case .success(let reservation):
                    return StoredOutcome(status: 201, body: Array(reservation.id.description.utf8))
                case .failure(.malformed(let m)):
                    return StoredOutcome(status: 400, body: Array(m.detail.utf8))
                case .failure(.refused(.invalid)): return StoredOutcome(status: 400, body: [])
                case .failure(.refused(.insufficient)): return StoredOutcome(status: 409, body: [])
                }
            }, into: &change)
    }

    @Test func aCreateIsRememberedWithItsHoldAndReplayed() {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 5)
        var answers = 0
        var change = EngineChange()
        guard
            case .created(let reservation) = create(
                engine, .success(request), claim: claim, answers: &answers, into: &change)
        else {
            Issue.record("not created")
            return
        }
        #expect(change.records.count == 2, "the hold and the key, in one change")
        guard case .idempotency = change.records.last else {
            Issue.record("no key record")
            return
        }
        var again = EngineChange()
        guard
            case .replayed(let stored) = create(
                engine, .success(request), claim: claim, answers: &answers, into: &again)
        else {
            Issue.record("not replayed")
            return
        }
        #expect(stored == StoredOutcome(status: 201, body: Array(reservation.id.description.utf8)))
        #expect(again.records.isEmpty && answers == 1)
        #expect(engine.available(sku: "A") == 3, "held once")
    }

    @Test func aKeyUsedWithAnotherRequestOrStillInProgressIsRefused() {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 5)
        var answers = 0
        var change = EngineChange()
        _ = create(engine, .success(request), claim: claim, answers: &answers, into: &change)
        var other = claim
        other.fingerprint = Digest128("body 2")
        guard
            case .keyReused = create(
                engine, .success(request), claim: other, answers: &answers, into: &change)
        else {
            Issue.record("reuse not seen")
            return
        }
        var busy = claim
        busy.key = "k2"
        #expect(
            engine.idempotency.begin(
                scope: "shop", key: "k2", fingerprint: busy.fingerprint, now: engine.clock.now()) == .proceed)
        guard
            case .inProgress = create(
                engine, .success(request), claim: busy, answers: &answers, into: &change)
        else {
            Issue.record("in progress not seen")
            return
        }
        #expect(answers == 1)
    }

    @Test func finalRefusalsAreRememberedAndNothingIsHeld() {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 1)
        var answers = 0
        var change = EngineChange()
        guard
            case .refused(.refused(.insufficient)) = create(
                engine, .success(request), claim: claim, answers: &answers, into: &change)
        else {
            Issue.record("not refused")
            return
        }
        var malformed = claim
        malformed.key = "k2"
        guard
            case .refused(.malformed) = create(
                engine, .failure(Malformed(detail: "bad")), claim: malformed, answers: &answers, into: &change
            )
        else {
            Issue.record("not refused")
            return
        }
        #expect(change.records.count == 2, "two keys, no hold")
        engine.stock("A", "DC1", 10)
        var again = EngineChange()
        guard
            case .replayed(let stored) = create(
                engine, .success(request), claim: claim, answers: &answers, into: &again)
        else {
            Issue.record("not replayed")
            return
        }
        #expect(stored.status == 409, "the first answer, though there is stock now")
        guard
            case .replayed(let bad) = create(
                engine, .failure(Malformed(detail: "bad")), claim: malformed, answers: &answers, into: &again)
        else {
            Issue.record("not replayed")
            return
        }
        #expect(bad == StoredOutcome(status: 400, body: Array("bad".utf8)))
        #expect(engine.cellState("A", "DC1")?.reserved == 0)
    }

    @Test func aRolledBackCreateForgetsTheKeySoARetryProceeds() {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 5)
        var answers = 0
        var change = EngineChange()
        _ = create(engine, .success(request), claim: claim, answers: &answers, into: &change)
        engine.rollBack(change)  // the store refused it
        #expect(engine.available(sku: "A") == 5)
        var retry = EngineChange()
        guard case .created = create(engine, .success(request), claim: claim, answers: &answers, into: &retry)
        else {
            Issue.record("the retry did not proceed")
            return
        }
        #expect(answers == 2 && engine.available(sku: "A") == 3)
    }
}
