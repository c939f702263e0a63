import ATPPosix
import ATPUtilities

/// One blocking HTTP/1.1 keep-alive connection to a server, for a thread that is not an event loop
/// (channel push, load harness).
///
/// The socket is non-blocking underneath: every read and write first waits in `poll(2)` for at
/// most the time left, so `send` never blocks longer than the write timeout (for the request)
/// plus the read timeout (for the response). In a pipelined batch each response has the read
/// timeout, counted from when the previous one was complete. While a
/// request is being written the connection also reads whatever the server sends, so an early
/// answer (say a 413 before the body was taken) or a pipelined batch cannot deadlock.
/// After any error, a response that closes the connection, or stray bytes after a response, the
/// connection is closed and `isOpen` is false. The request buffer and read buffer are kept across
/// requests; each response allocates only its body and header array.
/// Thread-safety: not thread-safe; use from one thread at a time.
public final class HTTPClientConnection {
    public let address: SocketAddress
    /// The `Host` header sent when a request has none of its own.
    public var hostHeader: String
    /// How long each response may take to arrive in full, counted from when the request was
    /// written (in a pipelined batch, from when the previous response was complete).
    public var readTimeoutMilliseconds: Int
    /// How long a request (or a pipelined batch) may take to be written.
    public var writeTimeoutMilliseconds: Int
    /// The largest response body accepted (`bodyTooLarge` beyond it).
    public var maxResponseBodyBytes: Int {
        get { parser.maxBodyBytes }
        set { parser.maxBodyBytes = newValue }
    }
    /// False once the connection has been closed, by `close`, an error or the server.
    public var isOpen: Bool { fd >= 0 }

    private var fd: Int32
    private var input = ReadBuffer(capacity: 16 * 1024)
    private var output: [UInt8] = []
    private var parser = HTTPResponseParser()
    /// The server has closed its side; what is buffered in `input` is all there is.
    private var peerClosed = false
    /// Whether any byte arrived since the current `send` began writing (for stale-connection retry).
    private(set) var receivedResponseBytes = false

    /// Connects to `address`.
    /// - Throws: `connectFailed` with the errno (ETIMEDOUT after `connectTimeoutMilliseconds`).
    public init(
        to address: SocketAddress, hostHeader: String? = nil, connectTimeoutMilliseconds: Int = 2_000,
        readTimeoutMilliseconds: Int = 10_000, writeTimeoutMilliseconds: Int = 10_000
    ) throws(HTTPClientError) {
        do {
            fd = try TCPSocket.connect(
                to: address, timeoutMilliseconds: Int32(clamping: connectTimeoutMilliseconds))
        } catch {
            throw .connectFailed(errno: error.errno)
        }
        self.address = address
        self.hostHeader = hostHeader ?? address.description
        self.readTimeoutMilliseconds = readTimeoutMilliseconds
        self.writeTimeoutMilliseconds = writeTimeoutMilliseconds
        output.reserveCapacity(1024)
    }

    deinit { close() }

    /// Closes the socket; later sends throw `connectionClosed`.
    public func close() {
        guard fd >= 0 else { return }
        Syscall.close(fd)
        fd = -1
    }

    /// Sends `request` and reads its response.
    /// - Throws: `invalidRequest` (nothing sent, the connection stays usable), `timedOut`,
    ///   `connectionClosed`, `malformedResponse` or `bodyTooLarge` (the connection is closed).
    /// - Complexity: O(request + response size).
    public func send(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
        output.removeAll(keepingCapacity: true)
        try request.serialize(defaultHost: hostHeader, into: &output)
        return try exchange(methods: CollectionOfOne(request.method))[0]
    }

    /// Writes all of `requests` at once (pipelining), then reads their responses in order.
    /// - Throws: as `send`; when the server closes the connection after some of the responses,
    ///   `connectionClosed` (the earlier responses are lost with it).
    /// - Complexity: O(total request + response size).
    public func sendPipelined(_ requests: [HTTPClientRequest]) throws(HTTPClientError) -> [HTTPClientResponse]
    {
        output.removeAll(keepingCapacity: true)
        for request in requests { try request.serialize(defaultHost: hostHeader, into: &output) }
        return try exchange(methods: requests.lazy.map(\.method))
    }

    /// True when an idle connection is still usable: open, and nothing (no bytes, no end of
    /// stream) has arrived since its last response. Closes it otherwise. One `poll` call.
    func isReusable() -> Bool {
        guard fd >= 0 else { return false }
        if !peerClosed && input.isEmpty && !Syscall.isReady(fd, for: PollEvents.readable) { return true }
        close()
        return false
    }

