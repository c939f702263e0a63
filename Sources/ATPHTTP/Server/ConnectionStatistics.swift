import Synchronization

/// The connection figures of an `HTTPServer`, made before the server and handed to it, so that
/// whoever reports them needs no reference to the server.
///
/// Thread-safety: every property from any thread (relaxed atomics).
public final class ConnectionStatistics: Sendable {
    /// Open client connections across all loops.
    public let open = Atomic<Int>(0)
    /// Connections refused because `maxConnections` were open.
    public let refused = Atomic<Int>(0)

    public init() {}
}
