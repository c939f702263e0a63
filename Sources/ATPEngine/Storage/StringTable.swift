import ATPUtilities
import Synchronization

/// One interned key in 32 bytes: a payload word that the owner of the table uses (the inventory
/// keeps a sku's first cell there), the key's length, and the key itself inline when it is at
/// most 24 bytes (zero-padded), else a pointer to its bytes in the table's arena in `words.0`.
/// Keeping short keys inline saves a cache miss on every lookup.
struct InternedKey: ~Copyable {
    let payload: Atomic<UInt32>
    let length: UInt32
    let words: (UInt64, UInt64, UInt64)

    static let inlineCapacity = 24

    /// The key bytes, valid for the table's lifetime.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if Int(length) > Self.inlineCapacity {
            let pointer = UnsafeRawPointer(bitPattern: UInt(words.0))
            return body(UnsafeRawBufferPointer(start: pointer, count: Int(length)))
        }
        var copy = words
        return withUnsafeBytes(of: &copy) { body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(length)])) }
    }

    /// `key` as three zero-padded little-endian words (only meaningful for short keys).
    @inline(__always)
    static func words(of key: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64) {
        (word(key, 0), word(key, 8), word(key, 16))
    }

    @inline(__always)
    private static func word(_ key: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        let n = key.count - offset
        if n >= 8 { return key.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        var value: UInt64 = 0
        var i = 0
        while i < n {
            value |= UInt64(key[offset + i]) << UInt64(i * 8)
            i += 1
        }
        return value
    }
}

/// Interns byte strings to dense ids (0, 1, 2, …) with lock-free lookups.
///
/// Lookups probe a `SlotIndex` of 64-bit slots (hash tag in the high half, id + 1 in the low half)
/// and compare the key with its entry; inserts take a mutex.
///
/// Thread-safety: all methods may be called from any thread. `find` and `reader` never block.
/// - Complexity: `find` is O(key length) expected; `intern` amortized O(key length).
public final class StringTable: @unchecked Sendable {
    /// Lookups without the class: a trivial struct of pointers, so a lookup touches no reference
    /// count. Valid while the table lives; every method may be called from any thread.
    public struct Reader: @unchecked Sendable {
        let index: SlotIndex.Reader
        let entries: ChunkedStorage<InternedKey>.View

        /// The id of `key`, or nil when it was never interned.
        /// - Complexity: O(key length) expected.
        @inline(__always)
        public func find(_ key: UnsafeRawBufferPointer) -> UInt32? {
            find(key, hash: ByteHash.hash(key))
        }

        @inline(__always)
        func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> UInt32? {
            let table = index.table
            return find(
                key, hash: hash, in: table, firstSlot: SlotIndex.Reader.slot(table, Self.start(hash, table)))
        }

        /// The live index array, for `start` and `find(_:hash:in:firstSlot:)`.
        @inline(__always)
        var table: UnsafeMutablePointer<Atomic<UInt64>> { index.table }

        /// The first slot position that `hash` probes in `table`.
        @inline(__always)
        static func start(_ hash: UInt64, _ table: UnsafeMutablePointer<Atomic<UInt64>>) -> Int {
            Int(truncatingIfNeeded: hash) & SlotIndex.Reader.mask(table)
        }

        /// `find` in two steps for batches: the caller loads `firstSlot` (the value of slot
        /// `start(hash, table)`) for many keys before resolving any, so the loads overlap.
        @inline(__always)
        func find(
            _ key: UnsafeRawBufferPointer, hash: UInt64, in table: UnsafeMutablePointer<Atomic<UInt64>>,
            firstSlot: UInt64
        ) -> UInt32? {
            let mask = SlotIndex.Reader.mask(table)
            let tag = hash >> 32
            let isShort = key.count <= InternedKey.inlineCapacity
            let words = isShort ? InternedKey.words(of: key) : (0, 0, 0)
            var i = Int(truncatingIfNeeded: hash) & mask
            var slot = firstSlot
            while slot != 0 {
                if slot >> 32 == tag {
                    let id = Int(slot & 0xFFFF_FFFF) - 1
                    let entry = entries.pointer(at: id)
                    if Int(entry.pointee.length) == key.count {
                        let stored = entry.pointee.words
                        if isShort {
                            if stored.0 == words.0 && stored.1 == words.1 && stored.2 == words.2 {
                                return UInt32(id)
                            }
                        } else if let pointer = UnsafeRawPointer(bitPattern: UInt(stored.0)),
                            StringTable.equal(pointer, key)
                        {
                            return UInt32(id)
                        }
                    }
                }
                i = (i + 1) & mask
                slot = SlotIndex.Reader.slot(table, i)
            }
            return nil
        }

