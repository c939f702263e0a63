import ATPUtilities
import Synchronization

/// Dense id of a cell; stable for the process's lifetime (not across restarts).
public typealias CellID = UInt32

/// All cells, their lock-free index by (sku, location), and per-sku cell lists.
///
/// Skus and locations are interned to dense ids. A sku's cells form a singly linked list, newest
/// first, whose head is the sku's payload word. A lookup walks the first `Reader.walkLimit`
/// cells of the list; only cells deeper than that are also entered in an open-addressed index of
/// 32-bit slots (cell id + 1) probed by a hash of (sku id, location id), so skus with a few
/// locations cost no index memory at all. Creating a cell takes a mutex; finding, reading and
/// changing one never does, and goes through `reader`, a trivial struct that touches no
/// reference count.
///
/// Thread-safety: all methods from any thread. Every mutation marks the sku in `changes`.
public final class Inventory: @unchecked Sendable {
    public let skus = StringTable(maxKeyLength: 128)
    public let locations = StringTable(maxKeyLength: 128)
    let cells = ChunkedStorage<Cell>()
    /// Skus whose availability changed; see `ChangeFeed`.
    public let changes = ChangeFeed()
    let counters: EngineCounters
    /// Cells deeper than `Reader.walkLimit` in their sku's list, as cell id + 1; only touched
    /// with `writer` locked.
    private let index = SlotIndex(capacity: 1024)
    /// Serializes cell creation. Its value is a 1-byte token: a zero-sized `()` would sit at the
    /// address where the next heap object starts, and ThreadSanitizer would see races there.
    private let writer = Locked<UInt8>(0)
    /// Lock-free reads and cell accounting for hot paths.
    public let reader: Reader

    init(counters: EngineCounters) {
        self.counters = counters
        reader = Reader(skus: skus.reader, cells: cells.view, index: index.reader, changes: changes.marker)
    }

    /// Number of cells.
    public var cellCount: Int { cells.count }

    /// The cell of (sku, location) given as keys, or nil.
    public func cell(sku: String, location: String) -> CellID? {
        guard let s = skus.find(sku), let l = locations.find(location) else { return nil }
        return reader.cell(sku: s, location: l)
    }

    /// The (sku id, location id) of `cell`.
    public func key(_ cell: CellID) -> (sku: UInt32, location: UInt32) {
        let c = cells.pointer(at: Int(cell))
        return (c.pointee.sku, c.pointee.location)
    }

    /// Calls `body` for every cell of `sku`, newest first.
    public func forEachCell(ofSku sku: UInt32, _ body: (CellID) -> Void) {
        var next = reader.head(of: sku)
        while next != 0 {
            body(next - 1)
            next = cells.pointer(at: Int(next - 1)).pointee.nextInSku
        }
    }

    // MARK: Creation (takes the insert lock on a miss)

    /// The cell of (sku, location), created empty if needed; nil if a key is too long or a table
    /// is full. Keys must already be valid (see `Key.problem`).
    public func findOrCreateCell(sku: String, location: String) -> CellID? {
        guard let s = skus.intern(sku), let l = locations.intern(location) else { return nil }
        if let existing = reader.cell(sku: s, location: l) { return existing }
        return writer.withLock { _ -> CellID? in
            if let existing = reader.cell(sku: s, location: l) { return existing }
            changes.ensureCapacity(forSku: s)
            let head = reader.head(of: s)
            guard cells.count < 1 << 30, let id = cells.append(Cell(sku: s, location: l, nextInSku: head))
            else {
                return nil
            }
            // The new cell goes first; the cell at depth `walkLimit` moves one deeper, out of a
            // walk's reach, so it enters the index before the new head is published.
            var last = head
            for _ in 1..<Reader.walkLimit where last != 0 {
                last = cells.pointer(at: Int(last - 1)).pointee.nextInSku
            }
            if last != 0 { index.insert(UInt64(last), hash: slot(of: last - 1)) { slot(of: CellID($0) - 1) } }
            skus.reader.entry(s).pointee.payload.store(UInt32(id) + 1, ordering: .releasing)
            return UInt32(id)
        }
    }

    private func slot(of cell: CellID) -> Int {
        let c = cells.pointer(at: Int(cell))
        return Reader.slot(sku: c.pointee.sku, location: c.pointee.location)
    }

