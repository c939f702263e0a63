import Glibc

/// Creating, binding and connecting TCP sockets.
///
/// Thread-safety: stateless; safe from any thread.
public enum TCPSocket {
    /// A non-blocking listening socket bound to `address` (`SO_REUSEADDR`, so a restart can bind
    /// while old connections linger in TIME_WAIT).
    public static func listen(on address: SocketAddress, backlog: Int32 = 1024) throws(SystemError)
        -> Int32
    {
        let fd = try socket()
        do {
            try Syscall.setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            var raw = address.sockaddr
            _ = try Syscall.retrying("bind") {
                Int(
                    withUnsafePointer(to: &raw) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    })
            }
            _ = try Syscall.retrying("listen") { Int(Glibc.listen(fd, backlog)) }
            return fd
        } catch {
            Syscall.close(fd)
            throw error
        }
    }

    /// The address a socket is bound to (to learn the port the kernel chose for port 0).
    public static func localAddress(_ fd: Int32) throws(SystemError) -> SocketAddress {
        var raw = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = try Syscall.retrying("getsockname") {
            Int(
                withUnsafeMutablePointer(to: &raw) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
                })
        }
        return SocketAddress(ipv4: raw.sin_addr.s_addr, port: UInt16(bigEndian: raw.sin_port))
    }

    /// A connected, non-blocking socket, or an error when `address` does not answer within
    /// `timeoutMilliseconds`.
    public static func connect(to address: SocketAddress, timeoutMilliseconds: Int32) throws(SystemError)
        -> Int32
    {
        let (fd, inProgress) = try beginConnect(to: address)
        if inProgress {
            // A negative timeout waits for good, as poll(2)'s does.
            let deadline = MonotonicClock.deadline(afterMilliseconds: Int(timeoutMilliseconds))
            let code: Int32
            do {
                code =
                    try Syscall.poll(fd, for: PollEvents.writable, until: deadline) == nil
                    ? ETIMEDOUT : connectResult(fd)
            } catch {
                code = error.errno
            }
            if code != 0 {
                Syscall.close(fd)
                throw SystemError("connect", errno: code)
            }
        }
        return fd
    }

    /// Starts connecting a new non-blocking socket to `address` without waiting, for callers
    /// with their own event loop. When `inProgress` is true, wait until the socket is writable
    /// (EPOLLOUT) and then ask `connectResult`; otherwise it is already connected (loopback can
    /// be), with `TCP_NODELAY` set.
    /// - Throws: the `connect` errno when it failed at once (ECONNREFUSED, ...); nothing is left open.
    public static func beginConnect(to address: SocketAddress) throws(SystemError) -> (
        fd: Int32, inProgress: Bool
    ) {
        let fd = try socket()
        var raw = address.sockaddr
        let result = withUnsafePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result == 0 {
            try? setNoDelay(fd)
            return (fd, false)
        }
        let code = errno
        if code == EINPROGRESS || code == EINTR { return (fd, true) }
        Syscall.close(fd)
        throw SystemError("connect", errno: code)
    }

    /// How a connection `beginConnect` left in progress ended, once the socket is writable: 0 when
    /// connected (and then `TCP_NODELAY` is set), else the errno (`SO_ERROR`). The caller closes
    /// the socket on an error. One or two system calls.
    public static func connectResult(_ fd: Int32) -> Int32 {
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0 { return errno }
        if error == 0 { try? setNoDelay(fd) }
        return error
    }

    /// Sets `TCP_NODELAY` (no Nagle delay for small writes). - Complexity: one system call.
    @inlinable
    public static func setNoDelay(_ fd: Int32) throws(SystemError) {
        try Syscall.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Which directions `shutdown` ends.
    public enum ShutdownDirection: Sendable {
        /// `SHUT_RD`: no more reading.
        case reading
        /// `SHUT_WR`: no more writing; the peer reads end of stream (our FIN).
        case writing
        /// `SHUT_RDWR`: both (on a listening socket, wakes and fails threads blocked in accept).
        case both
    }

    /// shutdown(2): ends `direction` of the socket `fd`, which stays open until closed; errors
    /// (ENOTCONN, ...) are ignored, as the callers have nothing to do about them.
    /// - Complexity: one system call.
    @inlinable
    public static func shutdown(_ fd: Int32, _ direction: ShutdownDirection) {
        let how: Int32
        switch direction {
        case .reading: how = Int32(SHUT_RD)
        case .writing: how = Int32(SHUT_WR)
        case .both: how = Int32(SHUT_RDWR)
        }
        _ = Glibc.shutdown(fd, how)
    }

    private static func socket() throws(SystemError) -> Int32 {
        let fd = Glibc.socket(
            AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw SystemError("socket", errno: errno) }
        return fd
    }
}
