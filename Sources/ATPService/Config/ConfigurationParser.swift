import ATPHTTP
import ATPPosix
import ATPRedis
import ATPStore

/// A configuration mistake, with a message for the operator (`atpd` prints it and exits 2).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Reads `atpd`'s flags and `ATP_*` environment variables; a flag wins over its variable.
///
/// Thread-safety: stateless.
public enum ConfigurationParser {
    /// What the command line asked for.
    public enum Outcome: Sendable {
        case run(ServiceConfiguration)
        /// `atpd migrate [--dry-run] --store redis://… [options]`: rewrite a Redis of layout 1.
        case migrate(ServiceConfiguration, dryRun: Bool)
        case help
    }

    /// One setting: its flag, its environment variable, its help text, and how it is applied.
    private struct Option: Sendable {
        let flag: String
        let variable: String
        let help: String
        let apply: @Sendable (inout ServiceConfiguration, String) throws(ConfigurationError) -> Void
    }

    private static let options: [Option] = [
        Option(
            flag: "--listen", variable: "ATP_LISTEN", help: "HOST:PORT to listen on (default 127.0.0.1:8080)"
        ) {
            config, value throws(ConfigurationError) in
            guard let address = SocketAddress(parsing: value) else {
                throw ConfigurationError("--listen: expected HOST:PORT with an IPv4 host, got \"\(value)\"")
            }
            config.listen = address
        },
        Option(flag: "--threads", variable: "ATP_THREADS", help: "event-loop threads (default 2)") {
            config, value throws(ConfigurationError) in
            config.threads = try integer(value, "--threads", 1...256)
        },
        Option(
            flag: "--store", variable: "ATP_STORE",
            help: "memory, file:PATH or redis://[:password@]host:port[/db] (default file:./data)"
        ) { config, value throws(ConfigurationError) in
            guard let store = ServiceConfiguration.StoreSpec(parsing: value) else {
                throw ConfigurationError(
                    "--store: expected memory, file:PATH or redis://host:port, got \"\(RedisURL.redacted(value))\""
                )
            }
            config.store = store
        },
        Option(
            flag: "--redis-prefix", variable: "ATP_REDIS_PREFIX",
            help: "prefix of every Redis key (default atp:)"
        ) {
            config, value throws(ConfigurationError) in
            config.redisPrefix = value
        },
        Option(
            flag: "--redis-fsync", variable: "ATP_REDIS_FSYNC",
            help: "true: acknowledge only after Redis fsync'd its AOF (WAITAOF 1 0) (default false)"
        ) { config, value throws(ConfigurationError) in
            guard let flag = Bool(value) else {
                throw ConfigurationError("--redis-fsync: expected true or false")
            }
            config.redisFsync = flag
        },
        Option(
            flag: "--redis-partitions", variable: "ATP_REDIS_PARTITIONS",
            help: "partitions of a new Redis store, fixed at first start (default 64)"
        ) { config, value throws(ConfigurationError) in
            config.redisPartitions = try integer(
                value, "--redis-partitions", 1...RedisLogLayout.maximumPartitions)
        },
        Option(
            flag: "--events-stream", variable: "ATP_EVENTS_STREAM",
            help: "Redis stream key to read stock events from (needs --store redis://...)"
        ) { config, value throws(ConfigurationError) in
            config.eventsStream = value
        },
        Option(
            flag: "--api-keys", variable: "ATP_API_KEYS_FILE",
            help: "file of API keys, one \"NAME SCOPES TOKEN\" a line (default: none, open on loopback only)"
        ) { config, value throws(ConfigurationError) in
            config.apiKeysFile = value
        },
        Option(
            flag: "--max-body", variable: "ATP_MAX_BODY",
            help: "body limit in bytes, KiB or MiB (default 1MiB)"
        ) {
            config, value throws(ConfigurationError) in
            config.maxBody = try size(value, "--max-body")
        },
        Option(
            flag: "--max-events-body", variable: "ATP_MAX_EVENTS_BODY",
            help: "body limit of POST /v1/events (default 8MiB)"
        ) { config, value throws(ConfigurationError) in
            config.maxEventsBody = try size(value, "--max-events-body")
        },
        Option(
            flag: "--max-connections", variable: "ATP_MAX_CONNECTIONS",
            help: "open connections beyond this get 503 and are closed (default 10000)"
        ) { config, value throws(ConfigurationError) in
            config.maxConnections = try integer(value, "--max-connections", 1...1_000_000)
        },
        Option(
            flag: "--header-timeout", variable: "ATP_HEADER_TIMEOUT",
            help: "time for a request's headers to arrive, e.g. 10s or 500ms (default 10s)"
        ) { config, value throws(ConfigurationError) in
            config.headerTimeoutMilliseconds = try duration(value, "--header-timeout")
        },
        Option(
            flag: "--idle-timeout", variable: "ATP_IDLE_TIMEOUT",
            help: "idle keep-alive connections are closed after this (default 60s)"
        ) { config, value throws(ConfigurationError) in
            config.idleTimeoutMilliseconds = try duration(value, "--idle-timeout")
        },
        Option(
            flag: "--shutdown-grace", variable: "ATP_SHUTDOWN_GRACE",
            help: "on SIGTERM, time for in-flight requests to finish (default 10s)"
        ) { config, value throws(ConfigurationError) in
            config.shutdownGraceMilliseconds = try duration(value, "--shutdown-grace")
        },
        Option(
            flag: "--slow-request", variable: "ATP_SLOW_REQUEST",
            help: "requests slower than this are logged (default 250ms)"
        ) { config, value throws(ConfigurationError) in
            config.slowRequestMilliseconds = try duration(value, "--slow-request")
        },
    ]

