import ATPHTTP
import ATPPosix
import ATPUtilities
import CLinux
import Glibc

/// The timing of one load thread.
///
/// Closed loop (`intervalNanoseconds` nil): each connection sends its next request as soon as
/// the previous answer arrives; latency is from send to answer. Open loop (wrk2): connection c's
/// request k is due at `firstDue(c) + k × interval`, where interval = connections / rate, and the
/// connections' first dues are spread evenly over one interval; a connection that is early waits
/// for the due time, one that is late (its previous answer came after the due time) sends at once,
/// and the latency is measured from the due time — so a stall in the server shows up as the
/// queueing delay it really causes instead of being hidden by the client waiting politely
/// (coordinated omission).
/// Thread-safety: a value type.
struct DriverPlan: Sendable {
    var index: Int
    /// When load starts, when measuring starts (after the warm-up), and when it ends (monotonic ns).
    var start: Int64
    var measureStart: Int64
    var end: Int64
    /// Open loop: the interval between one connection's requests; nil for closed loop.
    var intervalNanoseconds: Double?
    /// How long a request may take (connect, write and answer) before it counts as a transport
    /// failure and its connection is closed.
    var timeoutNanoseconds: Int64
    var seed: UInt64
}

/// What one thread measured and what its requests did.
struct WorkerResult: Sendable {
    var stats: [LatencyHistogram]
    var statuses: [[UInt64]]
    var ledger: Ledger
}

/// One load thread: a plain epoll loop multiplexing many keep-alive connections, each a state
/// machine (write the request → read the answer → record the latency → next request of its
/// session), one request outstanding per connection (no pipelining across operations).
///
/// Per request it makes one `send` and usually one `read`; the requests started while handling
/// one round of ready events are written together after it; `epoll_pwait2` waits with nanosecond
/// timeouts for the earliest open-loop due time (a timer heap of waiting connections), so the
/// schedule is kept without a sleeping thread per client. Connections that break (reset, closed
/// by the server, malformed answer, timeout) count the outstanding request as a transport
/// failure (status 0) and reconnect, without blocking, for their next request; a failed connect
/// backs that connection off for 10 ms. Timeouts are checked every 20 ms.
///
/// At the end of the run no new request starts — except, in open loop, requests due before the
/// end that a slow server kept back, which are sent at once for up to one request timeout more
/// (their latency still counts from their due time) — and the loop keeps reading until every
/// outstanding request is answered or times out, so that the ledger knows what each one did.
/// Thread-safety: runs on its own thread and owns its connections, sessions, histograms and
/// ledger; it takes a lock only once per second (publishing the second's figures).
/// Complexity: O(1) amortised per request, plus O(log connections) per open-loop wait.
final class EventDriver {
    private let plan: DriverPlan
    private let address: SocketAddress
    private let aggregator: LiveAggregator
    private let connections: [DriverConnection]
    private var random: RandomSource
    private var stats = ThreadStats()
    private var ledger = Ledger()
    /// Connections waiting to send: (wake-up time, connection index).
    private var timers = DeadlineHeap()
    private let epoll: Epoll
    private var outstanding = 0
    /// Connections whose next request is encoded and waits to be written (`flushQueued`).
    private var queued: [DriverConnection] = []
    /// No request starts after this: the end of the run in closed loop; in open loop one request
    /// timeout later, so that a backlog of requests due before the end (behind a slow server)
    /// is still sent and its queueing delay measured, as the schedule demands.
    private let lastStart: Int64

    private static let sweepNanoseconds: Int64 = 20_000_000
    private static let backoffNanoseconds: Int64 = 10_000_000
    private static let readable = EPOLLIN.rawValue
    private static let writable = EPOLLOUT.rawValue

    /// A driver for `connections` (their sockets already connected, or -1 to connect on first use).
    /// - Throws: when the epoll instance cannot be made.
    init(
        plan: DriverPlan, address: SocketAddress, connections: [DriverConnection],
        aggregator: LiveAggregator
    ) throws(LoadError) {
        do {
            epoll = try Epoll(maxEvents: max(16, min(1024, connections.count)))
        } catch {
            throw .target("epoll_create1: \(String(cString: strerror(error.errno)))")
        }
        self.plan = plan
        self.address = address
        self.connections = connections
        self.aggregator = aggregator
        random = RandomSource(seed: plan.seed)
        lastStart = plan.intervalNanoseconds == nil ? plan.end : plan.end + plan.timeoutNanoseconds
    }

    deinit {
        for c in connections { closeSocket(c) }
    }

