import ATPTestSupport
import ATPUtilities
import Synchronization
import Testing

@testable import ATPEngine

/// Races over real threads; each is bounded in iterations. Run them under
/// `swift test --sanitize=thread` too.
@Suite struct ConcurrencyTests {
    @Test(arguments: [(1, 2), (100, 4), (1000, 8), (5000, 16)])
    func exactlyNUnitsAreHeldWhenThreadsRace(units: Int, threads: Int) throws {
        for round in 0..<3 {
            let engine = Engine(clock: ManualClock())
            engine.stock("HOT", "DC1", Int64(units))
            let granted = Atomic<Int>(0)
            let attemptsPerThread = units / threads + 50
            runConcurrently(threads) { _ in
                for _ in 0..<attemptsPerThread {
                    if (try? hold(engine, [("HOT", "DC1", 1)])) != nil { granted.add(1, ordering: .relaxed) }
                }
            }
            #expect(granted.load(ordering: .relaxed) == units, "round \(round)")
            #expect(engine.cellState("HOT", "DC1")?.reserved == Int64(units))
            #expect(engine.available(sku: "HOT") == 0)
        }
    }

    @Test func multiLineHoldsNeverOversellAnyCell() throws {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 300)
        engine.stock("B", "DC1", 200)
        let granted = Atomic<Int>(0)
        runConcurrently(8) { t in
            for i in 0..<200 {
                let lines =
                    (t + i) % 2 == 0
                    ? [("A", "DC1", Int64(1)), ("B", "DC1", Int64(1))]
                    : [("B", "DC1", Int64(1)), ("A", "DC1", Int64(1))]
                if (try? hold(engine, lines)) != nil { granted.add(1, ordering: .relaxed) }
            }
        }
        let a = try #require(engine.cellState("A", "DC1"))
        let b = try #require(engine.cellState("B", "DC1"))
        #expect(granted.load(ordering: .relaxed) == 200)
        #expect(a.reserved == 200 && b.reserved == 200, "undone partial holds must leave nothing behind")
    }

    /// Holds, releases, fulfils and warehouse `set` counts racing on one cell: at the end,
    /// reserved equals what live reservations hold, and on-hand equals the last count minus
    /// the units fulfilled after it.
    @Test func holdsRacingWithSetEventsAndFulfilsStayConsistent() throws {
        for round in 0..<3 {
            let engine = Engine(clock: ManualClock())
            engine.stock("A", "DC1", 50)
            let live = Locked<[ReservationID: Int64]>([:])
            runConcurrently(6) { t in
                if t == 0 {
                    for i in 0..<300 {
                        _ = engine.apply(
                            StockEvent(
                                id: "set-\(round)-\(i)", source: "wms", seq: Int64(i), kind: .set, sku: "A",
                                location: "DC1", amount: Int64(40 + i % 20)))
                    }
                    return
                }
                for i in 0..<300 {
                    guard let r = try? hold(engine, [("A", "DC1", Int64(1 + i % 3))]) else { continue }
                    switch (t + i) % 3 {
                    case 0: _ = engine.transition(r.id, .release)
                    case 1: _ = engine.transition(r.id, .fulfil)
                    default: live.withLock { $0[r.id] = Int64(1 + i % 3) }
                    }
                }
            }
            let state = try #require(engine.cellState("A", "DC1"))
            let held = live.withLock { $0.values.reduce(0, +) }
            #expect(state.reserved == held, "round \(round)")
            #expect(state.reserved >= 0)
            // Releasing every live reservation brings reserved back to exactly zero.
            for id in live.withLock({ Array($0.keys) }) { _ = engine.transition(id, .release) }
            #expect(engine.cellState("A", "DC1")?.reserved == 0)
        }
    }

    @Test func distinctCellsDoNotInterfere() throws {
        let engine = Engine(clock: ManualClock())
        for t in 0..<4 { engine.stock("S\(t)", "DC1", 1000) }
        runConcurrently(4) { t in
            let cell = engine.inventory.cell(sku: "S\(t)", location: "DC1")!
            for _ in 0..<10_000 {
                #expect(engine.inventory.reader.hold(cell, qty: 1) == nil)
                engine.inventory.reader.release(cell, qty: 1)
            }
        }
        for t in 0..<4 {
            #expect(engine.cellState("S\(t)", "DC1") == CellState(onHand: 1000, reserved: 0, version: 1))
        }
    }

    @Test func lookupsStayCorrectWhileTablesGrow() {
        let engine = Engine(clock: ManualClock())
        let inserted = Atomic<Int>(0)
        runConcurrently(3) { t in
            if t == 0 {
                for i in 0..<20_000 {
                    _ = engine.inventory.findOrCreateCell(sku: "sku-\(i % 500)", location: "L\(i)")
                    inserted.store(i + 1, ordering: .releasing)
                }
                return
            }
            var checks = 0
            while inserted.load(ordering: .acquiring) < 20_000 && checks < 200_000 {
                let n = inserted.load(ordering: .acquiring)
                guard n > 0 else { continue }
                let i = (checks * 7919) % n
                #expect(engine.inventory.cell(sku: "sku-\(i % 500)", location: "L\(i)") != nil)
                checks += 1
            }
        }
        #expect(engine.inventory.cellCount == 20_000)
        #expect(engine.inventory.skus.count == 500)
        #expect(engine.inventory.locations.count == 20_000)
        for i in stride(from: 0, to: 20_000, by: 97) {
            #expect(engine.inventory.cell(sku: "sku-\(i % 500)", location: "L\(i)") != nil)
        }
        #expect(engine.inventory.cell(sku: "sku-1", location: "L2") == nil)
    }

    @Test func changesRacingWithDrainsAreNeverLost() {
        let engine = Engine(clock: ManualClock())
        for i in 0..<2000 { _ = engine.inventory.findOrCreateCell(sku: "s\(i)", location: "L") }
        engine.changes.drain { _ in }
        let producersDone = Atomic<Int>(0)
        let seen = Locked<Set<UInt32>>([])
        runConcurrently(3) { t in
            if t == 2 {
                while producersDone.load(ordering: .acquiring) < 2 {
                    engine.changes.drain { sku in seen.withLock { _ = $0.insert(sku) } }
                }
                engine.changes.drain { sku in seen.withLock { _ = $0.insert(sku) } }
                return
            }
            for i in stride(from: t, to: 2000, by: 2) {
                engine.inventory.reader.release(engine.inventory.cell(sku: "s\(i)", location: "L")!, qty: 0)
            }
            producersDone.add(1, ordering: .releasing)
        }
        #expect(seen.withLock { $0.count } == 2000)
    }

    /// A writer moves a cell through states whose onHand − reserved is always 100 (each with a
    /// new version); readers taking lock-free snapshots must never see a torn pair.
    @Test func snapshotsAreNeverTorn() {
        let engine = Engine(clock: ManualClock())
        let cell = engine.inventory.findOrCreateCell(sku: "T", location: "L")!
        let cells = engine.inventory.cells.view
        let torn = Atomic<Int>(0)
        let reads = Atomic<Int>(0)
        runConcurrently(3) { t in
            let pointer = cells.pointer(at: Int(cell))
            if t == 0 {
                for k in 0..<200_000 {
                    let state = CellState(
                        onHand: 100 + Int64(k % 5000), reserved: Int64(k % 5000),
                        version: UInt32(k) & CellState.versionMask)
                    pointer.pointee.state.store(state.pair, ordering: .releasing)
                }
                return
            }
            for _ in 0..<200_000 {
                let s = pointer.snapshot()
                if s.onHand - s.reserved != 100 && !(s.onHand == 0 && s.reserved == 0) {
                    torn.add(1, ordering: .relaxed)
                }
                reads.add(1, ordering: .relaxed)
            }
        }
        #expect(torn.load(ordering: .relaxed) == 0)
        #expect(reads.load(ordering: .relaxed) == 400_000)
    }
}
