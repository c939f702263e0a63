import Synchronization

/// An open-addressed, linearly probed array of atomic slots (0 = empty) that readers probe
/// without locks while one writer inserts.
///
/// It grows by building an array twice the size, re-inserting every value, and publishing the new
/// array with a release store. Replaced arrays are kept until the index is freed, so a reader
/// that loaded one never touches freed memory; together they are smaller than the live array.
///
/// Thread-safety: `reader` from any thread; `insert` serialized by the owner.
final class SlotIndex: @unchecked Sendable {
    typealias Slot = UInt64

    /// Probing without the class: a pointer to the live-array pointer. Valid while the index lives.
    struct Reader: @unchecked Sendable {
        let live: UnsafeMutablePointer<Atomic<UnsafeMutablePointer<Atomic<Slot>>>>

        /// The live array (slot 0 holds the capacity, slots 1...capacity the index).
        @inline(__always)
        var table: UnsafeMutablePointer<Atomic<Slot>> { live.pointee.load(ordering: .acquiring) }

        /// Position mask of `table` (capacity − 1).
        @inline(__always)
        static func mask(_ table: UnsafeMutablePointer<Atomic<Slot>>) -> Int {
            Int(table[0].load(ordering: .relaxed)) - 1
        }

        /// The value at `position` of `table`.
        @inline(__always)
        static func slot(_ table: UnsafeMutablePointer<Atomic<Slot>>, _ position: Int) -> Slot {
            table[1 + position].load(ordering: .acquiring)
        }
    }

    let reader: Reader
    private var retired: [UnsafeMutablePointer<Atomic<Slot>>] = []
    /// Values inserted.
    private(set) var count = 0

    init(capacity: Int) {
        let live = UnsafeMutablePointer<Atomic<UnsafeMutablePointer<Atomic<Slot>>>>.allocate(capacity: 1)
        live.initialize(to: Atomic(Self.makeTable(capacity: capacity)))
        reader = Reader(live: live)
    }

    deinit {
        for table in retired + [reader.table] {
            table.deinitialize(count: Self.capacity(table) + 1)
            table.deallocate()
        }
        reader.live.deinitialize(count: 1)
        reader.live.deallocate()
    }

    /// Inserts `value` (non-zero) probing from `hash`, growing first when the index would pass
    /// half full; `hashOf` gives the probe start of any value already inserted.
    /// - Complexity: O(1) amortized.
    func insert(_ value: Slot, hash: Int, hashOf: (Slot) -> Int) {
        var table = reader.table
        if (count + 1) * 2 > Self.capacity(table) {
            let grown = Self.makeTable(capacity: Self.capacity(table) * 2)
            for position in 0..<Self.capacity(table) {
                let old = table[1 + position].load(ordering: .relaxed)
                if old != 0 { Self.place(old, hash: hashOf(old), in: grown) }
            }
            retired.append(table)
            reader.live.pointee.store(grown, ordering: .releasing)
            table = grown
        }
        Self.place(value, hash: hash, in: table)
        count += 1
    }

    /// Bytes held by the live and retired arrays.
    var bytes: Int {
        (retired + [reader.table]).reduce(0) { $0 + (Self.capacity($1) + 1) * MemoryLayout<Slot>.stride }
    }

    private static func capacity(_ table: UnsafeMutablePointer<Atomic<Slot>>) -> Int {
        Int(table[0].load(ordering: .relaxed))
    }

    private static func makeTable(capacity: Int) -> UnsafeMutablePointer<Atomic<Slot>> {
        let table = UnsafeMutablePointer<Atomic<Slot>>.allocate(capacity: capacity + 1)
        table.initialize(to: Atomic(Slot(capacity)))
        for i in 1...capacity { (table + i).initialize(to: Atomic(0)) }
        return table
    }

    private static func place(_ value: Slot, hash: Int, in table: UnsafeMutablePointer<Atomic<Slot>>) {
        let mask = capacity(table) - 1
        var i = hash & mask
        while table[1 + i].load(ordering: .relaxed) != 0 { i = (i + 1) & mask }
        table[1 + i].store(value, ordering: .releasing)
    }
}
