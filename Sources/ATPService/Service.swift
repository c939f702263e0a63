import ATPEngine
import ATPHTTP
import ATPPosix
import ATPPush
import ATPRedis
import ATPStore
import ATPUtilities
import Dispatch
import Foundation

/// atpd assembled: engine, store, API, HTTP server, the sweep that expires holds, channel push,
/// and the Redis stream consumer when one is configured.
///
/// Start-up: the file store is recovered in `init` (a damaged journal stops atpd there); Redis is
/// recovered after `start`, retrying while it is unreachable, and `/readyz` says 200 only then.
/// Thread-safety: `start`, `shutdown` and `wait` from any thread, each once.
public final class Service: @unchecked Sendable {  // the timers and threads are set up in init and start
    public let engine: Engine
    public let server: HTTPServer
    public let configuration: ServiceConfiguration
    let responder: APIResponder
    let log: Log
    /// Where mutations become durable; nil for `--store memory`.
    let store: (any Store)?
    /// The one seam every mutation passes: engine change, append, rollback on failure.
    let durable: DurableEngine
    private let recovered: Bool
    private let consumer: RedisStreamConsumer?
    /// Pushes availability changes to channels; started once state is recovered.
    let push: PushService
    /// Expires holds; started once state is recovered (which may never happen: see RepeatingTimer).
    private let sweeper: RepeatingTimer
    private let stopping = DispatchSemaphore(value: 0)

    /// Reads the key file, opens the store (recovering a file store), binds the listening sockets;
    /// serves nothing until `start`.
    public init(configuration: ServiceConfiguration, clock: any WallClock = SystemClock(), logFD: Int32 = 2)
        throws
    {
        self.configuration = configuration
        let log = Log(fd: logFD, clock: clock)
        self.log = log
        let keys = try Self.loadKeys(configuration)
        let engine = Engine(configuration: configuration.engine, clock: clock)
        self.engine = engine
        let store = try Self.openStore(configuration, engine: engine)
        self.store = store
        if case .file = configuration.store, let store {
            Self.logRecovery(try store.recover(into: engine), configuration, engine, log)
        }
        recovered = store == nil || store?.kind == "file"
        let durable = DurableEngine(engine: engine, store: store)
        self.durable = durable
        consumer = try Self.makeConsumer(configuration, durable: durable)
        push = PushService(durable: durable, configuration: configuration.push)
        let requests = Metrics()
        let connections = ConnectionStatistics()
        // `/metrics` in this order: requests, engine, store, stream, push, connections.
        let sources: [any MetricsSource] =
            [requests, engine, durable] + (consumer.map { [$0] } ?? []) + [push, connections]
        responder = APIResponder(
            durable: durable, configuration: configuration, keys: keys, push: push, log: log,
            metrics: requests,
            metricsSources: sources)
        var http = configuration.http
        http.onError = { message in log.error("server_error", [("detail", .string(message))]) }
        server = try HTTPServer(configuration: http, responder: responder, connections: connections)
        let rollbacks = RollbackLog(log: log)
        sweeper = RepeatingTimer(
            label: "atpd.sweep", intervalMilliseconds: Int(configuration.sweepIntervalMilliseconds)
        ) {
            // An expiry the store refuses is rolled back: the hold is held again and the next
            // sweep expires it once more (and the rollback log below reports it). Sliced, so a
            // peak's worth of expiries neither holds the gate nor fills one batch for long.
            // At most `sweepSlices` per tick: a rolled-back expiry is due again at once.
            var done = false
            for _ in 0..<Self.sweepSlices where !done {
                durable.commitUnawaited { done = engine.sweepExpired(into: &$0, limit: Self.sweepSlice) }
            }
            rollbacks.check(store: store, engine: engine)
        }
        if keys == nil {
            log.warning(
                "open_mode", [("detail", .string("no --api-keys: every request is allowed; loopback only"))])
        }
    }

    /// Deadlines one sweep commit handles at most (a slice of the expiries due).
    static let sweepSlice = 256
    /// Slices one sweep tick commits at most; what is left is due at the next tick.
    static let sweepSlices = 128

    /// The address the server listens on (with the kernel's port when 0 was asked for).
    public var boundAddress: SocketAddress { server.boundAddress }