    /// The `--help` text.
    public static var usage: String {
        var text =
            "usage: atpd [options]\n       atpd migrate [--dry-run] --store redis://... [options]\n\n"
            + "The available-to-promise inventory service. `migrate` rewrites a Redis store of layout 1 as layout 2\n"
            + "(what a start does by itself); --dry-run only reports what it would migrate.\n\n"
            + "options (each also an environment variable):\n"
        for option in options {
            text +=
                "  \(option.flag) VALUE".padding(24) + " \(option.help)\n" + "".padding(25)
                + "env \(option.variable)\n"
        }
        text += "  --help".padding(24) + " print this and exit\n"
        return text
    }

    /// Parses `arguments` (without the program name) over `environment`.
    public static func parse(arguments: [String], environment: [String: String]) throws(ConfigurationError)
        -> Outcome
    {
        var config = ServiceConfiguration()
        for option in options {
            if let value = environment[option.variable] { try option.apply(&config, value) }
        }
        let migrating = arguments.first == "migrate"
        var dryRun = false
        var i = migrating ? 1 : 0
        while i < arguments.count {
            let argument = arguments[i]
            if argument == "--help" || argument == "-h" { return .help }
            if migrating, argument == "--dry-run" {
                dryRun = true
                i += 1
                continue
            }
            let (flag, inline) = splitFlag(argument)
            guard let option = options.first(where: { $0.flag == flag }) else {
                throw ConfigurationError("unknown option \"\(argument)\" (see --help)")
            }
            let value: String
            if let inline {
                value = inline
            } else {
                guard i + 1 < arguments.count else { throw ConfigurationError("\(flag) needs a value") }
                i += 1
                value = arguments[i]
            }
            try option.apply(&config, value)
            i += 1
        }
        if migrating {
            guard case .redis = config.store else {
                throw ConfigurationError("migrate: needs --store redis://… (the Redis to migrate)")
            }
            return .migrate(config, dryRun: dryRun)
        }
        return .run(config)
    }

    private static func splitFlag(_ argument: String) -> (String, String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private static func integer(_ value: String, _ name: String, _ range: ClosedRange<Int>)
        throws(ConfigurationError) -> Int
    {
        guard let number = Int(value), range.contains(number) else {
            throw ConfigurationError(
                "\(name): expected an integer in \(range.lowerBound)...\(range.upperBound), got \"\(value)\"")
        }
        return number
    }

    /// `1048576`, `512KiB`, `8MiB`.
    static func size(_ value: String, _ name: String) throws(ConfigurationError) -> Int {
        let units: [(String, Int)] = [("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1), ("", 1)]
        for (suffix, scale) in units where value.hasSuffix(suffix) {
            if let number = Int(value.dropLast(suffix.count)), number >= 1, number <= (1 << 30) / scale {
                return number * scale
            }
        }
        throw ConfigurationError(
            "\(name): expected a size such as 1048576, 512KiB or 8MiB (at most 1GiB), got \"\(value)\"")
    }

    /// `10s`, `500ms`, `2m`, or plain seconds.
    static func duration(_ value: String, _ name: String) throws(ConfigurationError) -> Int64 {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("", 1000)]
        for (suffix, scale) in units where value.hasSuffix(suffix) {
            if let number = Int64(value.dropLast(suffix.count)), number >= 1, number <= 86_400_000 / scale {
                return number * scale
            }
        }
        throw ConfigurationError(
            "\(name): expected a duration such as 10s, 500ms or 2m (at most 24h), got \"\(value)\"")
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
