import ATPPosix
import ATPUtilities

/// A blocking HTTP/1.1 client with a keep-alive connection pool per server address.
///
/// `send` takes an idle connection to the address (the most recently used first, after checking
/// with one `poll` that the server has not closed it meanwhile) or connects a new one, and returns
/// the connection to the pool afterwards unless the response closes it; at most `maxIdlePerHost`
/// idle connections are kept per address, the rest are closed. Connections in use belong to their
/// caller alone, so calls to different or the same address run in parallel without waiting on
/// each other beyond the pool lock.
/// Thread-safety: `Sendable`; every method may be called from any thread at once. The pool is
/// guarded by a pthread mutex (`Locked`), held only to take or put back a connection.
public final class HTTPClient: Sendable {
    public let connectTimeoutMilliseconds: Int
    /// How long a response may take to arrive in full, counted from when its request was written.
    public let readTimeoutMilliseconds: Int
    /// How long writing a request may take.
    public let writeTimeoutMilliseconds: Int
    /// The most idle connections kept open per address.
    public let maxIdlePerHost: Int
    /// The largest response body accepted (`bodyTooLarge` beyond it).
    public let maxResponseBodyBytes: Int

    private let idle = Locked<[SocketAddress: [HTTPClientConnection]]>([:])

    public init(
        connectTimeoutMilliseconds: Int = 2_000, readTimeoutMilliseconds: Int = 10_000,
        writeTimeoutMilliseconds: Int = 10_000, maxIdlePerHost: Int = 8, maxResponseBodyBytes: Int = 8 << 20
    ) {
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.readTimeoutMilliseconds = readTimeoutMilliseconds
        self.writeTimeoutMilliseconds = writeTimeoutMilliseconds
        self.maxIdlePerHost = maxIdlePerHost
        self.maxResponseBodyBytes = maxResponseBodyBytes
    }

    deinit { closeIdleConnections() }

    /// Sends `request` to `address` and returns the response, on a pooled or new connection.
    ///
    /// When a pooled connection turns out to have been closed by the server before any byte of
    /// the response arrived (the server timed out the idle connection just as the request went
    /// out), the request is sent once more on a new connection. It is never resent after a
    /// timeout or after part of a response, nor for a new connection. The server cannot have
    /// answered the first attempt, but may in rare cases (it crashed mid-request) have acted on it:
    /// requests whose repetition matters should carry an idempotency key.
    /// - Throws: `HTTPClientError`; see `HTTPClientConnection.send`.
    /// - Complexity: O(request + response size), plus O(idle connections to `address`) pool work.
    public func send(_ request: HTTPClientRequest, to address: SocketAddress) throws(HTTPClientError)
        -> HTTPClientResponse
    {
        if let connection = checkOut(address) {
            do {
                let response = try connection.send(request)
                checkIn(connection)
                return response
            } catch {
                guard error == .connectionClosed && !connection.receivedResponseBytes else { throw error }
                // Stale keep-alive connection: retry once on a fresh one below.
            }
        }
        let connection = try HTTPClientConnection(
            to: address, connectTimeoutMilliseconds: connectTimeoutMilliseconds,
            readTimeoutMilliseconds: readTimeoutMilliseconds,
            writeTimeoutMilliseconds: writeTimeoutMilliseconds)
        connection.maxResponseBodyBytes = maxResponseBodyBytes
        let response = try connection.send(request)
        checkIn(connection)
        return response
    }

    /// Closes every idle connection (connections in use are closed when their call returns them
    /// and the pool is full, or when they are released).
    public func closeIdleConnections() {
        let all = idle.withLock { pool -> [HTTPClientConnection] in
            defer { pool = [:] }
            return pool.values.flatMap { $0 }
        }
        for connection in all { connection.close() }
    }

    /// How many idle connections the pool holds for `address`.
    public func idleConnectionCount(to address: SocketAddress) -> Int {
        idle.withLock { $0[address]?.count ?? 0 }
    }

    /// The most recently used idle connection to `address` that is still usable, or nil; closes
    /// the stale ones it passes over.
    private func checkOut(_ address: SocketAddress) -> HTTPClientConnection? {
        while let connection = idle.withLock({ $0[address]?.popLast() }) {
            if connection.isReusable() { return connection }
        }
        return nil
    }

    /// Returns `connection` to the pool when it is open and the pool has room; closes it otherwise.
    private func checkIn(_ connection: HTTPClientConnection) {
        guard connection.isOpen else { return }
        let kept = idle.withLock { pool -> Bool in
            guard pool[connection.address, default: []].count < maxIdlePerHost else { return false }
            pool[connection.address, default: []].append(connection)
            return true
        }
        if !kept { connection.close() }
    }
}
