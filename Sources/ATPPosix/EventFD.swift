import CLinux
import Glibc

/// A non-blocking eventfd(2) counter: one thread `signal`s, the thread watching the descriptor in
/// its epoll set wakes and `drain`s it.
///
/// Thread-safety: `signal` from any thread; `drain` from the watching thread.
/// Complexity: one system call each.
public struct EventFD: Sendable {
    /// The descriptor to watch for EPOLLIN.
    public let fd: Int32

    /// A non-blocking, close-on-exec eventfd starting at 0.
    public init() throws(SystemError) {
        fd = try Int32(Syscall.retrying("eventfd") { Int(eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))) })
    }

    /// Adds one to the counter, making the descriptor readable.
    public func signal() {
        var one: UInt64 = 1
        _ = Glibc.write(fd, &one, 8)
    }

    /// Resets the counter to 0, so the descriptor is no longer readable.
    public func drain() {
        var count: UInt64 = 0
        _ = Glibc.read(fd, &count, 8)
    }

    /// Closes the descriptor; call once, when nobody signals any more.
    public func close() { Syscall.close(fd) }
}
