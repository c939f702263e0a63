import ATPEngine
import Foundation

/// Loads `skus × locations` cells as recovery does (snapshot records) and reports load rate and
/// resident bytes per cell; then the same cells into the mutex baseline for comparison.
/// Each side runs in a fresh state of the process's heap as far as possible: engine first,
/// measured and freed, then baseline.
func loadCells(skus: Int, locations: Int) -> [Row] {
    let cells = skus * locations
    var rows: [Row] = []
    do {
        let before = residentBytes()
        let start = now()
        let engine = Engine(clock: SystemClock())
        for s in 0..<skus {
            let sku = "SKU-\(1_000_000 + s)"
            for l in 0..<locations {
                engine.replay(
                    .cellSnapshot(
                        CellSnapshotRecord(
                            sku: sku, location: "LOC-\(l)", onHand: 10, version: 1, safetyStock: 0)))
            }
        }
        let seconds = Double(now() - start) / 1e9
        let rss = residentBytes() - before
        let skuMemory = engine.inventory.skus.memory
        let locationMemory = engine.inventory.locations.memory
        let keyText = skuMemory.keyBytes + locationMemory.keyBytes
        let structures = engine.inventory.structureBytes
        precondition(engine.inventory.cellCount == cells)
        rows.append(
            Row(
                name: "load \(cells / 1_000_000)M cells (snapshot replay)", unit: "cells/s",
                engine: Double(cells) / seconds, baseline: nil))
        rows.append(
            Row(
                name: "resident bytes per cell, with keys", unit: "B/cell",
                engine: Double(rss) / Double(cells), baseline: nil,
                note: "RSS growth over the load"))
        rows.append(
            Row(
                name: "resident bytes per cell, without key text", unit: "B/cell",
                engine: Double(rss - keyText) / Double(cells),
                baseline: nil,
                note: String(
                    format: "cells+index %.1f, sku/location tables %.1f, key text %.1f B/cell",
                    Double(structures) / Double(cells),
                    Double(skuMemory.structures + locationMemory.structures) / Double(cells),
                    Double(keyText) / Double(cells))))
        withExtendedLifetime(engine) {}
    }
    let before = residentBytes()
    let start = now()
    let baseline = MutexBaseline()
    for s in 0..<skus {
        let sku = "SKU-\(1_000_000 + s)"
        for l in 0..<locations { baseline.set(.init(sku: sku, location: "LOC-\(l)"), onHand: 10) }
    }
    let seconds = Double(now() - start) / 1e9
    let rss = residentBytes() - before
    rows[0].baseline = Double(cells) / seconds
    rows[1].baseline = Double(rss) / Double(cells)
    withExtendedLifetime(baseline) {}
    return rows
}