    /// Runs the load until `plan.end` and the drain after it; returns what was measured.
    func run() -> WorkerResult {
        // Open-loop latency counts from the due time, so a late wake-up would be measured as
        // server latency: ask for 1 µs timer slack instead of the default 50 µs.
        _ = atpd_set_timer_slack(1_000)
        for c in connections where c.fd >= 0 {
            if !watch(c, Self.readable) { closeSocket(c) }
        }
        MonotonicClock.sleep(until: plan.start)
        let start = MonotonicClock.now()
        for c in connections {
            if plan.intervalNanoseconds == nil {
                begin(c, due: start)
            } else if c.firstDue <= start {
                begin(c, due: c.firstDue)
            } else {
                c.pendingDue = c.firstDue
                timers.push(deadline: c.firstDue, id: UInt64(c.index))
            }
        }
        var nextSweep = start + Self.sweepNanoseconds
        while true {
            var now = MonotonicClock.now()
            while let top = timers.min, top.deadline <= now {
                _ = timers.pop()
                let c = connections[Int(top.id)]
                let due = c.pendingDue ?? now
                c.pendingDue = nil
                begin(c, due: due)
                now = MonotonicClock.now()
            }
            if now >= nextSweep {
                sweep(now)
                nextSweep = now + Self.sweepNanoseconds
            }
            if now >= plan.end && outstanding == 0 { break }
            var wake = nextSweep
            if let top = timers.min, top.deadline < wake { wake = top.deadline }
            if now < plan.end && plan.end < wake { wake = plan.end }
            flushQueued()
            let ready = epoll.wait(timeoutNanoseconds: wake - MonotonicClock.now())
            for i in 0..<ready {
                let event = epoll.events[i]
                handle(connections[Int(event.data.u64)], event.events)
            }
        }
        for c in connections { closeSocket(c) }
        stats.flush(to: aggregator)
        return WorkerResult(stats: stats.histograms, statuses: stats.statuses, ledger: ledger)
    }

    // MARK: Requests

    /// Starts the connection's next request, intended for `due`; or retires the connection when
    /// the run is over.
    private func begin(_ c: DriverConnection, due: Int64) {
        let now = MonotonicClock.now()
        guard due < plan.end && now < lastStart else {
            c.state = .finished
            return
        }
        c.slots += 1
        c.due = due
        c.deadline = max(due, now) + plan.timeoutNanoseconds
        let operation = c.session.next(&random)
        c.kind = operation.kind
        c.output.removeAll(keepingCapacity: true)
        c.written = 0
        if c.fd < 0 || c.needsGreeting {
            c.codec.greet(into: &c.output)
            c.needsGreeting = false
        }
        outstanding += 1
        guard c.codec.encode(operation, into: &c.output) else {
            c.notBefore = now + Self.backoffNanoseconds
            complete(c, Outcome(status: 0))
            return
        }
        if c.fd >= 0 {
            // Written with the others after this round of events (see `flushQueued`).
            c.state = .writing
            queued.append(c)
        } else {
            connect(c, now: now)
        }
    }

    /// Writes the requests that this round of events, timers and time-outs started: one burst of
    /// `send`s after all the reading, as wrk does, rather than a `send` (and so a wake-up of the
    /// server, which may preempt this thread) between every two reads.
    private func flushQueued() {
        for c in queued where c.state == .writing && c.written == 0 { flush(c) }
        queued.removeAll(keepingCapacity: true)
    }

    /// Records the answer (or failure) of the outstanding request and moves the session on.
    private func complete(_ c: DriverConnection, _ outcome: Outcome) {
        let now = MonotonicClock.now()
        outstanding -= 1
        c.state = .idle
        if c.due >= plan.measureStart {
            stats.record(
                kind: c.kind, status: outcome.status, latencyMicroseconds: (now - c.due) / 1_000,
                secondIndex: Int((c.due - plan.measureStart) / 1_000_000_000), aggregator: aggregator)
        }
        c.session.complete(outcome, ledger: &ledger)
        scheduleNext(c, now: now)
    }

    private func scheduleNext(_ c: DriverConnection, now: Int64) {
        guard now < lastStart else {
            c.state = .finished
            return
        }
        if let interval = plan.intervalNanoseconds {
            let due = c.firstDue + Int64(Double(c.slots) * interval)
            guard due < plan.end else {
                c.state = .finished
                return
            }
            let wake = max(due, c.notBefore)
            if wake <= now {
                begin(c, due: due)
            } else {
                c.pendingDue = due
                timers.push(deadline: wake, id: UInt64(c.index))
            }
        } else if now >= plan.end {
            c.state = .finished
        } else if c.notBefore > now {
            c.pendingDue = nil
            timers.push(deadline: c.notBefore, id: UInt64(c.index))
        } else {
            begin(c, due: now)
        }
    }