    // MARK: Exchange

    /// Writes `output`, then reads one response per method; closes the connection on any error.
    private func exchange<Methods: Collection<HTTPMethod>>(methods: Methods) throws(HTTPClientError)
        -> [HTTPClientResponse]
    {
        guard fd >= 0 else { throw .connectionClosed }
        receivedResponseBytes = !input.isEmpty
        do throws(HTTPClientError) {
            let wroteAll = try writeOutput(pending: methods.count)
            var responses: [HTTPClientResponse] = []
            responses.reserveCapacity(methods.count)
            for method in methods {
                responses.append(try readResponse(method: method))
                if responses.last!.closesConnection && responses.count < methods.count {
                    throw .connectionClosed
                }
            }
            if responses.last?.closesConnection ?? false || !wroteAll || !input.isEmpty || peerClosed {
                close()  // the server is done with it, took only part of the request, or sent stray bytes
            } else {
                input.shrinkIfIdle(to: 16 * 1024)
            }
            if output.capacity > 1 << 20 { output = [] }
            return responses
        } catch {
            close()
            throw error
        }
    }

    /// Writes all of `output` within the write timeout, reading what arrives meanwhile.
    /// - Returns: false when the server hung up or failed the write before taking everything; its
    ///   answer, if it sent one, is then in `input` or still in the socket.
    private func writeOutput(pending: Int) throws(HTTPClientError) -> Bool {
        let deadline = Self.deadline(after: writeTimeoutMilliseconds)
        // What may be buffered unread while writing: every pending response at its largest.
        let (perResponse, overflow1) = parser.maxHeadBytes.addingReportingOverflow(parser.maxBodyBytes)
        let (total, overflow2) = perResponse.multipliedReportingOverflow(by: pending)
        let readCap = overflow1 || overflow2 ? Int.max : total
        var written = 0
        while written < output.count {
            let result: IOResult<Int>
            do {
                result = try output.withUnsafeBytes { all throws(SystemError) in
                    try Syscall.write(fd, UnsafeRawBufferPointer(rebasing: all[written...]))
                }
            } catch {
                return false  // EPIPE, ECONNRESET: reading tells whether the server answered first
            }
            if case .done(let n) = result {
                written += n
                continue
            }
            let canRead = !peerClosed && input.count < readCap
            let events = try wait(
                for: PollEvents.writable | (canRead ? PollEvents.readable : 0), until: deadline)
            if canRead && events & PollEvents.readable != 0 && events & PollEvents.writable == 0 {
                try readOnce()
                // The server answered or hung up before taking the whole request: read what it said.
                if peerClosed { return false }
            }
        }
        return true
    }

    /// Reads one response, within the read timeout.
    private func readResponse(method: HTTPMethod) throws(HTTPClientError) -> HTTPClientResponse {
        let deadline = Self.deadline(after: readTimeoutMilliseconds)
        parser.begin(method: method)
        while true {
            let used = try parser.consume(input.readable)
            input.consume(used)
            if parser.isComplete { return parser.takeResponse() }
            if peerClosed {
                try parser.endOfStream()
                return parser.takeResponse()
            }
            // Also checked here, for a server that never stops sending (say, endless 1xx heads).
            guard MonotonicClock.now() < deadline else { throw .timedOut }
            while try !readOnce() { _ = try wait(for: PollEvents.readable, until: deadline) }
        }
    }

    /// One non-blocking read into `input`; false when nothing was there. Sets `peerClosed` at
    /// the end of the stream.
    /// - Throws: `connectionClosed` when the connection was reset.
    @discardableResult
    private func readOnce() throws(HTTPClientError) -> Bool {
        let result: IOResult<Int>
        do {
            result = try input.read(from: fd, atMost: 64 * 1024)
        } catch {
            throw .connectionClosed
        }
        guard case .done(let n) = result else { return false }
        if n == 0 { peerClosed = true } else { receivedResponseBytes = true }
        return true
    }

    /// Waits in `poll` until `events` are ready or `deadline` passes.
    /// - Returns: the ready events (including POLLHUP and POLLERR, which the caller's next read or
    ///   write turns into an error or end of stream).
    private func wait(for events: Int16, until deadline: Int64) throws(HTTPClientError) -> Int16 {
        let ready: Int16?
        do {
            ready = try Syscall.poll(fd, for: events, until: deadline)
        } catch {
            throw .connectionClosed
        }
        guard let ready else { throw .timedOut }
        return ready
    }

    private static func deadline(after milliseconds: Int) -> Int64 {
        MonotonicClock.now() + Int64(clamping: milliseconds) * 1_000_000
    }
}
