import ATPHTTP
import ATPLoad
import ATPPosix
import ATPTestSupport
import ATPUtilities

/// The rehearsal's test of one cell on its own.
extension CellFigures {
    /// What is wrong with the figures on their own, or nil: available must be
    /// max(0, onHand − reserved − safety), never negative, and reserved within onHand − safety
    /// (the rehearsal never drives on-hand below what is held, so more reserved is an oversell).
    var oversold: String? {
        if available < 0 || available != max(0, onHand - reserved - safetyStock) {
            return "available wrong: \(self)"
        }
        if reserved > onHand - safetyStock { return "reserved beyond onHand − safety: \(self)" }
        return nil
    }
}

/// Reads the stock of the rehearsal's skus (one pipelined `GET /v1/stock/{sku}` each).
enum StockReader {
    /// Every cell of `skus`, or nil when atpd did not answer them all with 200.
    static func read(_ link: AtpdLink, skus: [String]) -> [Cell: CellFigures]? {
        guard
            case .answered(let responses) = link.exchange(skus.map { link.request(.get, "/v1/stock/\($0)") })
        else { return nil }
        var cells: [Cell: CellFigures] = [:]
        for (sku, response) in zip(skus, responses) {
            guard response.status == 200 else { return nil }
            for row in AtpdLink.json(response)?["locations"]?.array ?? [] {
                guard let row = row.object, let location = row["location"]?.string else { continue }
                func int(_ key: String) -> Int { Int(row[key]?.int64 ?? Int64(Int.min)) }
                cells[Cell(sku: sku, location: location)] = CellFigures(
                    onHand: int("onHand"), reserved: int("reserved"), safetyStock: int("safetyStock"),
                    available: int("available"))
            }
        }
        return cells
    }
}

/// Reads the stock every 250 ms during the load and notes any sample where a cell is
/// oversold or its availability is inconsistent (answers other than 200 — atpd down or
/// recovering — are skipped).
///
/// Thread-safety: owned by its thread; read the results once it is joined.
final class StockSampler {
    let link: AtpdLink
    let skus: [String]
    private(set) var samples = 0
    private(set) var violations: [String] = []

    init(link: AtpdLink, skus: [String]) {
        self.link = link
        self.skus = skus
    }

    func run(until deadline: Int64, stop: StopFlag) {
        while MonotonicClock.now() < deadline && !stop.isSet {
            if let cells = StockReader.read(link, skus: skus) {
                samples += 1
                for (cell, figures) in cells.sorted(by: { $0.key < $1.key }) {
                    if let problem = figures.oversold {
                        violations.append("sample \(samples): \(cell) \(problem)")
                    }
                }
            }
            MonotonicClock.sleep(nanoseconds: 250_000_000)
        }
    }
}
