import Synchronization

/// One interned key: its bytes (in the table's arena), a hash tag, and a payload word that the
/// owner of the table uses (the inventory keeps a sku's first cell there).
struct InternedKey: ~Copyable {
    let bytes: UnsafePointer<UInt8>
    let length: UInt32
    let payload: Atomic<UInt32>
}

/// Interns byte strings to dense ids (0, 1, 2, …) with lock-free lookups.
///
/// Lookups probe an open-addressed array of 64-bit slots (hash tag in the high half, id + 1 in the
/// low half) and compare the key bytes; inserts take a mutex, and when the array passes half full
/// they build one twice the size and publish it with a release store. Retired arrays are kept
/// until the table is freed, so a reader never sees freed memory (their total is at most the size
/// of the live array).
///
/// Thread-safety: all methods may be called from any thread. `find` and `payload` never block.
/// - Complexity: `find` is O(key length) expected; `intern` amortized O(key length).
public final class StringTable: @unchecked Sendable {
    private let entries = ChunkedStorage<InternedKey>(chunkShift: 14)
    /// Slot 0 holds the capacity; slots 1...capacity are the index.
    private let index: Atomic<UnsafeMutablePointer<Atomic<UInt64>>>
    private let writer: Mutex<Writer>
    /// The longest key accepted by `intern`.
    public let maxKeyLength: Int

    /// The insert side: only touched with `writer` locked.
    private struct Writer: ~Copyable, @unchecked Sendable {
        var arena = ByteArena()
        var retired: [UnsafeMutablePointer<Atomic<UInt64>>] = []
    }

    public init(maxKeyLength: Int = 1024, initialCapacity: Int = 1024) {
        self.maxKeyLength = maxKeyLength
        index = Atomic(Self.makeIndex(capacity: initialCapacity))
        writer = Mutex(Writer())
    }

    deinit {
        let live = index.load(ordering: .acquiring)
        writer.withLock { w in
            for table in w.retired + [live] { Self.freeIndex(table) }
        }
    }

    /// Number of interned keys.
    public var count: Int { entries.count }

    /// The id of `key`, or nil when it was never interned.
    @inline(__always)
    public func find(_ key: UnsafeRawBufferPointer) -> UInt32? {
        find(key, hash: ByteHash.hash(key))
    }

    /// The id of `key`, or nil when it was never interned.
    public func find(_ key: String) -> UInt32? {
        var key = key
        return key.withUTF8 { find(UnsafeRawBufferPointer($0)) }
    }

    /// The id of `key`, interning it first if needed; nil when the key is longer than
    /// `maxKeyLength` or the table is full.
    public func intern(_ key: UnsafeRawBufferPointer) -> UInt32? {
        guard key.count <= maxKeyLength else { return nil }
        let hash = ByteHash.hash(key)
        if let id = find(key, hash: hash) { return id }
        return writer.withLock { w -> UInt32? in
            if let id = find(key, hash: hash) { return id }
            guard entries.count < Int(UInt32.max - 1) else { return nil }
            let stored = w.arena.store(key)
            let key = InternedKey(bytes: stored, length: UInt32(key.count), payload: Atomic(0))
            guard let id = entries.append(key) else { return nil }
            var table = index.load(ordering: .relaxed)
            if (id + 1) * 2 > Self.capacity(of: table) {
                let grown = Self.makeIndex(capacity: Self.capacity(of: table) * 2)
                for old in 0..<id { Self.insert(id: old, hash: hashOfEntry(old), into: grown) }
                w.retired.append(table)
                index.store(grown, ordering: .releasing)
                table = grown
            }
            Self.insert(id: id, hash: hash, into: table)
            return UInt32(id)
        }
    }

    /// Interns the UTF-8 bytes of `key`.
    public func intern(_ key: String) -> UInt32? {
        var key = key
        return key.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// The payload word of `id` (the caller's own meaning).
    @inline(__always)
    func payload(_ id: UInt32) -> UnsafeMutablePointer<InternedKey> {
        entries.pointer(at: Int(id))
    }

    /// The key bytes of `id`, valid for the table's lifetime.
    public func bytes(_ id: UInt32) -> UnsafeRawBufferPointer {
        let entry = entries.pointer(at: Int(id))
        return UnsafeRawBufferPointer(start: entry.pointee.bytes, count: Int(entry.pointee.length))
    }

    /// The key of `id` as a String. Allocates.
    public func string(_ id: UInt32) -> String {
        String(decoding: bytes(id), as: UTF8.self)
    }

    /// Bytes held: key bytes, entry records and index arrays (live and retired).
    public var memory: (keyBytes: Int, structures: Int) {
        let live = index.load(ordering: .acquiring)
        return writer.withLock { w in
            let indexes = ([live] + w.retired).reduce(0) { $0 + (Self.capacity(of: $1) + 1) * 8 }
            return (w.arena.storedBytes, entries.allocatedBytes + indexes)
        }
    }

    private func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> UInt32? {
        let table = index.load(ordering: .acquiring)
        let mask = Self.capacity(of: table) - 1
        let tag = hash >> 32
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = table[1 + i].load(ordering: .acquiring)
            if slot == 0 { return nil }
            if slot >> 32 == tag {
                let id = Int(slot & 0xFFFF_FFFF) - 1
                let entry = entries.pointer(at: id)
                if Int(entry.pointee.length) == key.count,
                    Self.equal(entry.pointee.bytes, key)
                {
                    return UInt32(id)
                }
            }
            i = (i + 1) & mask
        }
    }

    private func hashOfEntry(_ id: Int) -> UInt64 {
        ByteHash.hash(bytes(UInt32(id)))
    }

    @inline(__always)
    private static func equal(_ stored: UnsafePointer<UInt8>, _ key: UnsafeRawBufferPointer) -> Bool {
        let n = key.count
        let a = UnsafeRawPointer(stored)
        var i = 0
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                != key.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            {
                return false
            }
            i += 8
        }
        while i < n {
            if stored[i] != key[i] { return false }
            i += 1
        }
        return true
    }

    private static func makeIndex(capacity: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        let table = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: capacity + 1)
        table.initialize(to: Atomic(UInt64(capacity)))
        for i in 1...capacity { (table + i).initialize(to: Atomic(0)) }
        return table
    }

    private static func freeIndex(_ table: UnsafeMutablePointer<Atomic<UInt64>>) {
        table.deinitialize(count: capacity(of: table) + 1)
        table.deallocate()
    }

    @inline(__always)
    private static func capacity(of table: UnsafeMutablePointer<Atomic<UInt64>>) -> Int {
        Int(table[0].load(ordering: .relaxed))
    }

    private static func insert(id: Int, hash: UInt64, into table: UnsafeMutablePointer<Atomic<UInt64>>) {
        let mask = capacity(of: table) - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while table[1 + i].load(ordering: .relaxed) != 0 { i = (i + 1) & mask }
        table[1 + i].store((hash >> 32) << 32 | UInt64(id + 1), ordering: .releasing)
    }
}
