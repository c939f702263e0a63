/// Bump allocator for immutable byte strings that live as long as the arena.
///
/// Thread-safety: `store` must be serialized by the caller; the returned pointers may be read
/// from any thread once published with release/acquire ordering.
final class ByteArena: @unchecked Sendable {
    private let blockSize: Int
    private var blocks: [UnsafeMutableRawPointer] = []
    private var used: Int
    private(set) var storedBytes = 0

    init(blockSize: Int = 1 << 20) {
        self.blockSize = blockSize
        self.used = blockSize
    }

    deinit { for block in blocks { block.deallocate() } }

    /// Copies `bytes` into the arena and returns the stable address of the copy.
    /// - Complexity: O(n); allocates a new block when the current one is full.
    func store(_ bytes: UnsafeRawBufferPointer) -> UnsafePointer<UInt8> {
        precondition(bytes.count <= blockSize, "a key longer than an arena block")
        if used + bytes.count > blockSize {
            blocks.append(.allocate(byteCount: blockSize, alignment: 8))
            used = 0
        }
        let target = blocks[blocks.count - 1] + used
        if let base = bytes.baseAddress, bytes.count > 0 {
            target.copyMemory(from: base, byteCount: bytes.count)
        }
        used += bytes.count
        storedBytes += bytes.count
        return UnsafePointer(target.assumingMemoryBound(to: UInt8.self))
    }

    /// Bytes allocated for blocks.
    var allocatedBytes: Int { blocks.count * blockSize }
}
