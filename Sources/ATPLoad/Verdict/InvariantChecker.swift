/// The verdict: checks the stock a target reports after the run against the harness's `Ledger`.
///
/// Invariants, per cell:
/// 1. every stocked cell is reported;
/// 2. `reserved` ≤ the units of holds that may still be live (no phantom reservations);
/// 3. `reserved` ≥ the units of holds that must still be live (every successful hold visible);
/// 4. no negative available: reported `available` ≥ 0, and for cells no warehouse event touched,
///    `reserved` ≤ `onHand`;
/// 5. for untouched cells, `onHand` = seeded − fulfilled (within the fulfils whose answer was lost);
/// 6. flash-sale cells: the units of all successful holds ≤ the stock (no overselling).
/// Thread-safety: stateless. Complexity: O(cells).
public enum InvariantChecker {
    /// The outcome of the check; `passed` when `violations` is empty.
    public struct Verdict: Sendable {
        public var checkedCells = 0
        public var violations: [String] = []
        /// How many violations there were in all (`violations` keeps the first 50).
        public var violationCount = 0
        public var flashUnitsHeld = 0
        public var flashStock = 0
        public var passed: Bool { violationCount == 0 }

        mutating func fail(_ text: String) {
            violationCount += 1
            if violations.count < 50 { violations.append(text) }
        }
    }

    public static func check(readings: [CellReading], ledger: Ledger, catalogue: Catalogue) -> Verdict {
        var verdict = Verdict()
        var seen = [Bool](repeating: false, count: catalogue.cellCount)
        func name(_ cell: Int) -> String {
            catalogue.skuNames[catalogue.sku(ofCell: cell)] + "@"
                + catalogue.locationNames[catalogue.location(ofCell: cell)]
        }
        for reading in readings where reading.cell >= 0 && reading.cell < catalogue.cellCount {
            seen[reading.cell] = true
            verdict.checkedCells += 1
            let cell = reading.cell
            let tally = ledger[cell]
            if reading.reserved > tally.upper {
                verdict.fail(
                    "\(name(cell)): reserved \(reading.reserved) exceeds the \(tally.upper) units the harness's holds account for"
                )
            }
            if reading.reserved < tally.lower {
                verdict.fail(
                    "\(name(cell)): reserved \(reading.reserved) is below the \(tally.lower) units of live successful holds"
                )
            }
            if reading.available < 0 && !tally.touched {
                verdict.fail("\(name(cell)): available is negative (\(reading.available))")
            }
            if !tally.touched {
                if reading.reserved > reading.onHand {
                    verdict.fail(
                        "\(name(cell)): reserved \(reading.reserved) exceeds onHand \(reading.onHand) (negative available)"
                    )
                }
                let most = catalogue.seeded(cell: cell) - tally.fulfilled
                let least = most - tally.fulfilledUncertain
                if reading.onHand > most || reading.onHand < least {
                    let expected = least == most ? "\(most)" : "\(least)...\(most)"
                    verdict.fail(
                        "\(name(cell)): onHand \(reading.onHand), expected \(expected) after \(tally.fulfilled) units fulfilled"
                    )
                }
            }
            if catalogue.isFlash(cell: cell) {
                verdict.flashUnitsHeld += tally.held
                verdict.flashStock += catalogue.flashStock
                if tally.held > catalogue.flashStock {
                    verdict.fail(
                        "\(name(cell)): flash sale oversold: \(tally.held) units held of a stock of \(catalogue.flashStock)"
                    )
                }
            }
        }
        for cell in 0..<catalogue.cellCount where !seen[cell] {
            verdict.fail("\(name(cell)): missing from the stock the target reports")
        }
        return verdict
    }
}
