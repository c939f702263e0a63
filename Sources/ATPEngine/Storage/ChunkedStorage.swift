import Synchronization

/// Append-only storage whose elements never move: fixed-size chunks reached through a directory
/// that is allocated once.
///
/// An element's address stays valid for the storage's lifetime, so atomics can live inside
/// elements and readers can hold plain pointers to them.
///
/// Thread-safety: `append` must be serialized by the caller (one writer at a time). `pointer(at:)`
/// may be called from any thread for an index the caller learned through an acquiring load of
/// something published after the append (a release store); that ordering makes the element and
/// its chunk visible. `count` may be read from any thread.
public final class ChunkedStorage<Element: ~Copyable>: @unchecked Sendable {
    /// Element addressing without the class: a trivial struct of a pointer and two numbers, so hot
    /// paths can hold it in registers and no reference count is touched. Valid while the storage
    /// lives.
    public struct View: @unchecked Sendable {
        @usableFromInline let directory: UnsafeMutablePointer<UnsafeMutablePointer<Element>?>
        @usableFromInline let shift: Int
        @usableFromInline let mask: Int

        /// The stable address of element `index` (see `ChunkedStorage`'s thread-safety note).
        /// - Complexity: O(1).
        @inlinable @inline(__always)
        public func pointer(at index: Int) -> UnsafeMutablePointer<Element> {
            directory[index >> shift].unsafelyUnwrapped + (index & mask)
        }
    }

    /// log2 of the number of elements per chunk.
    let chunkShift: Int
    let chunkMask: Int
    let directory: UnsafeMutablePointer<UnsafeMutablePointer<Element>?>
    /// Addressing for hot paths.
    public let view: View
    private let maxChunks: Int
    private let counter = Atomic<Int>(0)

    /// - Parameters:
    ///   - chunkShift: log2 of the elements per chunk (16 → 65,536).
    ///   - maxElements: the capacity; the directory is sized for it up front (8 bytes a chunk).
    public init(chunkShift: Int = 16, maxElements: Int = 1 << 32) {
        self.chunkShift = chunkShift
        self.chunkMask = (1 << chunkShift) - 1
        self.maxChunks = (maxElements + chunkMask) >> chunkShift
        directory = .allocate(capacity: maxChunks)
        directory.initialize(repeating: nil, count: maxChunks)
        view = View(directory: directory, shift: chunkShift, mask: chunkMask)
    }

    deinit {
        let total = counter.load(ordering: .acquiring)
        var chunk = 0
        while chunk << chunkShift < total {
            let base = directory[chunk]!
            let inChunk = min(total - (chunk << chunkShift), 1 << chunkShift)
            base.deinitialize(count: inChunk)
            base.deallocate()
            chunk += 1
        }
        directory.deallocate()
    }

    /// The number of elements appended so far.
    public var count: Int { counter.load(ordering: .acquiring) }

    /// The largest number of elements this storage can hold.
    public var capacity: Int { maxChunks << chunkShift }

    /// Appends `element` and returns its index, or nil when the storage is full.
    /// - Complexity: O(1); allocates one chunk every 2^chunkShift appends.
    public func append(_ element: consuming Element) -> Int? {
        let index = counter.load(ordering: .relaxed)
        let chunk = index >> chunkShift
        guard chunk < maxChunks else { return nil }
        if directory[chunk] == nil {
            directory[chunk] = .allocate(capacity: 1 << chunkShift)
        }
        (directory[chunk]! + (index & chunkMask)).initialize(to: element)
        counter.store(index + 1, ordering: .releasing)
        return index
    }

    /// The stable address of element `index` (see the type's thread-safety note).
    /// - Complexity: O(1).
    @inline(__always)
    public func pointer(at index: Int) -> UnsafeMutablePointer<Element> { view.pointer(at: index) }

    /// Bytes allocated for chunks (excluding the directory).
    public var allocatedBytes: Int {
        let chunks = (count + chunkMask) >> chunkShift
        return chunks * (MemoryLayout<Element>.stride << chunkShift)
    }
}
