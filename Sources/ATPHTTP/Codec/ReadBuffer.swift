import ATPPosix

/// A growable byte buffer that `read(2)` fills at its end and the parser consumes from its start.
///
/// Storage is one malloc'd block; consumed bytes are reclaimed by moving the unread tail to the
/// front when room is needed, so a connection reuses one block for its whole life.
/// Public for drivers outside this module that run their own epoll loop (the load harness).
/// Thread-safety: none; owned by one connection on one loop thread.
public struct ReadBuffer: ~Copyable {
    private(set) var base: UnsafeMutableRawPointer
    public private(set) var capacity: Int
    private(set) var start = 0
    private(set) var end = 0
    /// The free space the last `read` offered; a read that returned less drained the socket.
    public private(set) var lastRoom = 0

    public init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// The unread bytes; valid until the next mutation.
    public var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + start, count: end - start)
    }
    public var count: Int { end - start }
    public var isEmpty: Bool { start == end }

    /// Marks `n` unread bytes as consumed.
    public mutating func consume(_ n: Int) {
        start += n
        if start == end {
            start = 0
            end = 0
        }
    }

    /// Makes room for at least `free` more bytes after the unread ones.
    /// - Complexity: O(unread bytes) when it compacts or grows, else O(1).
    mutating func reserve(free: Int) {
        if capacity - end >= free { return }
        let unread = end - start
        if start > 0 && capacity - unread >= free {
            (base).copyMemory(from: base + start, byteCount: unread)
        } else {
            var newCapacity = capacity
            while newCapacity - unread < free { newCapacity *= 2 }
            let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            grown.copyMemory(from: base + start, byteCount: unread)
            base.deallocate()
            base = grown
            capacity = newCapacity
        }
        start = 0
        end = unread
    }

    /// Shrinks back to `capacity` bytes when it grew for a large body and is now empty.
    public mutating func shrinkIfIdle(to target: Int) {
        guard start == end, capacity > target else { return }
        base.deallocate()
        base = .allocate(byteCount: target, alignment: 16)
        capacity = target
        start = 0
        end = 0
    }

    /// Reads once from `fd` (non-blocking) into the free space, at most `atMost` bytes;
    /// `.done(0)` means end of stream.
    public mutating func read(from fd: Int32, atMost: Int) throws(SystemError) -> IOResult<Int> {
        reserve(free: min(atMost, 4096))
        let room = UnsafeMutableRawBufferPointer(start: base + end, count: min(capacity - end, atMost))
        lastRoom = room.count
        let result = try Syscall.read(fd, room)
        if case .done(let n) = result { end += n }
        return result
    }
}
