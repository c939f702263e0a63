import ATPHTTP
import ATPPosix

/// One simulated client of an `EventDriver`: its session, its codec, its socket and where its
/// request is in the exchange.
///
/// States: `idle` (no request outstanding; the socket may be open or closed), `connecting` (a
/// non-blocking connect is in progress; the request waits in `output`), `writing` (part of the
/// request is still to go; EPOLLOUT is watched), `awaiting` (written, reading the answer), and
/// `finished` (the run ended; no more requests).
/// Thread-safety: not thread-safe; owned by one driver thread. Complexity: O(1) state.
final class DriverConnection {
    enum State { case idle, connecting, writing, awaiting, finished }

    let index: Int
    var session: Session
    let codec: any WireCodec
    /// The socket, or -1 when closed.
    var fd: Int32
    var state = State.idle
    /// A new socket must send the codec's greeting before its first request.
    var needsGreeting = true
    /// The epoll events registered for `fd` (0 when not registered).
    var watching: UInt32 = 0
    var input = ReadBuffer(capacity: 16 * 1024)
    var output: [UInt8] = []
    var written = 0
    /// The kind of the outstanding operation.
    var kind = OperationKind.availability
    /// The outstanding request's intended send time (open loop: its slot in the schedule;
    /// closed loop: when it was sent) — latency is measured from it.
    var due: Int64 = 0
    /// When the outstanding request times out.
    var deadline: Int64 = 0
    /// Open loop: this connection's first due time, and how many of its slots were used.
    var firstDue: Int64 = 0
    var slots: Int64 = 0
    /// The due time of the request waiting in the driver's timer heap (open loop), or nil to
    /// send it at wake-up time (closed loop after a back-off).
    var pendingDue: Int64?
    /// After a failed connect or encode, no request starts before this (10 ms back-off).
    var notBefore: Int64 = 0

    init(index: Int, session: Session, codec: any WireCodec, fd: Int32) {
        self.index = index
        self.session = session
        self.codec = codec
        self.fd = fd
        output.reserveCapacity(4096)
    }

    /// Closes the socket if the driver never took it over (a run that failed to start).
    deinit {
        if fd >= 0 { Syscall.close(fd) }
    }
}