    /// Starts serving; `/readyz` answers 200 once state is recovered (at once for memory and
    /// file stores, after loading Redis otherwise).
    public func start() {
        server.start()
        log.info("started", configuration.logFields() + [("boundAddress", .string(boundAddress.description))])
        if recovered {
            becomeReady()
        } else {
            JoinableThread(name: "atp-recover") { [self] in recoverFromRedis() }.detach()
        }
    }

    /// Loads Redis into the engine, retrying every second while it is unreachable.
    private func recoverFromRedis() {
        guard let store else { return }
        while true {
            do {
                Self.logRecovery(try store.recover(into: engine), configuration, engine, log)
                becomeReady()
                return
            } catch {
                log.error(
                    "recovery_failed",
                    [
                        ("store", .string(configuration.store.description)),
                        ("detail", .string(error.description)),
                    ])
                if error != .unavailable("") { return }  // damaged data: stay not ready, say why
                if stopping.wait(timeout: .now() + 1) == .success { return }
            }
        }
    }

    private func becomeReady() {
        sweeper.start()
        push.start()
        consumer?.start()
        responder.ready.store(true, ordering: .releasing)
        log.info("ready", [("cells", .int(Int64(engine.inventory.cellCount)))])
    }

    /// Stops accepting, lets in-flight requests finish (see `HTTPServer.shutdown`).
    public func shutdown() {
        stopping.signal()
        responder.ready.store(false, ordering: .releasing)
        log.info("stopping", [("openConnections", .int(Int64(server.openConnections)))])
        server.shutdown()
    }

    /// Blocks until the server has stopped, then stops the consumer, the sweep and the store.
    public func wait() {
        server.wait()
        consumer?.stop()
        push.stop()
        sweeper.cancel()
        store?.close()
        log.info("stopped")
    }

    // MARK: Assembly

    private static func loadKeys(_ configuration: ServiceConfiguration) throws -> APIKeys? {
        guard let path = configuration.apiKeysFile else {
            guard configuration.listen.isLoopback else {
                throw ConfigurationError(
                    "without --api-keys atpd runs open and listens only on loopback; \(configuration.listen) is not"
                )
            }
            return nil
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("--api-keys: cannot read \(path): \(error.localizedDescription)")
        }
        return try APIKeys(parsing: text)
    }

    private static func openStore(_ configuration: ServiceConfiguration, engine: Engine) throws -> (
        any Store
    )? {
        switch configuration.store {
        case .memory:
            return nil
        case .file(let path):
            return try FileStore(directory: path)
        case .redis(let text):
            var options = RedisJournalWriter.Options()
            options.partitions = configuration.redisPartitions
            return RedisStore(
                url: try RedisURL(text), prefix: configuration.redisPrefix,
                waitForFsync: configuration.redisFsync, engine: engine, options: options)
        }
    }

    private static func makeConsumer(_ configuration: ServiceConfiguration, durable: DurableEngine) throws
        -> RedisStreamConsumer?
    {
        guard let stream = configuration.eventsStream else { return nil }
        guard case .redis(let text) = configuration.store, durable.store != nil else {
            throw ConfigurationError("--events-stream needs --store redis://…")
        }
        return RedisStreamConsumer(
            configuration: RedisStreamConfiguration(url: try RedisURL(text), stream: stream), durable: durable
        )
    }

    private static func logRecovery(
        _ report: RecoveryReport, _ configuration: ServiceConfiguration, _ engine: Engine, _ log: Log
    ) {
        log.info(
            "recovered",
            [
                ("store", .string(configuration.store.description)), ("records", .int(Int64(report.records))),
                ("tornBytes", .int(Int64(report.tornBytes))), ("gaps", .int(Int64(report.gaps))),
                ("durationMs", .int(report.milliseconds)), ("cells", .int(Int64(engine.inventory.cellCount))),
                ("quarantined", .int(Int64(report.quarantinedCount))),
            ])
        engine.counters.recoveryQuarantined.store(report.quarantinedCount, ordering: .relaxed)
        for (place, reason) in report.quarantined {
            log.error("record_quarantined", [("place", .string(place)), ("reason", .string(reason))])
        }
        if report.quarantinedCount > report.quarantined.count {
            log.error(
                "records_quarantined",
                [
                    ("unlisted", .int(Int64(report.quarantinedCount - report.quarantined.count))),
                    (
                        "detail",
                        .string(
                            "only the first \(RecoveryReport.quarantineDetailLimit) are logged one by one")
                    ),
                ])
        }
    }
}
