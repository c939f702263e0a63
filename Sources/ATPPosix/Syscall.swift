import CLinux
import Glibc

/// An errno from a failed system call, named by the call that failed.
///
/// Thread-safety: a value type.
public struct SystemError: Error, Hashable, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }

    /// Whether the call timed out (`ETIMEDOUT`).
    public var isTimedOut: Bool { errno == ETIMEDOUT }
}

/// What a non-blocking call did: done with a result, or would have blocked.
public enum IOResult<T> {
    case done(T)
    case wouldBlock
}

/// Thin wrappers over the system calls the server uses: each retries `EINTR`, maps
/// `EAGAIN`/`EWOULDBLOCK` to `.wouldBlock` where blocking is possible, and turns every other errno
/// into a `SystemError` (the shape of swift-nio's `System.swift`).
///
/// Thread-safety: stateless; safe from any thread.
public enum Syscall {
    /// Runs `body` until it stops failing with EINTR — the one EINTR loop of atpd. Returns its
    /// result and 0, or -1 and the errno of its failure. `body` runs again after each
    /// interruption, so a timeout it computes is recomputed.
    /// - Complexity: one call to `body`, plus one per interruption.
    @inline(__always)
    public static func retryingInterrupts(_ body: () -> Int) -> (result: Int, errno: Int32) {
        while true {
            let result = body()
            if result >= 0 { return (result, 0) }
            let code = Glibc.errno
            if code != EINTR { return (-1, code) }
        }
    }

    /// Runs `body` until it stops failing with EINTR; a negative result throws.
    @inline(__always)
    public static func retrying(_ call: StaticString, _ body: () -> Int) throws(SystemError) -> Int {
        let (result, code) = retryingInterrupts(body)
        if code != 0 { throw SystemError("\(call)", errno: code) }
        return result
    }

    /// Like `retrying`, but EAGAIN becomes `.wouldBlock`.
    @inline(__always)
    public static func nonBlocking(_ call: StaticString, _ body: () -> Int) throws(SystemError) -> IOResult<
        Int
    > {
        let (result, code) = retryingInterrupts(body)
        if code == 0 { return .done(result) }
        if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
        throw SystemError("\(call)", errno: code)
    }

    /// Waits in `poll(2)` until `fd` has one of `events` (`PollEvents`) or the monotonic `deadline`
    /// (nanoseconds, see `MonotonicClock`) passes; an interruption waits again for the time that
    /// is left.
    /// - Returns: the ready events (POLLHUP and POLLERR included), or nil when the deadline passed.
    public static func poll(_ fd: Int32, for events: Int16, until deadline: Int64) throws(SystemError)
        -> Int16?
    {
        var poller = pollfd(fd: fd, events: events, revents: 0)
        let ready = try retrying("poll") {
            let remaining = deadline - MonotonicClock.now()
            guard remaining > 0 else { return 0 }
            return Int(Glibc.poll(&poller, 1, Int32(clamping: (remaining + 999_999) / 1_000_000)))
        }
        return ready > 0 ? poller.revents : nil
    }

    /// Like `poll(_:for:until:)` with a deadline `milliseconds` from now (negative: none).
    public static func poll(_ fd: Int32, for events: Int16, withinMilliseconds milliseconds: Int)
        throws(SystemError) -> Int16?
    {
        try poll(fd, for: events, until: MonotonicClock.deadline(afterMilliseconds: milliseconds))
    }

    /// Whether `fd` has one of `events` right now (`poll(2)` with a zero timeout); also true when
    /// `poll` fails, as the descriptor is then of no use.
    public static func isReady(_ fd: Int32, for events: Int16) -> Bool {
        var poller = pollfd(fd: fd, events: events, revents: 0)
        return retryingInterrupts { Int(Glibc.poll(&poller, 1, 0)) }.result != 0
    }

    public static func read(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer) throws(SystemError)
        -> IOResult<Int>
    {
        try nonBlocking("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    public static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemError) -> IOResult<
        Int
    > {
        try nonBlocking("write") { Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Accepts one connection as a non-blocking, close-on-exec socket.
    public static func accept(_ fd: Int32) throws(SystemError) -> IOResult<Int32> {
        switch try nonBlocking("accept4", { Int(atpd_accept_nonblocking(fd)) }) {
        case .done(let client): return .done(Int32(client))
        case .wouldBlock: return .wouldBlock
        }
    }

    /// Closes `fd`; errors other than EINTR are ignored, as nothing can be done about them.
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    public static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32)
        throws(SystemError)
    {
        var value = value
        _ = try retrying("setsockopt") {
            Int(setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)))
        }
    }
}

/// The poll(2) event bits by name, for `Syscall.poll` and `Syscall.isReady`, so that callers need
/// not import Glibc.
///
/// Thread-safety: constants. Complexity: each folds to its C constant (inlinable).
public enum PollEvents {
    /// `POLLIN`: readable, or end of stream.
    @inlinable public static var readable: Int16 { Int16(POLLIN) }
    /// `POLLOUT`: writable.
    @inlinable public static var writable: Int16 { Int16(POLLOUT) }
    /// `POLLHUP`: hung up (always reported).
    @inlinable public static var hangUp: Int16 { Int16(POLLHUP) }
    /// `POLLERR`: an error is pending (always reported).
    @inlinable public static var error: Int16 { Int16(POLLERR) }
}
