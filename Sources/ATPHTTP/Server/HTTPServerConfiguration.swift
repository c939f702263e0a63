import ATPPosix

/// Limits and timeouts of an `HTTPServer`.
///
/// Thread-safety: a value type.
public struct HTTPServerConfiguration: Sendable {
    public var address: SocketAddress
    /// Event-loop threads; they share one listening socket.
    public var threads = 2
    /// Open connections beyond this are answered 503 and closed at once.
    public var maxConnections = 10_000
    /// The largest request line plus header section (431 beyond it).
    public var maxHeadBytes = 16 * 1024
    /// A request's head must arrive within this time of its first byte (else 408); for the first
    /// request of a connection the time counts from the connection's opening.
    public var headerTimeoutMilliseconds: Int64 = 10_000
    /// A keep-alive connection with no request in progress is closed after this long.
    public var idleTimeoutMilliseconds: Int64 = 60_000
    /// A body, or a response being written, must make progress at least this often.
    public var progressTimeoutMilliseconds: Int64 = 30_000
    /// On shutdown, connections still busy after this long are closed.
    public var shutdownGraceMilliseconds: Int64 = 10_000

    /// Told about failures no client sees, such as accept(2) running out of file descriptors;
    /// called on a loop thread.
    public var onError: (@Sendable (String) -> Void)?

    public init(address: SocketAddress) {
        self.address = address
    }
}
