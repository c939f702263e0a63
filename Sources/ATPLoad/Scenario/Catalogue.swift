import ATPPosix
import ATPUtilities
import Glibc

/// The skus and locations of one run, and the cells (sku, location) they make.
///
/// Names carry a per-run tag (`L3F9A2C-S000123`, `L3F9A2C-DC2`) so every run starts from freshly
/// seeded cells even against a server that kept the previous run's state. Regular skus are
/// stocked at every location; the flash-sale skus (`…-F002`) only at the first location.
/// Cell numbering: regular cell = sku × locations + location; flash cell f follows them all.
/// Thread-safety: immutable after `init`, shared read-only. Lookups are O(1).
public struct Catalogue: Sendable {
    public let tag: String
    public let regularSkus: Int
    public let flashSkus: Int
    public let locations: Int
    /// Regular skus first, then the flash skus.
    public let skuNames: [String]
    public let locationNames: [String]
    /// onHand seeded in each regular cell and each flash cell.
    public let seedOnHand: Int
    public let flashStock: Int

    public init(
        tag: String, regularSkus: Int, flashSkus: Int, locations: Int, seedOnHand: Int, flashStock: Int
    ) {
        precondition(regularSkus >= 1 && locations >= 1 && flashSkus >= 0)
        self.tag = tag
        self.regularSkus = regularSkus
        self.flashSkus = flashSkus
        self.locations = locations
        self.seedOnHand = seedOnHand
        self.flashStock = flashStock
        skuNames =
            (0..<regularSkus).map { "\(tag)-S" + Self.padded($0, 6) }
            + (0..<flashSkus).map { "\(tag)-F" + Self.padded($0, 3) }
        locationNames = (0..<locations).map { "\(tag)-DC" + String($0 + 1) }
    }

    public var cellCount: Int { regularSkus * locations + flashSkus }

    @inline(__always)
    public func regularCell(sku: Int, location: Int) -> Int { sku * locations + location }

    @inline(__always)
    public func flashCell(_ f: Int) -> Int { regularSkus * locations + f }

    @inline(__always)
    public func isFlash(cell: Int) -> Bool { cell >= regularSkus * locations }

    /// The sku index (into `skuNames`) of a cell.
    @inline(__always)
    public func sku(ofCell cell: Int) -> Int {
        isFlash(cell: cell) ? regularSkus + (cell - regularSkus * locations) : cell / locations
    }

    /// The location index of a cell.
    @inline(__always)
    public func location(ofCell cell: Int) -> Int { isFlash(cell: cell) ? 0 : cell % locations }

    /// The cell of (sku index, location index), nil when that cell is not stocked.
    public func cell(sku: Int, location: Int) -> Int? {
        guard location >= 0 && location < locations else { return nil }
        if sku < regularSkus { return regularCell(sku: sku, location: location) }
        guard sku < regularSkus + flashSkus, location == 0 else { return nil }
        return flashCell(sku - regularSkus)
    }

    /// The onHand seeded in `cell`.
    public func seeded(cell: Int) -> Int { isFlash(cell: cell) ? flashStock : seedOnHand }

    /// A fresh run tag: `L` and six hex digits from the clock and the process id, so that runs
    /// with the same `--seed` against the same server still get cells of their own.
    public static func uniqueTag() -> String {
        var random = RandomSource(seed: UInt64(bitPattern: MonotonicClock.now()) ^ UInt64(getpid()) << 40)
        let digits = Array("0123456789ABCDEF")
        return "L" + String((0..<6).map { _ in digits[random.below(16)] })
    }

    private static func padded(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
