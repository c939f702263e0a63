import ATPHTTP

/// Everything `atpd` can be told on its command line or through `ATP_*` environment variables.
///
/// Thread-safety: a value type.
public struct ServiceConfiguration: Sendable {
    /// Where the state is kept. Only the in-memory store exists so far.
    public enum StoreKind: String, Sendable {
        case memory
    }

    public var listen = SocketAddress.loopback(port: 8080)
    public var threads = 2
    public var store = StoreKind.memory
    public var apiKeysFile: String?
    /// Body limit of every route but `POST /v1/events`.
    public var maxBody = 1 << 20
    /// Body limit of `POST /v1/events` (5,000 events fit).
    public var maxEventsBody = 8 << 20
    public var maxConnections = 10_000
    public var headerTimeoutMilliseconds: Int64 = 10_000
    public var idleTimeoutMilliseconds: Int64 = 60_000
    public var shutdownGraceMilliseconds: Int64 = 10_000
    /// Requests slower than this are logged.
    public var slowRequestMilliseconds: Int64 = 250
    /// How often expired holds are swept.
    public var sweepIntervalMilliseconds: Int64 = 1_000

    public init() {}

    /// The server half of the configuration.
    public var http: HTTPServerConfiguration {
        var http = HTTPServerConfiguration(address: listen)
        http.threads = threads
        http.maxConnections = maxConnections
        http.headerTimeoutMilliseconds = headerTimeoutMilliseconds
        http.idleTimeoutMilliseconds = idleTimeoutMilliseconds
        http.shutdownGraceMilliseconds = shutdownGraceMilliseconds
        return http
    }

    /// The effective settings as JSON members for the start-up log line (no secrets: the key file's
    /// path is shown, never its tokens).
    func logFields() -> [(String, LogValue)] {
        [
            ("listen", .string(listen.description)), ("threads", .int(Int64(threads))),
            ("store", .string(store.rawValue)), ("apiKeysFile", apiKeysFile.map { .string($0) } ?? .null),
            ("maxBody", .int(Int64(maxBody))), ("maxEventsBody", .int(Int64(maxEventsBody))),
            ("maxConnections", .int(Int64(maxConnections))),
            ("headerTimeoutMs", .int(headerTimeoutMilliseconds)), ("idleTimeoutMs", .int(idleTimeoutMilliseconds)),
            ("shutdownGraceMs", .int(shutdownGraceMilliseconds)),
            ("slowRequestMs", .int(slowRequestMilliseconds)),
        ]
    }
}
