import ATPTestSupport
import Testing

@testable import ATPEngine

@Suite struct ReservationTests {
    @Test func multiLineHoldIsAllOrNothing() throws {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 5)
        engine.stock("B", "DC1", 1)
        do {
            _ = try hold(engine, [("A", "DC1", 2), ("B", "DC1", 2)])
            Issue.record("hold should have failed")
        } catch .insufficient(let short) {
            #expect(short == [InsufficientLine(sku: "B", location: "DC1", requested: 2, available: 1)])
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(engine.cellState("A", "DC1")?.reserved == 0)
        #expect(engine.cellState("B", "DC1")?.reserved == 0)
        let r = try hold(engine, [("A", "DC1", 2), ("B", "DC1", 1)])
        #expect(r.status == .held)
        #expect(engine.available(sku: "A") == 3 && engine.available(sku: "B") == 0)
        #expect(engine.counters.holdsGranted.load(ordering: .relaxed) == 1)
        #expect(engine.counters.holdsRefused.load(ordering: .relaxed) == 1)
    }

    @Test func unknownCellsAreShortWithZeroAvailable() {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 5)
        #expect(throws: Engine.CreateFailure.self) { try hold(engine, [("A", "DC1", 1), ("Z", "DC1", 1)]) }
        do {
            _ = try hold(engine, [("Z", "NOWHERE", 3)])
        } catch .insufficient(let short) {
            #expect(short == [InsufficientLine(sku: "Z", location: "NOWHERE", requested: 3, available: 0)])
        } catch { Issue.record("unexpected \(error)") }
        #expect(engine.inventory.cellCount == 1, "a failed hold must not create cells")
        #expect(engine.cellState("A", "DC1")?.reserved == 0)
    }

    @Test func requestsAreValidated() {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 5)
        func code(_ request: ReservationRequest) -> String? {
            do {
                _ = try engine.createReservation(request)
                return nil
            } catch .invalid(let error) {
                return error.code
            } catch {
                return "insufficient"
            }
        }
        let line = ReservationLine(sku: "A", location: "DC1", qty: 1)
        #expect(code(ReservationRequest(lines: [])) == "invalid_request")
        #expect(code(ReservationRequest(lines: Array(repeating: line, count: 101))) == "invalid_request")
        #expect(code(ReservationRequest(lines: [line, line])) == "duplicate_line")
        #expect(code(ReservationRequest(lines: [line], ttlSeconds: 0)) == "invalid_request")
        #expect(code(ReservationRequest(lines: [line], ttlSeconds: 604_801)) == "invalid_request")
        #expect(
            code(ReservationRequest(lines: [line], reference: String(repeating: "r", count: 257)))
                == "invalid_request")
        #expect(
            code(ReservationRequest(lines: [ReservationLine(sku: "A", location: "DC1", qty: 0)]))
                == "quantity_out_of_range")
        #expect(
            code(ReservationRequest(lines: [ReservationLine(sku: "A", location: "DC1", qty: 1_000_000_001)]))
                == "quantity_out_of_range")
        #expect(
            code(ReservationRequest(lines: [ReservationLine(sku: "", location: "DC1", qty: 1)]))
                == "invalid_request")
        #expect(
            code(
                ReservationRequest(
                    lines: [line], ttlSeconds: 604_800, reference: String(repeating: "r", count: 256))) == nil
        )
        #expect(engine.cellState("A", "DC1")?.reserved == 1)
    }

    @Test func transitionsFollowTheStateMachine() throws {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 10)
        let r = try hold(engine, [("A", "DC1", 4)])
        guard case .changed(let confirmed) = engine.transition(r.id, .confirm).0 else {
            Issue.record("confirm")
            return
        }
        #expect(confirmed.status == .confirmed)
        guard case .unchanged = engine.transition(r.id, .confirm).0 else {
            Issue.record("repeat confirm")
            return
        }
        guard case .changed(let fulfilled) = engine.transition(r.id, .fulfil).0 else {
            Issue.record("fulfil")
            return
        }
        #expect(fulfilled.status == .fulfilled)
        #expect(engine.cellState("A", "DC1").map { ($0.onHand, $0.reserved) } ?? (0, 0) == (6, 0))
        guard case .unchanged = engine.transition(r.id, .fulfil).0 else {
            Issue.record("repeat fulfil")
            return
        }
        guard case .invalidState(let current) = engine.transition(r.id, .release).0 else {
            Issue.record("release")
            return
        }
        #expect(current.status == .fulfilled)
        guard case .invalidState = engine.transition(r.id, .confirm).0 else {
            Issue.record("confirm after fulfil")
            return
        }
        guard case .unknown = engine.transition(ReservationID(raw: 42), .confirm).0 else {
            Issue.record("unknown")
            return
        }
        #expect(engine.counters.reservations(.fulfilled) == 1 && engine.counters.reservations(.held) == 0)
    }

    @Test func releaseReturnsUnitsAndIsIdempotent() throws {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 3)
        let r = try hold(engine, [("A", "DC1", 3)])
        #expect(engine.available(sku: "A") == 0)
        guard case .changed = engine.transition(r.id, .release).0 else {
            Issue.record("release")
            return
        }
        #expect(engine.available(sku: "A") == 3)
        guard case .unchanged = engine.transition(r.id, .release).0 else {
            Issue.record("repeat")
            return
        }
        #expect(engine.available(sku: "A") == 3, "a repeated release must not return units twice")
        guard case .invalidState = engine.transition(r.id, .fulfil).0 else {
            Issue.record("fulfil after release")
            return
        }
    }

    /// A sweep with a limit handles at most that many deadlines and says whether any are left.
    @Test func aSweepIsSlicedByItsLimit() throws {
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        engine.stock("A", "DC1", 100)
        for _ in 0..<10 { _ = try hold(engine, [("A", "DC1", 1)], ttl: 10) }
        clock.advance(seconds: 11)
        var slices: [Int] = []
        var done = false
        while !done {
            var change = EngineChange()
            done = engine.sweepExpired(into: &change, limit: 4)
            slices.append(change.records.count)
        }
        #expect(slices.reduce(0, +) == 10)
        #expect(slices.allSatisfy { $0 <= 4 })
        #expect(engine.available(sku: "A") == 100)
    }

    @Test func heldReservationsExpireAndReturnUnits() throws {
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        engine.stock("A", "DC1", 5)
        let short = try hold(engine, [("A", "DC1", 2)], ttl: 10)
        let long = try hold(engine, [("A", "DC1", 1)], ttl: 100)
        let confirmed = try hold(engine, [("A", "DC1", 1)], ttl: 10)
        _ = engine.transition(confirmed.id, .confirm)
        #expect(short.expiresAt == clock.now().adding(seconds: 10))
        clock.advance(seconds: 11)
        #expect(engine.reservation(short.id)?.status == .expired, "reads see expiry before the sweep")
        #expect(engine.available(sku: "A") == 1)
        let records = engine.sweepExpired()
        #expect(records.count == 1)
        #expect(engine.available(sku: "A") == 3)
        #expect(engine.reservation(long.id)?.status == .held)
        #expect(engine.reservation(confirmed.id)?.status == .confirmed, "confirmed reservations never expire")
        #expect(engine.sweepExpired().isEmpty)
        guard case .invalidState(let r) = engine.transition(short.id, .confirm).0 else {
            Issue.record("confirm")
            return
        }
        #expect(r.status == .expired)
        guard case .invalidState = engine.transition(short.id, .release).0 else {
            Issue.record("release after expiry must be invalid_state")
            return
        }
    }

    @Test func transitionOfAnOverdueHoldExpiresItFirst() throws {
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        engine.stock("A", "DC1", 5)
        let r = try hold(engine, [("A", "DC1", 5)], ttl: 1)
        clock.advance(seconds: 2)
        let (outcome, records) = engine.transition(r.id, .fulfil)
        guard case .invalidState(let current) = outcome else {
            Issue.record("fulfil of an expired hold")
            return
        }
        #expect(current.status == .expired)
        #expect(records.count == 1)
        #expect(engine.cellState("A", "DC1").map { ($0.onHand, $0.reserved) } ?? (0, 0) == (5, 0))
        #expect(engine.sweepExpired().isEmpty, "the sweep must not expire it twice")
        #expect(engine.available(sku: "A") == 5)
    }

    @Test func finalReservationsArePurgedAfterRetention() throws {
        let clock = ManualClock()
        var configuration = EngineConfiguration()
        configuration.finalReservationRetention = 60_000
        let engine = Engine(configuration: configuration, clock: clock)
        engine.stock("A", "DC1", 5)
        let r = try hold(engine, [("A", "DC1", 1)])
        _ = engine.transition(r.id, .release)
        clock.advance(seconds: 59)
        _ = engine.sweepExpired()
        #expect(engine.reservation(r.id)?.status == .released)
        clock.advance(seconds: 2)
        _ = engine.sweepExpired()
        #expect(engine.reservation(r.id) == nil)
        #expect(engine.counters.reservations(.released) == 0)
    }

    @Test func sweepCostFollowsWhatIsDue() throws {
        // 20,000 live holds, none due: a sweep pops nothing and returns nothing.
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        engine.stock("A", "DC1", 1_000_000)
        for _ in 0..<20_000 { _ = try hold(engine, [("A", "DC1", 1)], ttl: 3600) }
        for _ in 0..<10 { _ = try hold(engine, [("A", "DC1", 1)], ttl: 5) }
        clock.advance(seconds: 6)
        #expect(engine.sweepExpired().count == 10)
        #expect(engine.sweepExpired().isEmpty)
        #expect(engine.cellState("A", "DC1")?.reserved == 20_000)
    }

    @Test func reservationIDsRoundTripAndDiffer() throws {
        let engine = Engine(clock: ManualClock())
        var seen = Set<ReservationID>()
        for _ in 0..<1000 { seen.insert(engine.makeReservationID()) }
        #expect(seen.count == 1000)
        for id in seen.prefix(10) {
            #expect(ReservationID(id.description) == id)
            #expect(id.description.utf8.count == 18)
        }
        #expect(ReservationID("r_123") == nil)
        #expect(ReservationID("x_0123456789abcdef") == nil)
        #expect(ReservationID("r_0123456789ABCDEF") == nil)
    }
}
