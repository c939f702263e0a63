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
    /// The live cell index: slot 0 holds the capacity; slots 1...capacity hold cell id + 1.
    private let index: UnsafeMutablePointer<Atomic<UnsafeMutablePointer<Atomic<UInt32>>>>
    private let writer = Locked(IndexWriter())
    /// Lock-free reads and cell accounting for hot paths.
    public let reader: Reader

    init(counters: EngineCounters) {
        self.counters = counters
        index = .allocate(capacity: 1)
        index.initialize(to: Atomic(Self.makeIndex(capacity: 1024)))
        reader = Reader(skus: skus.reader, cells: cells.view, index: index, changes: changes.marker)
    }

    deinit {
        let live = index.pointee.load(ordering: .acquiring)
        writer.withLock { w in
            for table in w.retired + [live] { Self.free(table) }
        }
        index.deinitialize(count: 1)
        index.deallocate()
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
        return writer.withLock { w -> CellID? in
            if let existing = reader.cell(sku: s, location: l) { return existing }
            changes.ensureCapacity(forSku: s)
            let head = reader.head(of: s)
            guard cells.count < 1 << 30, let id = cells.append(Cell(sku: s, location: l, nextInSku: head)) else {
                return nil
            }
            // The new cell goes first; the cell at depth `walkLimit` moves one deeper, out of a
            // walk's reach, so it enters the index before the new head is published.
            var last = head
            for _ in 1..<Reader.walkLimit where last != 0 { last = cells.pointer(at: Int(last - 1)).pointee.nextInSku }
            if last != 0 { addToIndex(last - 1, writer: &w) }
            skus.reader.entry(s).pointee.payload.store(UInt32(id) + 1, ordering: .releasing)
            return UInt32(id)
        }
    }

    /// Enters `cell` in the index, growing it first when it would pass half full.
    private func addToIndex(_ cell: CellID, writer w: inout IndexWriter) {
        var table = index.pointee.load(ordering: .relaxed)
        if (w.indexed.count + 1) * 2 > Int(table[0].load(ordering: .relaxed)) {
            let grown = Self.makeIndex(capacity: Int(table[0].load(ordering: .relaxed)) * 2)
            for old in w.indexed { Self.insert(old, slot: slot(of: old), into: grown) }
            w.retired.append(table)
            index.pointee.store(grown, ordering: .releasing)
            table = grown
        }
        Self.insert(cell, slot: slot(of: cell), into: table)
        w.indexed.append(cell)
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

    /// Adds reserved units without an availability check (replay only).
    func forceReserve(_ cell: CellID, qty: Int64) {
        cells.pointer(at: Int(cell)).pointee.forceReserve(qty)
    }

    /// Overwrites on-hand and version (snapshot restore only).
    func restore(_ cell: CellID, onHand: Int64, version: UInt32) {
        let c = cells.pointer(at: Int(cell))
        let old = c.snapshot().onHand
        c.pointee.restore(onHand: onHand, version: version)
        noteOnHand(old: old, new: onHand)
    }

    /// Keeps the gauge of cells with negative on-hand in step.
    @inline(__always)
    private func noteOnHand(old: Int64, new: Int64) {
        if (old < 0) != (new < 0) { counters.negativeOnHandCells.add(new < 0 ? 1 : -1, ordering: .relaxed) }
    }

    /// Bytes held by cells and the cell index (live and retired), excluding the key tables.
    public var structureBytes: Int {
        let live = index.pointee.load(ordering: .acquiring)
        let indexes = writer.withLock { w in
            ([live] + w.retired).reduce(0) { $0 + (Int($1[0].load(ordering: .relaxed)) + 1) * 4 } + w.indexed.capacity * 4
        }
        return cells.allocatedBytes + indexes
    }

    // MARK: Index internals

    /// The index's writer side; only touched with `writer` locked.
    private struct IndexWriter: @unchecked Sendable {
        /// Index arrays replaced by larger ones; freed only with the inventory (readers may
        /// still hold them).
        var retired: [UnsafeMutablePointer<Atomic<UInt32>>] = []
        /// Every indexed cell, to rebuild the index when it grows.
        var indexed: [CellID] = []
    }

    private static func makeIndex(capacity: Int) -> UnsafeMutablePointer<Atomic<UInt32>> {
        let table = UnsafeMutablePointer<Atomic<UInt32>>.allocate(capacity: capacity + 1)
        table.initialize(to: Atomic(UInt32(capacity)))
        for i in 1...capacity { (table + i).initialize(to: Atomic(0)) }
        return table
    }

    private static func free(_ table: UnsafeMutablePointer<Atomic<UInt32>>) {
        table.deinitialize(count: Int(table[0].load(ordering: .relaxed)) + 1)
        table.deallocate()
    }

    private static func insert(_ cell: UInt32, slot: Int, into table: UnsafeMutablePointer<Atomic<UInt32>>) {
        let mask = Int(table[0].load(ordering: .relaxed)) - 1
        var i = slot & mask
        while table[1 + i].load(ordering: .relaxed) != 0 { i = (i + 1) & mask }
        table[1 + i].store(cell + 1, ordering: .releasing)
    }
}
