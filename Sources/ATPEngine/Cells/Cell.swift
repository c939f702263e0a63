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

    /// The state through a 128-bit atomic load. On x86-64 that is a `lock cmpxchg16b`, which
    /// takes the cache line exclusively; readers use `UnsafeMutablePointer<Cell>.snapshot()`.
    @inline(__always)
    func load() -> CellState { CellState(state.load(ordering: .relaxed)) }

    /// Reserves `qty` units if at least that many are available; otherwise returns what is.
    /// The caller passes `expected`, a recent state (for example a `snapshot()`), as the first
    /// guess for the CAS; a wrong guess costs one retry, never a wrong answer.
    /// - Returns: nil when held, or the available count that was too small.
    /// - Complexity: O(1) expected; retries only while other threads change this cell.
    @inline(__always)
    func hold(_ qty: Int64, expected: CellState) -> Int64? {
        var current = expected.pair
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

    /// Takes back a `fulfil(qty)`: on-hand and reserved both rise by `qty` and the version steps
    /// back, in one CAS (rollback only).
    func unfulfil(_ qty: Int64) {
        update {
            $0.onHand += qty
            $0.reserved = min(Quantity.cellLimit, $0.reserved + qty)
            $0.version = ($0.version &- 1) & CellState.versionMask
        }
    }

    /// Takes back an event that added `delta` to on-hand; the version steps back (rollback only).
    func unapply(_ delta: Int64) {
        update {
            $0.onHand -= delta
            $0.version = ($0.version &- 1) & CellState.versionMask
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

extension UnsafeMutablePointer where Pointee == Cell {
    /// A consistent (on-hand, reserved, version) without writing to the cell's cache line.
    ///
    /// Reads the two 64-bit halves of `state` with plain atomic loads: `second` (reserved and
    /// version), `first` (on-hand), then `second` again. Every change of on-hand bumps the version
    /// in `second` in the same CAS, so if `second` did not change, `first` belongs with it.
    /// `Cell` puts `state` at offset 0 and `WordPair` stores `first` before `second`.
    /// - Complexity: O(1); retries only while a writer changes the cell between the loads.
    @inline(__always)
    func snapshot() -> CellState {
        let halves = UnsafeRawPointer(self).assumingMemoryBound(to: Atomic<UInt>.self)
        while true {
            let second = halves[1].load(ordering: .acquiring)
            let first = halves[0].load(ordering: .acquiring)
            if halves[1].load(ordering: .acquiring) == second {
                return CellState(WordPair(first: first, second: second))
            }
        }
    }

    /// Units available now: `max(0, onHand − reserved − safetyStock)`. Read-only on the cache line.
    @inline(__always)
    var available: Int64 {
        snapshot().available(safetyStock: Int64(pointee.safetyStock.load(ordering: .relaxed)))
    }
}