    /// The outstanding request failed in transport: close the socket, count status 0.
    private func fail(_ c: DriverConnection) {
        closeSocket(c)
        complete(c, Outcome(status: 0))
    }

    /// Fails every outstanding request past its deadline.
    private func sweep(_ now: Int64) {
        for c in connections where c.deadline <= now {
            switch c.state {
            case .connecting, .writing, .awaiting: fail(c)
            case .idle, .finished: break
            }
        }
    }

    // MARK: Socket

    private func connect(_ c: DriverConnection, now: Int64) {
        do {
            let (fd, inProgress) = try TCPSocket.beginConnect(to: address)
            c.fd = fd
            guard watch(c, inProgress ? Self.writable : Self.readable) else {
                connectFailed(c, now: now)
                return
            }
            if inProgress {
                c.state = .connecting
            } else {
                flush(c)
            }
        } catch {
            connectFailed(c, now: now)
        }
    }

    private func connectFailed(_ c: DriverConnection, now: Int64) {
        c.notBefore = now + Self.backoffNanoseconds
        fail(c)
    }

    /// Writes what is left of the request; watches EPOLLOUT while the socket is full.
    private func flush(_ c: DriverConnection) {
        while c.written < c.output.count {
            let result: IOResult<Int>
            do {
                result = try c.output.withUnsafeBytes { all throws(SystemError) in
                    try Syscall.write(c.fd, UnsafeRawBufferPointer(rebasing: all[c.written...]))
                }
            } catch {
                fail(c)
                return
            }
            switch result {
            case .done(let n):
                c.written += n
            case .wouldBlock:
                c.state = .writing
                if !watch(c, Self.readable | Self.writable) { fail(c) }
                return
            }
        }
        c.state = .awaiting
        if c.watching != Self.readable && !watch(c, Self.readable) { fail(c) }
    }

    private func handle(_ c: DriverConnection, _ events: UInt32) {
        switch c.state {
        case .connecting:
            let error = TCPSocket.connectResult(c.fd)
            if error != 0 {
                connectFailed(c, now: MonotonicClock.now())
            } else {
                flush(c)
            }
        case .writing, .awaiting:
            if events & (Self.readable | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
                read(c)
                if c.state != .writing { return }
            }
            if events & Self.writable != 0 { flush(c) }
        case .idle, .finished:
            // Unasked-for bytes or the end of the stream on an idle keep-alive connection: the
            // server is done with it. The next request reconnects.
            closeSocket(c)
        }
    }

    /// One read, then as much of the answer as the codec can take.
    private func read(_ c: DriverConnection) {
        let result: IOResult<Int>
        do {
            result = try c.input.read(from: c.fd, atMost: 256 * 1024)
        } catch {
            fail(c)
            return
        }
        guard case .done(let n) = result else { return }
        let step = n == 0 ? c.codec.endOfStream() : c.codec.consume(c.input.readable)
        switch step {
        case .partial(let used):
            c.input.consume(used)
            if n == 0 { fail(c) }
        case .complete(let used, let outcome, let closes):
            c.input.consume(used)
            // Keep the connection only when it is clean: the server keeps it, took the whole
            // request and sent nothing more.
            if closes || n == 0 || c.state != .awaiting || !c.input.isEmpty {
                closeSocket(c)
            } else {
                c.input.shrinkIfIdle(to: 16 * 1024)
            }
            complete(c, outcome)
        case .failed:
            fail(c)
        }
    }

    /// Registers `fd` for `events`, or changes what it watches; false when epoll refused.
    private func watch(_ c: DriverConnection, _ wanted: UInt32) -> Bool {
        do {
            if c.watching == 0 {
                try epoll.add(c.fd, events: wanted, data: UInt64(c.index))
            } else {
                try epoll.modify(c.fd, events: wanted, data: UInt64(c.index))
            }
        } catch {
            return false
        }
        c.watching = wanted
        return true
    }

    private func closeSocket(_ c: DriverConnection) {
        guard c.fd >= 0 else { return }
        Syscall.close(c.fd)  // closing removes it from the epoll set
        c.fd = -1
        c.watching = 0
        c.needsGreeting = true
        c.input.consume(c.input.count)
    }
}
