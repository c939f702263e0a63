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

/// `Engine.createReservation(decoding:idempotency:answer:into:)`: the engine decides what a retry with
/// the same key is answered with.
@Suite struct IdempotentCreateTests {
    struct Malformed: Error { var detail: String }

    /// An engine with stock of A at DC1, creating under keys of the client `shop`; every create
    /// records into `change` and counts how often its answer was rendered.
    final class Creator {
        let engine = Engine(clock: ManualClock())
        var change = EngineChange()
        var answers = 0
        /// How often a request was decoded (only a first use of a key decodes).
        var decodes = 0
        let request = ReservationRequest(lines: [ReservationLine(sku: "A", location: "DC1", qty: 2)])

        init(stock: Int64) { engine.stock("A", "DC1", stock) }

        func claim(_ key: String, body: String = "body 1") -> IdempotencyClaim {
            IdempotencyClaim(scope: "shop", key: key, fingerprint: Digest128(body))
        }

        /// What the create did, in a word: `created`, `refused insufficient`, `replayed 201 …`.
        func create(_ key: String, body: String = "body 1", malformed: String? = nil) -> String {
            let request: Result<ReservationRequest, Malformed> =
                malformed.map { .failure(Malformed(detail: $0)) } ?? .success(self.request)
            let outcome = engine.createReservation(
                decoding: {
                    decodes += 1
                    return request
                }, idempotency: claim(key, body: body),
                answer: { result in
                    answers += 1
                    switch result {
                    case .success: return StoredOutcome(status: 201, body: Array("held".utf8))
                    case .failure(.malformed(let m)):
                        return StoredOutcome(status: 400, body: Array(m.detail.utf8))
                    case .failure(.refused(.invalid)): return StoredOutcome(status: 400, body: [])
                    case .failure(.refused(.insufficient)): return StoredOutcome(status: 409, body: [])
                    }
                }, into: &change)
            switch outcome {
            case .created: return "created"
            case .refused(.malformed): return "refused malformed"
            case .refused(.refused(.invalid)): return "refused invalid"
            case .refused(.refused(.insufficient)): return "refused insufficient"
            case .replayed(.body(let status, let body)):
                return "replayed \(status) \(String(decoding: body, as: UTF8.self))"
            case .replayed(let stored): return "replayed \(stored)"
            case .keyReused: return "key reused"
            case .inProgress: return "in progress"
            }
        }
    }

    @Test func onlyTheFirstUseOfAKeyDecodesTheRequest() {
        let c = Creator(stock: 5)
        #expect(c.create("k1") == "created")
        #expect(c.create("k1").hasPrefix("replayed 201"))
        #expect(c.create("k1", body: "body 2") == "key reused")
        #expect(c.decodes == 1, "a retry is answered without reading its body")
    }

    @Test func aCreateIsRememberedWithItsHoldAndReplayed() {
        let c = Creator(stock: 5)
        #expect(c.create("k1") == "created")
        #expect(c.change.records.count == 2, "the hold and the key, in one change")
        guard case .idempotency = c.change.records.last else {
            Issue.record("no key record")
            return
        }
        #expect(c.create("k1") == "replayed 201 held")
        #expect(c.change.records.count == 2 && c.answers == 1, "a replay records and renders nothing")
        #expect(c.engine.available(sku: "A") == 3, "held once")
    }

    @Test func aKeyUsedWithAnotherRequestOrStillInProgressIsRefused() {
        let c = Creator(stock: 5)
        #expect(c.create("k1") == "created")
        #expect(c.create("k1", body: "body 2") == "key reused")
        let busy = c.claim("k2")
        #expect(
            c.engine.idempotency.begin(
                scope: busy.scope, key: busy.key, fingerprint: busy.fingerprint, now: c.engine.clock.now())
                == .proceed)
        #expect(c.create("k2") == "in progress")
        #expect(c.answers == 1)
    }

    @Test func finalRefusalsAreRememberedAndNothingIsHeld() {
        let c = Creator(stock: 1)
        #expect(c.create("k1") == "refused insufficient")
        #expect(c.create("k2", malformed: "bad") == "refused malformed")
        #expect(c.change.records.count == 2, "two keys, no hold")
        c.engine.stock("A", "DC1", 10)
        #expect(c.create("k1") == "replayed 409 ", "the first answer, though there is stock now")
        #expect(c.create("k2", malformed: "bad") == "replayed 400 bad")
        #expect(c.engine.cellState("A", "DC1")?.reserved == 0)
    }

    @Test func aRolledBackCreateForgetsTheKeySoARetryProceeds() {
        let c = Creator(stock: 5)
        #expect(c.create("k1") == "created")
        c.engine.rollBack(c.change)  // the store refused it
        #expect(c.engine.available(sku: "A") == 5)
        #expect(c.create("k1") == "created", "the retry proceeds anew")
        #expect(c.answers == 2 && c.engine.available(sku: "A") == 3)
    }
}
