import ATPTestSupport
import Testing

@testable import ATPEngine

@Suite struct ChangeFeedTests {
    @Test func mutationsMarkTheirSkuOnceUntilDrained() throws {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 10)
        engine.stock("B", "DC1", 10)
        var drained: [String] = []
        engine.changes.drain { drained.append(engine.inventory.skus.string($0)) }
        #expect(drained.sorted() == ["A", "B"])
        #expect(engine.changes.drain { _ in } == 0)

        let r = try hold(engine, [("A", "DC1", 1)])
        _ = engine.transition(r.id, .release)
        engine.stock("A", "DC2", 3)
        drained = []
        engine.changes.drain { drained.append(engine.inventory.skus.string($0)) }
        #expect(drained == ["A"], "many changes of one sku coalesce")

        _ = try engine.setSafetyStock(sku: "B", location: "DC1", value: 1)
        drained = []
        engine.changes.drain { drained.append(engine.inventory.skus.string($0)) }
        #expect(drained == ["B"])
    }

    @Test func refusedHoldsMarkNothing() {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 1)
        engine.changes.drain { _ in }
        #expect(throws: Engine.CreateFailure.self) { try hold(engine, [("A", "DC1", 2)]) }
        #expect(engine.changes.drain { _ in } == 0)
    }

    @Test func drainCoversManyChunks() {
        let engine = Engine(clock: ManualClock())
        let n = 140_000
        for i in 0..<n { _ = engine.inventory.findOrCreateCell(sku: "k\(i)", location: "L") }
        for i in stride(from: 0, to: n, by: 1000) {
            engine.inventory.reader.release(engine.inventory.cell(sku: "k\(i)", location: "L")!, qty: 0)
        }
        var count = 0
        engine.changes.drain { _ in count += 1 }
        #expect(count == n / 1000)
    }
}
