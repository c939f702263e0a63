import ATPEngine
import ATPHTTP
import ATPPosix
import ATPPush
import ATPRedis
import ATPStore

/// Everything `atpd` can be told on its command line or through `ATP_*` environment variables.
///
/// Thread-safety: a value type.
public struct ServiceConfiguration: Sendable {
    /// Where the state is kept (`--store`).
    public enum StoreSpec: Sendable, Equatable, CustomStringConvertible {
        /// Nothing persists: tests and load rehearsals.
        case memory
        /// An append-only journal with snapshots in a directory (the default, `./data`).
        case file(path: String)
        /// Redis at `redis://[:password@]host:port[/db]`.
        case redis(url: String)

        /// Parses `memory`, `file:PATH` or a `redis://` URL.
        public init?(parsing text: String) {
            if text == "memory" {
                self = .memory
            } else if text.hasPrefix("file:"), text.count > 5 {
                self = .file(path: String(text.dropFirst(5)))
            } else if text.hasPrefix("redis://") {
                self = .redis(url: text)
            } else {
                return nil
            }
        }

        /// The spec as given, with any Redis password hidden.
        public var description: String {
            switch self {
            case .memory: "memory"
            case .file(let path): "file:\(path)"
            case .redis(let url): RedisURL.redacted(url)
            }
        }
    }

    public var listen = SocketAddress.loopback(port: 8080)
    public var threads = 2
    public var store = StoreSpec.file(path: "./data")
    /// Redis store: the prefix of every key.
    public var redisPrefix = "atp:"
    /// Redis store: also wait for the append-only file to be fsync'd (`WAITAOF 1 0`).
    public var redisFsync = false
    /// Redis store: partitions of a new store (fixed once Redis holds data).
    public var redisPartitions = RedisLogLayout.defaultPartitions
    /// A Redis stream to read stock events from (`XREADGROUP`), or nil.
    public var eventsStream: String?
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
    /// Channel push timing: request timeout, retry backoff, dispatcher poll interval.
    public var push = PushConfiguration()
    /// The engine's caps and retention periods (no flags: the defaults are API.md's).
    public var engine = EngineConfiguration()

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
            ("store", .string(store.description)), ("apiKeysFile", apiKeysFile.map { .string($0) } ?? .null),
            ("maxBody", .int(Int64(maxBody))), ("maxEventsBody", .int(Int64(maxEventsBody))),
            ("maxConnections", .int(Int64(maxConnections))),
            ("headerTimeoutMs", .int(headerTimeoutMilliseconds)),
            ("idleTimeoutMs", .int(idleTimeoutMilliseconds)),
            ("shutdownGraceMs", .int(shutdownGraceMilliseconds)),
            ("slowRequestMs", .int(slowRequestMilliseconds)),
        ]
    }
}
