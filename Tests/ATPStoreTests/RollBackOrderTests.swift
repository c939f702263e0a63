import ATPEngine
import ATPTestSupport
import Testing

/// `Engine.rollBack` gets every change made after some point, but not in the order the engine
/// made them: two mutations inside the gate at once append in either order. Whatever the order,
/// undoing them must give back exactly the state before them.
@Suite struct RollBackOrderTests {
    /// Builds the same engine and the same changes each time (ids come from the seeded clock and
    /// the engine's own counter), then undoes them in many orders.
    @Test(arguments: 0..<24) func anyOrderRestoresTheStateBefore(seed: Int) throws {
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        _ = engine.apply([
            StockEvent(id: "seed", source: "wms", seq: 1, kind: .set, sku: "A", location: "DC1", amount: 10)
        ])
        _ = try engine.setSafetyStock(sku: "A", location: "DC1", value: 1)
        _ = try engine.define(ChannelView(name: "web", locations: ["DC1"]))
        let (held, _) = try engine.createReservation(
            ReservationRequest(lines: [ReservationLine(sku: "A", location: "DC1", qty: 2)]))
        let before = engine.canonicalDump()

        var changes: [EngineChange] = []
        func change(_ body: (inout EngineChange) throws -> Void) rethrows {
            var c = EngineChange()
            try body(&c)
            #expect(!c.isEmpty)
            changes.append(c)
        }
        // Several changes to one cell, one reservation and one channel, each building on the last.
        change {
            _ = engine.apply(
                [
                    StockEvent(
                        id: "e2", source: "wms", seq: 2, kind: .adjust, sku: "A", location: "DC1", amount: 5)
                ], into: &$0)
        }
        change {
            _ = engine.apply(
                [
                    StockEvent(
                        id: "e3", source: "wms", seq: 3, kind: .set, sku: "A", location: "DC1", amount: 20)
                ], into: &$0)
        }
        try change { _ = try engine.setSafetyStock(sku: "A", location: "DC1", value: 3, into: &$0) }
        try change { _ = try engine.setSafetyStock(sku: "A", location: "DC1", value: 4, into: &$0) }
        change { _ = engine.transition(held.id, .confirm, into: &$0) }
        change { _ = engine.transition(held.id, .fulfil, into: &$0) }
        var second: Reservation?
        try change {
            second = try engine.createReservation(
                ReservationRequest(lines: [ReservationLine(sku: "A", location: "DC1", qty: 3)]), into: &$0)
        }
        change { _ = engine.transition(second!.id, .release, into: &$0) }
        try change {
            try engine.define(ChannelView(name: "web", locations: ["DC1"], bufferUnits: 2), into: &$0)
        }
        try change {
            try engine.define(ChannelView(name: "web", locations: ["DC1"], bufferUnits: 5), into: &$0)
        }
        change {
            _ = engine.apply(
                [
                    StockEvent(
                        id: "e4", source: "wms", seq: 4, kind: .adjust, sku: "A", location: "DC1", amount: -7)
                ], into: &$0)
        }
        #expect(engine.canonicalDump() != before)

        var random = SeededGenerator(seed: UInt64(seed))
        let order = seed == 0 ? changes : seed == 1 ? changes.reversed() : changes.shuffled(using: &random)
        engine.rollBack(order)
        let after = engine.canonicalDump()
        #expect(
            after == before,
            "differs: \(after.filter { !before.contains($0) }) instead of \(before.filter { !after.contains($0) })"
        )
        #expect(engine.sequenceMark(source: "wms", sku: "A", location: "DC1") == 1)
        // The undone events' ids are forgotten: sent again, they apply.
        #expect(
            engine.apply([StockEvent(id: "e2", kind: .adjust, sku: "A", location: "DC1", amount: 1)]).outcomes
                == [.applied])
    }
}
