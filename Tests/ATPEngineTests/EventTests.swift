import ATPTestSupport
import Testing

@testable import ATPEngine

@Suite struct EventTests {
    func event(
        _ id: String, _ kind: StockEventKind, _ amount: Int64, source: String? = "wms-1", seq: Int64? = nil,
        sku: String = "A", location: String = "DC1"
    ) -> StockEvent {
        StockEvent(id: id, source: source, seq: seq, kind: kind, sku: sku, location: location, amount: amount)
    }

    @Test func eachKindChangesOnHandOnly() throws {
        let engine = Engine(clock: ManualClock())
        #expect(engine.apply(event("e1", .set, 100)) == .applied)
        _ = try hold(engine, [("A", "DC1", 10)])
        #expect(engine.apply(event("e2", .adjust, -2)) == .applied)
        #expect(engine.apply(event("e3", .sale, 3)) == .applied)
        #expect(engine.apply(event("e4", .return, 1)) == .applied)
        let s = try #require(engine.cellState("A", "DC1"))
        #expect(s.onHand == 96 && s.reserved == 10)
        #expect(engine.available(sku: "A") == 86)
    }

    @Test func batchOutcomesAndRecords() {
        let engine = Engine(clock: ManualClock())
        let (outcomes, records) = engine.apply([
            event("wms-1-17", .set, 100, seq: 17),
            event("wms-1-18", .adjust, -2, seq: 18),
            event("wms-1-18", .adjust, -2, seq: 18),
            event("bad", .adjust, 0),
            event("wms-1-16", .set, 5, seq: 16),
            event("pos-1", .sale, 1, source: "pos-7", location: "STORE-7"),
        ])
        #expect(outcomes[0] == .applied && outcomes[1] == .applied)
        #expect(outcomes[2] == .duplicate)
        #expect(outcomes[3] == .rejected(.invalidEvent("")))
        #expect(outcomes[4] == .stale)
        #expect(outcomes[5] == .applied)
        #expect(records.count == 3)
        #expect(engine.cellState("A", "DC1")?.onHand == 98)
        #expect(engine.counters.eventsApplied.load(ordering: .relaxed) == 3)
        #expect(engine.counters.eventsDuplicate.load(ordering: .relaxed) == 1)
        #expect(engine.counters.eventsStale.load(ordering: .relaxed) == 1)
        #expect(engine.counters.eventsRejected.load(ordering: .relaxed) == 1)
    }

    @Test func sequenceGuardIsPerSourceAndCell() {
        let engine = Engine(clock: ManualClock())
        #expect(engine.apply(event("a", .set, 10, seq: 5)) == .applied)
        #expect(engine.apply(event("b", .set, 20, seq: 5)) == .stale, "equal seq is stale")
        #expect(
            engine.apply(event("c", .set, 30, source: "wms-2", seq: 1)) == .applied,
            "another source has its own marks")
        #expect(
            engine.apply(event("d", .set, 40, seq: 1, location: "DC2")) == .applied,
            "another cell has its own marks")
        #expect(engine.apply(event("e", .set, 50)) == .applied, "no seq, no guard")
        #expect(engine.apply(event("f", .set, 60, seq: 6)) == .applied)
        #expect(engine.cellState("A", "DC1")?.onHand == 60)
        #expect(engine.apply(event("b", .set, 20, seq: 7)) == .applied, "a stale event's id was not consumed")
    }

    @Test func badEventsAreRejectedAlone() {
        let engine = Engine(clock: ManualClock())
        let bad: [StockEvent] = [
            event("", .set, 1),
            event(String(repeating: "x", count: 129), .set, 1),
            event("x1", .set, -1),
            event("x2", .set, 1_000_000_001),
            event("x3", .adjust, 0),
            event("x4", .adjust, -1_000_000_001),
            event("x5", .sale, 0),
            event("x6", .return, 0),
            event("x7", .set, 1, source: nil, seq: 3),
            event("x8", .set, 1, seq: -1),
            event("x9", .set, 1, sku: ""),
            event("x10", .set, 1, location: "bad\nloc"),
            event("x11", .set, 1, source: ""),
        ]
        let (outcomes, records) = engine.apply(bad + [event("ok", .set, 7)])
        for (i, outcome) in outcomes.dropLast().enumerated() {
            #expect(outcome == .rejected(.invalidEvent("")), "event \(i)")
        }
        #expect(outcomes.last == .applied)
        #expect(records.count == 1)
        #expect(engine.cellState("A", "DC1")?.onHand == 7)
    }

    @Test func negativeOnHandIsRecordedAndCounted() {
        let engine = Engine(clock: ManualClock())
        #expect(engine.apply(event("s1", .sale, 3, source: "pos-7", location: "STORE-7")) == .applied)
        #expect(engine.cellState("A", "STORE-7")?.onHand == -3)
        #expect(engine.available(sku: "A", location: "STORE-7") == 0)
        #expect(engine.counters.negativeOnHandEvents.load(ordering: .relaxed) == 1)
        #expect(engine.counters.negativeOnHandCells.load(ordering: .relaxed) == 1)
        #expect(engine.apply(event("r1", .return, 5, source: "pos-7", location: "STORE-7")) == .applied)
        #expect(engine.counters.negativeOnHandCells.load(ordering: .relaxed) == 0)
    }

    @Test func cellBoundsAreNeverExceeded() {
        let engine = Engine(clock: ManualClock())
        let steps = Int(Quantity.cellLimit / Quantity.requestLimit)
        for i in 0..<steps {
            #expect(engine.apply(event("up\(i)", .adjust, Quantity.requestLimit)) == .applied)
        }
        #expect(engine.cellState("A", "DC1")?.onHand == Quantity.cellLimit)
        #expect(engine.apply(event("over", .adjust, 1)) == .rejected(.quantityOutOfRange("")))
        #expect(engine.apply(event("over", .set, 5)) == .applied, "a refused event's id is not consumed")
    }

    @Test func eventIDsAreForgottenOnlyAfterRetention() {
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        #expect(engine.apply(event("e1", .adjust, 1)) == .applied)
        clock.advance(seconds: 24 * 3600 - 1)
        #expect(engine.apply(event("e1", .adjust, 1)) == .duplicate)
        clock.advance(seconds: 2)
        #expect(engine.apply(event("e1", .adjust, 1)) == .applied)
    }

    @Test func eventIDMemoryIsBounded() {
        var configuration = EngineConfiguration()
        configuration.eventIDCapacity = 320
        let engine = Engine(configuration: configuration, clock: ManualClock())
        for i in 0..<3000 { engine.apply(event("flood-\(i)", .adjust, 1)) }
        #expect(engine.events.seenCount <= 320)
        #expect(engine.counters.eventIDEvictions.load(ordering: .relaxed) >= 3000 - 320)
        #expect(engine.apply(event("flood-2999", .adjust, 1)) == .duplicate)
    }
}