    // MARK: Mutations that only the engine makes

    /// Ships `qty` reserved units of `cell`; returns the new on-hand version.
    func fulfil(_ cell: CellID, qty: Int64) -> UInt32 {
        let c = cells.pointer(at: Int(cell))
        let (old, new) = c.pointee.fulfil(qty)
        noteOnHand(old: old.onHand, new: new.onHand)
        changes.mark(c.pointee.sku)
        return new.version
    }

    /// Applies an on-hand change; nil when it would leave the cell's bounds.
    func apply(_ change: OnHandChange, to cell: CellID) -> (old: CellState, new: CellState)? {
        let c = cells.pointer(at: Int(cell))
        guard let (old, new) = c.pointee.apply(change) else { return nil }
        noteOnHand(old: old.onHand, new: new.onHand)
        changes.mark(c.pointee.sku)
        return (old, new)
    }

    /// Sets the safety stock of `cell` (0...`Quantity.requestLimit`).
    func setSafetyStock(_ cell: CellID, _ value: Int64) {
        let c = cells.pointer(at: Int(cell))
        c.pointee.safetyStock.store(Int32(value), ordering: .relaxed)
        changes.mark(c.pointee.sku)
    }

    /// Sets the safety stock of `cell` and returns the value it replaced (one atomic exchange, so
    /// concurrent sets are ordered and each knows what it replaced).
    func exchangeSafetyStock(_ cell: CellID, _ value: Int64) -> Int64 {
        let c = cells.pointer(at: Int(cell))
        defer { changes.mark(c.pointee.sku) }
        return Int64(c.pointee.safetyStock.exchange(Int32(value), ordering: .relaxed))
    }

    /// Adds `delta` to the safety stock of `cell` (rollback only).
    func addSafetyStock(_ cell: CellID, _ delta: Int64) {
        let c = cells.pointer(at: Int(cell))
        c.pointee.safetyStock.add(Int32(clamping: delta), ordering: .relaxed)
        changes.mark(c.pointee.sku)
    }

    /// Takes back an event that added `delta` to on-hand: on-hand drops by `delta` and the
    /// version steps back by one, in one CAS (rollback only).
    func unapply(_ cell: CellID, delta: Int64) {
        let c = cells.pointer(at: Int(cell))
        let old = c.snapshot().onHand
        c.pointee.unapply(delta)
        noteOnHand(old: old, new: old - delta)
        changes.mark(c.pointee.sku)
    }

    /// Adds reserved units without an availability check (replay, and rollback of a release).
    func forceReserve(_ cell: CellID, qty: Int64) {
        let c = cells.pointer(at: Int(cell))
        c.pointee.forceReserve(qty)
        changes.mark(c.pointee.sku)
    }

    /// Takes back a `fulfil` (rollback only).
    func unfulfil(_ cell: CellID, qty: Int64) {
        let c = cells.pointer(at: Int(cell))
        let old = c.snapshot().onHand
        c.pointee.unfulfil(qty)
        noteOnHand(old: old, new: old + qty)
        changes.mark(c.pointee.sku)
    }

    /// Overwrites on-hand and version (snapshot restore and replay).
    func restore(_ cell: CellID, onHand: Int64, version: UInt32) {
        let c = cells.pointer(at: Int(cell))
        let old = c.snapshot().onHand
        c.pointee.restore(onHand: onHand, version: version)
        noteOnHand(old: old, new: onHand)
        changes.mark(c.pointee.sku)
    }

    /// The safety stock of `cell`.
    func safetyStock(_ cell: CellID) -> Int64 {
        Int64(cells.pointer(at: Int(cell)).pointee.safetyStock.load(ordering: .relaxed))
    }

    /// Keeps the gauge of cells with negative on-hand in step.
    @inline(__always)
    private func noteOnHand(old: Int64, new: Int64) {
        if (old < 0) != (new < 0) { counters.negativeOnHandCells.add(new < 0 ? 1 : -1, ordering: .relaxed) }
    }

    /// Bytes held by cells and the cell index (live and retired), excluding the key tables.
    public var structureBytes: Int {
        cells.allocatedBytes + writer.withLock { _ in index.bytes }
    }
}