        /// The entry of `id` (its payload word belongs to the table's owner).
        @inline(__always)
        func entry(_ id: UInt32) -> UnsafeMutablePointer<InternedKey> { entries.pointer(at: Int(id)) }
    }

    private let entries = ChunkedStorage<InternedKey>(chunkShift: 14)
    /// Only touched with `writer` locked.
    private let index: SlotIndex
    private let writer = Locked(Writer())
    /// Lookups for hot paths.
    public let reader: Reader
    /// The longest key accepted by `intern`.
    public let maxKeyLength: Int

    /// The insert side: only touched with `writer` locked.
    private struct Writer {
        var arena = ByteArena()
        /// Key bytes stored inline in entries.
        var inlineBytes = 0
    }

    public init(maxKeyLength: Int = 1024, initialCapacity: Int = 1024) {
        self.maxKeyLength = maxKeyLength
        index = SlotIndex(capacity: initialCapacity)
        reader = Reader(index: index.reader, entries: entries.view)
    }

    /// Number of interned keys.
    public var count: Int { entries.count }

    /// The id of `key`, or nil when it was never interned.
    @inline(__always)
    public func find(_ key: UnsafeRawBufferPointer) -> UInt32? { reader.find(key) }

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
        if let id = reader.find(key, hash: hash) { return id }
        return writer.withLock { w -> UInt32? in
            if let id = reader.find(key, hash: hash) { return id }
            guard entries.count < Int(UInt32.max - 1) else { return nil }
            let words: (UInt64, UInt64, UInt64)
            if key.count > InternedKey.inlineCapacity {
                words = (UInt64(UInt(bitPattern: w.arena.store(key))), 0, 0)
            } else {
                w.inlineBytes += key.count
                words = InternedKey.words(of: key)
            }
            guard
                let id = entries.append(
                    InternedKey(payload: Atomic(0), length: UInt32(key.count), words: words))
            else {
                return nil
            }
            index.insert((hash >> 32) << 32 | UInt64(id + 1), hash: Int(truncatingIfNeeded: hash)) { slot in
                withBytes(UInt32(slot & 0xFFFF_FFFF) - 1) { Int(truncatingIfNeeded: ByteHash.hash($0)) }
            }
            return UInt32(id)
        }
    }

    /// Interns the UTF-8 bytes of `key`.
    public func intern(_ key: String) -> UInt32? {
        var key = key
        return key.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// Calls `body` with the key bytes of `id`.
    public func withBytes<R>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        entries.pointer(at: Int(id)).pointee.withBytes(body)
    }

    /// The key of `id` as a String. Allocates.
    public func string(_ id: UInt32) -> String {
        withBytes(id) { String(decoding: $0, as: UTF8.self) }
    }

    /// Bytes held: the key text (inline in entries or in the arena), and the structures (entry
    /// records less their inline key bytes, and index arrays, live and retired).
    public var memory: (keyBytes: Int, structures: Int) {
        writer.withLock { w in
            (w.arena.storedBytes + w.inlineBytes, entries.allocatedBytes - w.inlineBytes + index.bytes)
        }
    }

    static func equal(_ a: UnsafeRawPointer, _ key: UnsafeRawBufferPointer) -> Bool {
        let n = key.count
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
            if a.load(fromByteOffset: i, as: UInt8.self) != key[i] { return false }
            i += 1
        }
        return true
    }
}
