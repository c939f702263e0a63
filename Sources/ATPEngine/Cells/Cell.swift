import Synchronization

/// One (sku, location) cell at a stable address: 32 bytes.
///
/// All accounting happens through compare-and-swap on `state`, so no lock is taken and there is no
/// window between checking availability and reserving it. `safetyStock` is a separate atomic; a
/// hold reads it once per attempt.
/// Thread-safety: every method may be called from any thread.
struct Cell: ~Copyable {
    let state: Atomic<WordPair>
    let safetyStock: Atomic<Int32>
    let sku: UInt32
    let location: UInt32
    /// The next cell of the same sku, plus one (0 ends the list). Immutable once published.
    let nextInSku: UInt32

    init(sku: UInt32, location: UInt32, nextInSku: UInt32) {
        state = Atomic(CellState(onHand: 0, reserved: 0, version: 0).pair)
        safetyStock = Atomic(0)
        self.sku = sku
        self.location = location
        self.nextInSku = nextInSku
    }

    @inline(__always)
    func load() -> CellState { CellState(state.load(ordering: .relaxed)) }

    @inline(__always)
    var available: Int64 {
        load().available(safetyStock: Int64(safetyStock.load(ordering: .relaxed)))
    }

    /// Reserves `qty` units if at least that many are available; otherwise returns what is.
    /// - Returns: nil when held, or the available count that was too small.
    /// - Complexity: O(1) expected; retries only while other threads change this cell.
    @inline(__always)
    func hold(_ qty: Int64) -> Int64? {
        var current = state.load(ordering: .relaxed)
        while true {
            var s = CellState(current)
            let available = s.available(safetyStock: Int64(safetyStock.load(ordering: .relaxed)))
            if available < qty { return available }
            s.reserved += qty
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: s.pair, ordering: .acquiringAndReleasing)
            if exchanged { return nil }
            current = original
        }
    }

    /// Adds `qty` to reserved without checking availability (journal replay only).
    func forceReserve(_ qty: Int64) {
        update { $0.reserved = min(Quantity.cellLimit, $0.reserved + qty) }
    }

    /// Returns `qty` reserved units to available.
    @inline(__always)
    func release(_ qty: Int64) {
        update { $0.reserved = max(0, $0.reserved - qty) }
    }

    /// Ships `qty` reserved units: on-hand and reserved both drop by `qty` in one CAS.
    /// - Returns: the states before and after (the after-state carries the new version).
    @discardableResult
    func fulfil(_ qty: Int64) -> (CellState, CellState) {
        update {
            $0.onHand -= qty
            $0.reserved = max(0, $0.reserved - qty)
            $0.version = CellState.next($0.version)
        }
    }

    /// Applies an on-hand change unless the result would leave ±`Quantity.cellLimit`.
    /// - Returns: the states before and after, or nil when refused.
    func apply(_ change: OnHandChange) -> (CellState, CellState)? {
        var current = state.load(ordering: .relaxed)
        while true {
            let old = CellState(current)
            var new = old
            new.onHand = change.applied(to: old.onHand)
            guard abs(new.onHand) <= Quantity.cellLimit else { return nil }
            new.version = CellState.next(old.version)
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: new.pair, ordering: .acquiringAndReleasing)
            if exchanged { return (old, new) }
            current = original
        }
    }

    /// Overwrites on-hand and version (snapshot restore only).
    func restore(onHand: Int64, version: UInt32) {
        update {
            $0.onHand = onHand
            $0.version = version & CellState.versionMask
        }
    }

    /// Applies `body` to the state in a CAS loop and returns the states before and after.
    @inline(__always) @discardableResult
    private func update(_ body: (inout CellState) -> Void) -> (CellState, CellState) {
        var current = state.load(ordering: .relaxed)
        while true {
            let old = CellState(current)
            var new = old
            body(&new)
            let (exchanged, original) = state.compareExchange(
                expected: current, desired: new.pair, ordering: .acquiringAndReleasing)
            if exchanged { return (old, new) }
            current = original
        }
    }
}
