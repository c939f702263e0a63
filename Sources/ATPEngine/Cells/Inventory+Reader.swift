import Synchronization

extension Inventory {
    /// The inventory's hot paths as a trivial struct of pointers: finding cells, reading
    /// availability, holding and releasing. Holding one touches no reference count and no lock.
    ///
    /// Valid while the inventory lives. Thread-safety: every method from any thread.
    public struct Reader: @unchecked Sendable {
        public let skus: StringTable.Reader
        let cells: ChunkedStorage<Cell>.View
        let index: SlotIndex.Reader
        let changes: ChangeFeed.Marker

        /// The first cell of `sku`, plus one (0 when it has none).
        @inline(__always)
        func head(of sku: UInt32) -> UInt32 {
            skus.entry(sku).pointee.payload.load(ordering: .acquiring)
        }

        /// How many cells of a sku's list a lookup walks before it asks the index; every cell
        /// deeper in the list is in the index.
        static let walkLimit = 4

        /// The cell of (sku, location), or nil when it does not exist.
        ///
        /// Walks the first `walkLimit` cells of the sku's list (the sku's entry was just read,
        /// so this costs no extra index miss), then asks the index for deeper ones.
        /// - Complexity: O(1) expected.
        @inline(__always)
        public func cell(sku: UInt32, location: UInt32) -> CellID? {
            var next = head(of: sku)
            var depth = 0
            while next != 0 {
                if depth == Self.walkLimit { return indexedCell(sku: sku, location: location) }
                let c = cells.pointer(at: Int(next - 1))
                if c.pointee.location == location { return next - 1 }
                depth += 1
                next = c.pointee.nextInSku
            }
            return nil
        }

        /// The cell of (sku, location) through the index (cells deeper than `walkLimit` only).
        func indexedCell(sku: UInt32, location: UInt32) -> CellID? {
            let table = index.table
            let mask = SlotIndex.Reader.mask(table)
            var i = Self.slot(sku: sku, location: location) & mask
            while true {
                let slot = SlotIndex.Reader.slot(table, i)
                if slot == 0 { return nil }
                let c = cells.pointer(at: Int(slot - 1))
                if c.pointee.sku == sku && c.pointee.location == location { return CellID(slot - 1) }
                i = (i + 1) & mask
            }
        }

        /// The current state and safety stock of `cell`.
        @inline(__always)
        public func state(_ cell: CellID) -> (state: CellState, safetyStock: Int64) {
            let c = cells.pointer(at: Int(cell))
            return (c.snapshot(), Int64(c.pointee.safetyStock.load(ordering: .relaxed)))
        }

        /// The available units of `cell`.
        @inline(__always)
        public func available(_ cell: CellID) -> Int64 { cells.pointer(at: Int(cell)).available }

        /// Network-wide availability of `sku`: the sum of its cells' available, saturating.
        /// - Complexity: O(cells of the sku).
        @inline(__always)
        public func available(sku: UInt32) -> Int64 {
            var total: Int64 = 0
            var next = head(of: sku)
            while next != 0 {
                let c = cells.pointer(at: Int(next - 1))
                total = Quantity.saturatingAdd(total, c.available)
                next = c.pointee.nextInSku
            }
            return total
        }

        /// Availability of `sku` summed over the locations in `set`.
        /// - Complexity: O(cells of the sku).
        public func available(sku: UInt32, in set: LocationSet) -> Int64 {
            var total: Int64 = 0
            var next = head(of: sku)
            while next != 0 {
                let c = cells.pointer(at: Int(next - 1))
                if set.contains(c.pointee.location) { total = Quantity.saturatingAdd(total, c.available) }
                next = c.pointee.nextInSku
            }
            return total
        }

        /// Reserves `qty` units of `cell` if available; returns nil on success, else the
        /// available count.
        @inline(__always)
        public func hold(_ cell: CellID, qty: Int64) -> Int64? {
            let c = cells.pointer(at: Int(cell))
            let refused = c.pointee.hold(qty, expected: c.snapshot())
            if refused == nil { changes.mark(c.pointee.sku) }
            return refused
        }

        /// Returns `qty` reserved units of `cell` to available.
        @inline(__always)
        public func release(_ cell: CellID, qty: Int64) {
            let c = cells.pointer(at: Int(cell))
            c.pointee.release(qty)
            changes.mark(c.pointee.sku)
        }

        @inline(__always)
        static func slot(sku: UInt32, location: UInt32) -> Int {
            Int(truncatingIfNeeded: ByteHash.fold(UInt64(sku) << 32 | UInt64(location), ByteHash.p1))
        }
    }
}
