import CLinux
import Glibc

/// An epoll instance (epoll(7)) and the buffer its ready events are returned in: the readiness
/// wait of both the server's `EventLoop` and atp-load's drivers.
///
/// Each registration carries a 64-bit `data` word the caller chooses (a descriptor, an index),
/// handed back with its ready events.
/// Thread-safety: one owner thread; `epoll_ctl` itself may be called from any thread.
public final class Epoll {
    /// The ready events of the last `wait`, valid for the count it returned.
    public let events: UnsafeMutableBufferPointer<epoll_event>
    private let fd: Int32
    /// False once `epoll_pwait2` was found missing (kernels before 5.11).
    private var canWaitPrecisely = true

    /// A close-on-exec epoll instance returning at most `maxEvents` events per wait.
    public init(maxEvents: Int) throws(SystemError) {
        fd = try Int32(Syscall.retrying("epoll_create1") { Int(epoll_create1(Int32(EPOLL_CLOEXEC))) })
        events = .allocate(capacity: maxEvents)
    }

    deinit {
        events.deallocate()
        Syscall.close(fd)
    }

    /// Watches `descriptor` for `mask` (`EpollEvents`), reporting `data` with its events.
    /// - Complexity: one system call.
    public func add(_ descriptor: Int32, events mask: UInt32, data: UInt64) throws(SystemError) {
        try control(EPOLL_CTL_ADD, descriptor, mask, data, "epoll_ctl(ADD)")
    }

    /// Changes what a watched `descriptor` is watched for. - Complexity: one system call.
    public func modify(_ descriptor: Int32, events mask: UInt32, data: UInt64) throws(SystemError) {
        try control(EPOLL_CTL_MOD, descriptor, mask, data, "epoll_ctl(MOD)")
    }

    /// Stops watching `descriptor` (closing it does so too). - Complexity: one system call.
    public func remove(_ descriptor: Int32) {
        _ = epoll_ctl(fd, EPOLL_CTL_DEL, descriptor, nil)
    }

    /// Waits up to `timeoutMilliseconds` (-1: no limit) for ready events; returns how many are in
    /// `events`, 0 on a timeout or when a signal interrupted the wait (the caller's loop then
    /// recomputes its timeout).
    public func wait(timeoutMilliseconds: Int32) -> Int {
        max(0, Int(epoll_wait(fd, events.baseAddress, Int32(events.count), timeoutMilliseconds)))
    }

    /// Like `wait(timeoutMilliseconds:)`, with nanosecond precision (`epoll_pwait2`; rounded up to
    /// milliseconds on kernels before 5.11).
    public func wait(timeoutNanoseconds: Int64) -> Int {
        let timeout = max(0, timeoutNanoseconds)
        if canWaitPrecisely {
            var precise = timespec(
                tv_sec: Int(timeout / 1_000_000_000), tv_nsec: Int(timeout % 1_000_000_000))
            let ready = epoll_pwait2(fd, events.baseAddress, Int32(events.count), &precise, nil)
            if ready >= 0 { return Int(ready) }
            if errno != ENOSYS { return 0 }
            canWaitPrecisely = false
        }
        return wait(timeoutMilliseconds: Int32(clamping: (timeout + 999_999) / 1_000_000))
    }

    private func control(
        _ operation: Int32, _ descriptor: Int32, _ mask: UInt32, _ data: UInt64, _ call: StaticString
    )
        throws(SystemError)
    {
        var event = epoll_event(events: mask, data: epoll_data_t(u64: data))
        _ = try Syscall.retrying(call) { Int(epoll_ctl(fd, operation, descriptor, &event)) }
    }
}

/// The epoll event bits (epoll_ctl(2)) by name, so that callers need not import CLinux: combine
/// them with `|` for `Epoll.add`/`modify` and `EventLoop.register`, test a fired mask with `&`.
///
/// Thread-safety: constants. Complexity: each folds to its C constant (inlinable).
public enum EpollEvents {
    /// `EPOLLIN`: readable, or end of stream.
    @inlinable public static var readable: UInt32 { EPOLLIN.rawValue }
    /// `EPOLLOUT`: writable.
    @inlinable public static var writable: UInt32 { EPOLLOUT.rawValue }
    /// `EPOLLHUP`: hung up (always reported, need not be asked for).
    @inlinable public static var hangUp: UInt32 { EPOLLHUP.rawValue }
    /// `EPOLLERR`: an error is pending (always reported, need not be asked for).
    @inlinable public static var error: UInt32 { EPOLLERR.rawValue }
    /// `EPOLLEXCLUSIVE`: of the epoll instances watching one descriptor this way, wake one.
    @inlinable public static var exclusive: UInt32 { EPOLLEXCLUSIVE.rawValue }
}
