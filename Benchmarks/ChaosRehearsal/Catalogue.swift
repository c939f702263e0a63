/// One (sku, location) cell of the rehearsal.
struct Cell: Hashable, Comparable, CustomStringConvertible, Sendable {
    var sku: String
    var location: String

    static func < (a: Self, b: Self) -> Bool { (a.sku, a.location) < (b.sku, b.location) }
    var description: String { "\(sku)@\(location)" }
}

/// The rehearsal's catalogue: which cells exist, what they start with, and which of them the
/// load holds, adjusts or replenishes.
///
/// - Busy cells (`S0`…`S7` at `DC1`, `DC2`, `STORE-1`) start with 1,000,000 units: holds never run
///   out there, and warehouse events (± a few units) land on the first four skus' `DC1`/`DC2`
///   cells, so several workers touch the same cells at once.
/// - Scarce cells (`F0`, `F1` at `DC1`, `DC2`) start with 30 units (`F1@DC1` keeps 3 back as
///   safety stock): holds sell them out, and only positive `return` events (replenishment)
///   reach them, so their on-hand never falls and the sum of holds must stay within it.
/// - The channel sells from `DC1` and `DC2` (not `STORE-1`) and keeps `bufferUnits` back.
///
/// Thread-safety: immutable, `Sendable`. Complexity: O(cells) to build.
struct Catalogue: Sendable {
    static let channel = "chaos"
    static let channelLocations = ["DC1", "DC2"]
    static let bufferUnits = 2

    let busySkus = (0..<8).map { "S\($0)" }
    let scarceSkus = ["F0", "F1"]
    let busyLocations = ["DC1", "DC2", "STORE-1"]
    let scarceLocations = ["DC1", "DC2"]
    let busyStock = 1_000_000
    let scarceStock = 30

    var skus: [String] { busySkus + scarceSkus }
    var busyCells: [Cell] { busySkus.flatMap { s in busyLocations.map { Cell(sku: s, location: $0) } } }
    var scarceCells: [Cell] { scarceSkus.flatMap { s in scarceLocations.map { Cell(sku: s, location: $0) } } }
    var cells: [Cell] { busyCells + scarceCells }
    /// Cells that warehouse adjustments (positive and negative) land on.
    var eventCells: [Cell] {
        busySkus.prefix(4).flatMap { s in ["DC1", "DC2"].map { Cell(sku: s, location: $0) } }
    }

    /// Safety stock set through the API before the load.
    let safety: [Cell: Int] = [Cell(sku: "F1", location: "DC1"): 3]

    func initial(_ cell: Cell) -> Int { scarceSkus.contains(cell.sku) ? scarceStock : busyStock }
    func isScarce(_ cell: Cell) -> Bool { scarceSkus.contains(cell.sku) }
}
