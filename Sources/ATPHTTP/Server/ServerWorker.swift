import ATPPosix
import ATPUtilities
import Synchronization

/// One event loop's share of a server: its registration on the shared listening socket, its
/// connections, its timers.
///
/// Thread-safety: everything runs on `loop`'s thread, except `loop.execute` callers (deferred
/// completions and shutdown), which hop onto it.
final class ServerWorker: EventHandler, @unchecked Sendable {
    let loop: EventLoop
    let index: Int
    let configuration: HTTPServerConfiguration
    let responder: HTTPResponder
    /// The responder's `indexedHeaders`, read once; every connection's parser shares the array.
    let indexedHeaders: [IndexedHeader]
    let shared: HTTPServer.SharedState
    private var listener: Int32
    private var connections: [UInt64: HTTPConnection] = [:]
    private var nextConnectionID: UInt64 = 0
    private var nextRequestID: UInt64 = 0
    private var dateSecond: Int = -1
    /// `Date: <IMF-fixdate>\r\n`, refreshed when the second changes.
    private(set) var dateHeader: [UInt8] = []
    private var shutdownDeadline: Int64?

    init(
        index: Int, listener: Int32, configuration: HTTPServerConfiguration, responder: HTTPResponder,
        shared: HTTPServer.SharedState
    ) throws(SystemError) {
        self.index = index
        self.listener = listener
        self.configuration = configuration
        self.responder = responder
        indexedHeaders = responder.indexedHeaders
        self.shared = shared
        loop = try EventLoop()
        loop.iterationDidEnd = { [responder] in responder.loopIterationDidEnd() }
        try loop.register(listener, events: Self.acceptEvents, handler: self)
        refreshDate()
        scheduleSweep()
    }

    // MARK: Accepting

    /// Readable, waking one of the loops that share the listening socket.
    private static let acceptEvents = EpollEvents.readable | EpollEvents.exclusive

    /// The listening socket is readable: accept every pending connection.
    func handleEvents(_ events: UInt32) {
        while listener >= 0 {
            let client: Int32
            do {
                guard case .done(let fd) = try Syscall.accept(listener) else { return }
                client = fd
            } catch {
                pauseAccepting(after: error)
                return
            }
            guard shared.connections.open.add(1, ordering: .relaxed).newValue <= configuration.maxConnections
            else {
                shared.connections.open.subtract(1, ordering: .relaxed)
                shared.connections.refused.add(1, ordering: .relaxed)
                refuse(client)
                continue
            }
            try? TCPSocket.setNoDelay(client)
            // One loop wakes for a burst of connections and accepts them all; deal them out in
            // turn so every loop serves its share (as SO_REUSEPORT's hashing would).
            let peers = shared.workers
            let target =
                peers.isEmpty
                ? self : peers[shared.nextWorker.add(1, ordering: .relaxed).newValue % peers.count]
            if target === self {
                adopt(client)
            } else {
                target.loop.execute { [target] in target.adopt(client) }
            }
        }
    }

    /// Serves an accepted connection on this loop (called on this loop's thread).
    private func adopt(_ client: Int32) {
        nextConnectionID += 1
        let connection = HTTPConnection(fd: client, id: nextConnectionID, worker: self)
        do {
            try loop.register(client, events: EpollEvents.readable, handler: connection)
        } catch {
            Syscall.close(client)
            shared.connections.open.subtract(1, ordering: .relaxed)
            return
        }
        connections[connection.id] = connection
    }

    /// accept(2) failed (EMFILE, ENFILE, ENOBUFS, ...): the listening socket stays readable, so
    /// with level-triggered epoll the loop would spin. Stop watching it for 100 ms and report why.
    /// While the server stops, the shut-down socket fails accept: stop watching it, silently.
    private func pauseAccepting(after error: SystemError) {
        guard listener >= 0 else { return }
        if shared.stopping.load(ordering: .acquiring) {
            loop.unregister(listener)
            listener = -1
            return
        }
        configuration.onError?("accept: \(error)")
        loop.unregister(listener)  // EPOLLEXCLUSIVE registrations cannot be modified, only re-added
        loop.schedule(afterMilliseconds: 100) { [unowned self] in
            if listener >= 0 { try? loop.register(listener, events: Self.acceptEvents, handler: self) }
        }
    }

    /// Over the connection cap: the pre-rendered 503, best effort, and close.
    private func refuse(_ fd: Int32) {
        _ = shared.connectionLimitRefusal.withUnsafeBytes { try? Syscall.write(fd, $0) }
        Syscall.close(fd)
    }

    func connectionClosed(_ connection: HTTPConnection) {
        connections[connection.id] = nil
        shared.connections.open.subtract(1, ordering: .relaxed)
        if shutdownDeadline != nil && connections.isEmpty { loop.stop() }
    }

    func completeDeferred(connectionID: UInt64, sequence: UInt64, response: HTTPResponse) {
        connections[connectionID]?.completeDeferred(sequence: sequence, response: response)
    }

    // MARK: Request ids and dates

    /// Copies the client's `X-Request-Id` into `out` when it is 1–128 visible ASCII bytes, else
    /// writes a fresh id: 16 hex digits of loop index and counter after the process prefix.
    func makeRequestID(echoing client: UnsafeRawBufferPointer?, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        if let client, !client.isEmpty, client.count <= 128, client.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            out.append(contentsOf: client)
            return
        }
        out.append(contentsOf: shared.requestIDPrefix)
        nextRequestID &+= 1
        let value = UInt64(index) << 56 | nextRequestID
        for shift in stride(from: 60, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt64(shift)) & 0xF
            out.append(nibble < 10 ? 48 + nibble : 87 + nibble)
        }
    }

    private func refreshDate() {
        let now = RealtimeClock.unixSeconds()
        guard Int(now) != dateSecond else { return }
        dateSecond = Int(now)
        dateHeader.removeAll(keepingCapacity: true)
        dateHeader.appendASCII("Date: ")
        HTTPDate.append(unixSeconds: now, to: &dateHeader)
        dateHeader.appendASCII("\r\n")
    }

    // MARK: Timers

    /// Every 100 ms: refresh the Date header, enforce connection deadlines and stalled writes.
    /// - Complexity: O(connections on this loop) per sweep.
    private func scheduleSweep() {
        loop.schedule(afterMilliseconds: 100) { [unowned self] in
            refreshDate()
            let now = loop.now
            for connection in connections.values {
                if connection.deadlineKind != .none && connection.deadline <= now {
                    connection.deadlinePassed()
                } else if connection.written < connection.output.count
                    && now - connection.lastWriteProgress > configuration.progressTimeoutMilliseconds
                {
                    connection.close()
                }
            }
            if let deadline = shutdownDeadline, now >= deadline {
                for connection in connections.values { connection.close() }
                loop.stop()
            }
            scheduleSweep()
        }
    }

    // MARK: Shutdown

    /// Stops accepting, closes idle connections, lets busy ones finish (on the loop thread).
    func beginShutdown() {
        if listener >= 0 {
            loop.unregister(listener)  // the server closes the shared socket after the loops end
            listener = -1
        }
        shutdownDeadline = loop.now + configuration.shutdownGraceMilliseconds
        for connection in Array(connections.values) {
            connection.draining = true
            if connection.isIdle { connection.close() }
        }
        if connections.isEmpty { loop.stop() }
    }
}
