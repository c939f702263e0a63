/// What one load thread's successful (and possibly-successful) requests did to each cell: the
/// bounds the verdict checks the server's stock against.
///
/// For every cell it keeps
/// - `upper`: units of holds that may still be live (successful or ambiguous holds not yet known
///   to be fulfilled or released, including those left to expire) — reserved may not exceed it;
/// - `lower`: units of holds that must still be live (successful, long-lived, not finished, with
///   no ambiguous finish) — reserved may not be below it ("every successful hold visible");
/// - `fulfilled` and `fulfilledUncertain`: units shipped for sure, and maybe;
/// - `held`: units of every successful hold ever (flash sale: may not exceed the stock);
/// - `touched`: a warehouse event was sent for the cell (onHand no longer predictable).
/// Thread-safety: a value type; each thread has its own, merged after the run (no locks).
/// - Complexity: O(1) expected per update (a dictionary keyed by cell).
public struct Ledger: Sendable {
    public struct Tally: Sendable, Equatable {
        public var upper = 0
        public var lower = 0
        public var fulfilled = 0
        public var fulfilledUncertain = 0
        public var held = 0
        public var touched = false
        public init() {}
    }

    public private(set) var cells: [Int: Tally] = [:]
    public private(set) var holdsSucceeded = 0
    public private(set) var holdsRejected = 0
    public private(set) var holdsAmbiguous = 0

    public init() {}

    public mutating func holdSucceeded(_ lines: [Operation.Line], mustStayLive: Bool) {
        holdsSucceeded += 1
        for line in lines {
            cells[line.cell, default: Tally()].upper += line.qty
            cells[line.cell, default: Tally()].held += line.qty
            if mustStayLive { cells[line.cell, default: Tally()].lower += line.qty }
        }
    }

    public mutating func holdRejected() { holdsRejected += 1 }

    /// A hold that failed in transport or with a 5xx: it may have been taken.
    public mutating func holdAmbiguous(_ lines: [Operation.Line]) {
        holdsAmbiguous += 1
        for line in lines { cells[line.cell, default: Tally()].upper += line.qty }
    }

    /// A fulfil or release answered; `succeeded` false means it may or may not have happened.
    public mutating func finished(_ lines: [Operation.Line], fulfilled: Bool, succeeded: Bool, wasLive: Bool)
    {
        for line in lines {
            var tally = cells[line.cell, default: Tally()]
            if wasLive { tally.lower -= line.qty }
            if succeeded {
                tally.upper -= line.qty
                if fulfilled { tally.fulfilled += line.qty }
            } else if fulfilled {
                tally.fulfilledUncertain += line.qty
            }
            cells[line.cell] = tally
        }
    }

    public mutating func touched(cell: Int) { cells[cell, default: Tally()].touched = true }

    /// Adds `other`'s tallies and counts into this ledger.
    public mutating func merge(_ other: Ledger) {
        for (cell, t) in other.cells {
            var mine = cells[cell, default: Tally()]
            mine.upper += t.upper
            mine.lower += t.lower
            mine.fulfilled += t.fulfilled
            mine.fulfilledUncertain += t.fulfilledUncertain
            mine.held += t.held
            mine.touched = mine.touched || t.touched
            cells[cell] = mine
        }
        holdsSucceeded += other.holdsSucceeded
        holdsRejected += other.holdsRejected
        holdsAmbiguous += other.holdsAmbiguous
    }

    /// The tally of `cell` (zeros when untouched).
    public subscript(cell: Int) -> Tally { cells[cell] ?? Tally() }
}
