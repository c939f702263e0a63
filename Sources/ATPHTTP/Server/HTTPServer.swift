import ATPPosix
import ATPUtilities
import Synchronization

/// An HTTP/1.1 server: one epoll event loop per thread, all accepting from one listening socket
/// (registered with `EPOLLEXCLUSIVE`, so a new connection wakes one loop), keep-alive and
/// pipelining, limits and timeouts from `HTTPServerConfiguration`.
///
/// One socket rather than one `SO_REUSEPORT` socket per loop: with `SO_REUSEPORT` any process of
/// the same user could bind the port too and be handed a share of the connections.
///
/// Thread-safety: `start`, `shutdown` and `wait` may be called from any thread; the responder is
/// called from every loop thread at once.
public final class HTTPServer: Sendable {
    /// Counters every worker shares.
    final class SharedState: Sendable {
        /// Open and refused connections.
        let connections: ConnectionStatistics
        /// Round-robin position for dealing accepted connections out to the loops.
        let nextWorker = Atomic<Int>(0)
        /// Every loop's worker, set once before the loops start.
        nonisolated(unsafe) var workers: [ServerWorker] = []
        /// Set by `shutdown` before it shuts the listening socket down (which wakes the loops with
        /// an accept that fails EINVAL: expected then, not an error to report).
        let stopping = Atomic<Bool>(false)
        /// 8 hex digits that start every generated request id, random per process.
        let requestIDPrefix: [UInt8]
        /// The whole answer to a connection over the limit, rendered once by the responder.
        let connectionLimitRefusal: [UInt8]

        init(responder: HTTPResponder, connections: ConnectionStatistics) {
            self.connections = connections
            connectionLimitRefusal = Self.renderRefusal(responder)
            var random = SystemRandomNumberGenerator()
            let value = UInt32.random(in: .min ... .max, using: &random)
            requestIDPrefix = (0..<8).map { i in
                let nibble = UInt8(truncatingIfNeeded: value >> UInt32(28 - 4 * i)) & 0xF
                return nibble < 10 ? 48 + nibble : 87 + nibble
            }
        }

        /// The 503 for a connection over the limit: the responder's rendering of
        /// `tooManyConnections`, with `Retry-After: 1` and `Connection: close`.
        private static func renderRefusal(_ responder: HTTPResponder) -> [UInt8] {
            var response = HTTPResponse(status: HTTPParseError.tooManyConnections.status)
            responder.renderProtocolError(.tooManyConnections, into: &response)
            var bytes: [UInt8] = []
            HTTPStatus.appendStatusLine(response.status, to: &bytes)
            bytes.appendASCII(response.contentType.headerLine)
            bytes.appendASCII("Content-Length: ")
            bytes.appendDecimal(response.body.count)
            bytes.appendASCII("\r\n")
            bytes.append(contentsOf: response.extraHeaders)
            bytes.appendASCII("Retry-After: 1\r\nConnection: close\r\n\r\n")
            bytes.append(contentsOf: response.body)
            return bytes
        }
    }

    public let configuration: HTTPServerConfiguration
    /// The address actually bound (the kernel's choice when the configured port was 0).
    public let boundAddress: SocketAddress
    private let workers: [ServerWorker]
    private let shared: SharedState
    private let threads = Locked<[JoinableThread]>([])
    private let listener: Int32
    private let listenerClosed = Atomic<Bool>(false)

    /// Binds the listening socket (so the port is known and taken) without serving yet.
    /// - Parameter connections: where the server counts its connections (made by the caller so
    ///   that its reporter need not hold the server).
    public init(
        configuration: HTTPServerConfiguration, responder: HTTPResponder,
        connections: ConnectionStatistics = ConnectionStatistics()
    ) throws(SystemError) {
        self.configuration = configuration
        let shared = SharedState(responder: responder, connections: connections)
        self.shared = shared
        let fd = try TCPSocket.listen(on: configuration.address)
        listener = fd
        do {
            boundAddress = try TCPSocket.localAddress(fd)
            var workers: [ServerWorker] = []
            for index in 0..<max(1, configuration.threads) {
                workers.append(
                    try ServerWorker(
                        index: index, listener: fd, configuration: configuration, responder: responder,
                        shared: shared))
            }
            self.workers = workers
            shared.workers = workers
        } catch {
            Syscall.close(fd)
            throw error
        }
    }

    /// Open client connections across all loops.
    public var openConnections: Int { shared.connections.open.load(ordering: .relaxed) }
    /// Connections refused because `maxConnections` were open.
    public var refusedConnections: Int { shared.connections.refused.load(ordering: .relaxed) }

    /// Starts one thread per loop.
    public func start() {
        threads.withLock { threads in
            for worker in workers {
                let loop = worker.loop
                threads.append(JoinableThread(name: "atp-loop-\(worker.index)") { loop.run() })
            }
        }
    }

    /// Stops accepting and closes idle connections; busy ones finish their request (answered with
    /// `Connection: close`) or are closed after the grace period. Returns at once; see `wait`.
    public func shutdown() {
        // New connections are refused from here on; the descriptor is closed once the loops end.
        shared.stopping.store(true, ordering: .releasing)
        TCPSocket.shutdown(listener, .both)
        for worker in workers {
            worker.loop.execute { worker.beginShutdown() }
        }
    }

    /// Blocks until every loop thread has ended (after `shutdown`).
    public func wait() {
        let joined = threads.withLock { threads -> [JoinableThread] in
            defer { threads = [] }
            return threads
        }
        for thread in joined { thread.join() }
        if !joined.isEmpty { shared.workers = [] }  // the loops have ended: break the cycle
        closeListener()
    }

    deinit { closeListener() }

    private func closeListener() {
        if !listenerClosed.exchange(true, ordering: .relaxed) { Syscall.close(listener) }
    }
}
