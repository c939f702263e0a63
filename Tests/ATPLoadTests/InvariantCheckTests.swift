import Testing

@testable import ATPLoad

/// A stock reader that reports what the target says, except one corrupted cell: the test double.
struct CorruptingReader: StockReader {
    let inner: any StockReader
    let corrupt: @Sendable (inout CellReading) -> Void
    /// Which reading to corrupt: the first cell the load held stock in, found by `pick`.
    let pick: @Sendable ([CellReading]) -> Int

    func readCells(_ catalogue: Catalogue) throws(LoadError) -> [CellReading] {
        var readings = try inner.readCells(catalogue)
        let index = pick(readings)
        corrupt(&readings[index])
        return readings
    }
}

@Suite(.serialized) struct InvariantCheckTests {
    func run(_ scenario: String, _ local: LocalService, reader: ((any StockReader) -> any StockReader)? = nil)
        throws -> RunResult
    {
        var options = LoadOptions()
        options.connections = 4
        options.durationNanoseconds = 1_000_000_000
        options.warmupNanoseconds = 0
        options.skus = 50
        options.locations = 2
        options.seed = 7
        var spec = ScenarioSpec.builtIn(scenario)!
        // Scarce enough to sell out within the second even under a sanitizer on a busy machine
        // (ASan on two loaded cores held 78 units in it).
        spec.flashStockPerSku = 5
        let target = try makeTarget(url: local.url, token: nil, timeoutMilliseconds: 5_000)
        return try LoadRunner(options: options, spec: spec, progress: nil)
            .run(target: target, stockReader: reader?(target))
    }

    @Test func honestReadingPassesAndFlashSaleDoesNotOversell() throws {
        let local = try LocalService()
        defer { local.stop() }
        let checkout = try run("checkout", local)
        #expect(checkout.verdict.passed, "\(checkout.verdict.violations)")
        #expect(checkout.verdict.checkedCells == 100)
        let flash = try run("flash-sale", local)
        #expect(flash.verdict.passed, "\(flash.verdict.violations)")
        #expect(flash.verdict.flashUnitsHeld <= flash.verdict.flashStock, "never an oversell")
        #expect(
            flash.verdict.flashUnitsHeld == flash.verdict.flashStock, "the scarce stock sells out in a second"
        )
        #expect(flash.holdsRejected > 0)
    }

    @Test func aCorruptedReservedReadingIsCaught() throws {
        let local = try LocalService()
        defer { local.stop() }
        let result = try run("checkout", local) { inner in
            CorruptingReader(
                inner: inner, corrupt: { $0.reserved += 1_000 },
                pick: { $0.firstIndex { $0.reserved > 0 } ?? 0 })
        }
        #expect(!result.verdict.passed)
        #expect(
            result.verdict.violations.contains { $0.contains("exceeds the") }, "\(result.verdict.violations)")
        #expect(!result.passed)
    }

    @Test func aLostHoldAndANegativeAvailableAreCaught() {
        let catalogue = Catalogue(
            tag: "T", regularSkus: 2, flashSkus: 1, locations: 1, seedOnHand: 10, flashStock: 3)
        var ledger = Ledger()
        let line = Operation.Line(cell: 0, sku: 0, location: 0, qty: 4)
        ledger.holdSucceeded([line], mustStayLive: true)
        let flashLine = Operation.Line(cell: catalogue.flashCell(0), sku: 2, location: 0, qty: 1)
        for _ in 0..<4 { ledger.holdSucceeded([flashLine], mustStayLive: false) }
        let readings = [
            CellReading(cell: 0, onHand: 10, reserved: 0, available: 10),  // the hold vanished
            CellReading(cell: 1, onHand: 3, reserved: 0, available: -2),  // negative
            CellReading(cell: 2, onHand: 3, reserved: 3, available: 0),
        ]
        let verdict = InvariantChecker.check(readings: readings, ledger: ledger, catalogue: catalogue)
        #expect(verdict.violations.contains { $0.contains("below the 4 units") })
        #expect(verdict.violations.contains { $0.contains("negative") })
        #expect(verdict.violations.contains { $0.contains("oversold") })
        #expect(verdict.violations.contains { $0.contains("onHand 3, expected 10") })
    }
}
