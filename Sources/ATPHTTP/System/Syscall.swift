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
    /// Runs `body` until it stops failing with EINTR; a negative result throws.
    @inline(__always)
    static func retrying(_ call: StaticString, _ body: () -> Int) throws(SystemError) -> Int {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SystemError("\(call)", errno: code)
        }
    }

    /// Like `retrying`, but EAGAIN becomes `.wouldBlock`.
    @inline(__always)
    static func nonBlocking(_ call: StaticString, _ body: () -> Int) throws(SystemError) -> IOResult<Int> {
        while true {
            let result = body()
            if result >= 0 { return .done(result) }
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            throw SystemError("\(call)", errno: code)
        }
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
