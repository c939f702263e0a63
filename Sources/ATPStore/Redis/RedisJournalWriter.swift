import ATPEngine
import ATPRedis
import Synchronization

/// The Redis backend of a group-committing store: writes batches of journal records as current
/// state (`RedisKeySchema`), one `MULTI … EXEC` transaction per batch, and recovers an engine from
/// what Redis holds.
///
/// Each `write` turns a whole batch into one pipeline — `MULTI`, the commands of `RedisBatch`,
/// `EXEC` — so Redis applies all of it or none of it, and a batch costs one round trip. Values
/// are the engine's current ones, so writing a batch again (after an unknown outcome) is safe —
/// and so a batch must be built at a cut where every change in the engine is in it or in an
/// earlier batch (`MutationGate`, closed by `RedisStore` while it builds).
///
/// Durability is the server's: with `appendonly yes` and `appendfsync always` Redis fsyncs before
/// it answers `EXEC`. `waitForFsync` additionally sends `WAITAOF 1 0 <timeout>` after `EXEC`,
/// which needs Redis ≥ 7.2; on an older server the connection fails with `.configuration` — use
/// the server's `appendfsync always` instead.
///
/// Connection failures throw `.unavailable`, set `isAvailable` to false and start a backoff
/// (50 ms, doubling to 2 s): until it has passed, `write`, `recover` and `probe` fail at once
/// without touching the network; the first call after it reconnects. Call `probe()` periodically
/// to reconnect while no writes come.
///
/// Thread-safety: `write`, `recover` and `probe` from one thread at a time (the owner's, e.g. the
/// group committer's writer thread); `isAvailable` from any thread. The class is
/// `@unchecked Sendable` only so that it can be handed to that thread.
public final class RedisJournalWriter: @unchecked Sendable {
    public let url: RedisURL
    public let schema: RedisKeySchema
    public let waitForFsync: Bool
    /// The bound on each socket read or write of a command.
    public let commandTimeoutMilliseconds: Int
    let engine: Engine
    let configuration: EngineConfiguration

    private var connection: RedisConnection?
    private var backoff = RedisBackoff()
    /// Why the last connection failed, repeated while the backoff lasts.
    private var lastFailure = ""
    private let available = Atomic<Bool>(true)

    /// A writer for `engine`'s records; it connects on first use (`recover`, `write` or `probe`).
    ///
    /// - Parameters:
    ///   - prefix: the prefix of every key (`RedisKeySchema`).
    ///   - waitForFsync: also wait for the AOF fsync with `WAITAOF` (Redis ≥ 7.2).
    ///   - configuration: the retention periods that set key expiries (normally
    ///     `engine.configuration`).
    public init(
        url: RedisURL, prefix: String = "atp:", waitForFsync: Bool, engine: Engine,
        configuration: EngineConfiguration, commandTimeoutMilliseconds: Int = 2_000
    ) {
        self.url = url
        self.schema = RedisKeySchema(prefix: prefix)
        self.waitForFsync = waitForFsync
        self.engine = engine
        self.configuration = configuration
        self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
    }

    /// False from a connection failure until a reconnect succeeds. Readable from any thread.
    /// - Complexity: O(1), one atomic load.
    public var isAvailable: Bool { available.load(ordering: .acquiring) }

    /// Makes every record of `units` durable in one `MULTI … EXEC` transaction: all or nothing
    /// (`send(commands(for: units))`).
    ///
    /// Throws `.unavailable` when Redis cannot be reached, refuses the batch for a passing reason
    /// (`OOM`, `READONLY`, `LOADING`, …) or did not confirm the fsync in time — nothing of the
    /// batch was applied, or it was applied whole and writing it again is harmless;
    /// `.configuration` when Redis refuses the commands themselves (ACL, missing `WAITAOF`);
    /// `.corrupt` when a command failed inside `EXEC` because a key holds foreign data of
    /// another type (Redis has no rollback: the rest of that batch was applied).
    /// - Complexity: one round trip; O(records + touched keys).
    public func write(_ units: [[JournalRecord]]) throws(StoreError) {
        try send(commands(for: units.map { EngineChange(records: $0) }, repairing: []))
    }

    /// The transaction that makes `units` durable: `MULTI`, the commands of `RedisBatch`, `EXEC`
    /// and maybe `WAITAOF`; empty when the batch touches nothing. It holds the engine's values as
    /// they are now: build it where no change is outside the batch (`MutationGate`).
    /// - Parameter repairing: records of rolled-back batches Redis may hold, written first from
    ///   the engine's state (`RedisBatch.repair`).
    /// - Complexity: O(records + touched keys).
    func commands(for units: [EngineChange], repairing: [JournalRecord]) -> [RedisCommand] {
        var batch = RedisBatch(
            schema: schema, engine: engine, configuration: configuration, now: engine.clock.now())
        for record in repairing { batch.repair(record) }
        for unit in units {
            for record in unit.records { batch.add(record) }
        }
        let body = batch.commands()
        guard !body.isEmpty else { return [] }
        var commands: [RedisCommand] = []
        commands.reserveCapacity(body.count + 3)
        commands.append(.multi())
        commands.append(contentsOf: body)
        commands.append(.exec())
        if waitForFsync {
            commands.append(
                .waitaof(local: 1, replicas: 0, timeoutMilliseconds: max(1, commandTimeoutMilliseconds / 2)))
        }
        return commands
    }

    /// Sends a transaction from `commands(for:)` in one round trip and checks its replies; the
    /// errors of `write`.
    func send(_ commands: [RedisCommand]) throws(StoreError) {
        guard !commands.isEmpty else { return }
        // Once the transaction may have left, a broken connection leaves its outcome unknown.
        let replies = try run { connection throws(StoreError) in
            do throws(StoreError) { return try connection.storePipeline(commands) } catch {
                throw error.possiblyApplied
            }
        }
        try check(replies, queued: commands.count - (waitForFsync ? 3 : 2))
    }

    /// Reconnects if the connection is down and the backoff has passed, or checks a live one with
    /// `PING`. Call it periodically from the owning thread; it updates `isAvailable`.
    /// - Returns: whether Redis is reachable now.
    @discardableResult
    public func probe() -> Bool {
        do {
            let reply = try run { connection throws(StoreError) in try connection.storeSend(.ping()) }
            let healthy = !reply.isError
            available.store(healthy, ordering: .releasing)
            return healthy
        } catch {
            return false
        }
    }

    /// Closes the connection (a later call reconnects).
    public func close() { connection = nil }

    // MARK: Connection

    /// Runs `body` on a live connection, connecting first if needed; a transport failure drops
    /// the connection, marks the writer unavailable and starts the backoff.
    func run<R>(_ body: (RedisConnection) throws(StoreError) -> R) throws(StoreError) -> R {
        let live = try connected()
        do {
            return try body(live)
        } catch {
            if live.isBroken { lost(error) }
            throw error
        }
    }

    private func connected() throws(StoreError) -> RedisConnection {
        if let connection, !connection.isBroken { return connection }
        connection = nil
        guard backoff.isDue else {
            throw .unavailable("\(lastFailure) (next attempt in \(backoff.remainingMilliseconds) ms)")
        }
        do {
            let fresh = try RedisConnection.connect(
                url: url, connectTimeoutMilliseconds: 1_000,
                commandTimeoutMilliseconds: commandTimeoutMilliseconds)
            if waitForFsync { try Self.requireWAITAOF(fresh) }
            connection = fresh
            backoff.succeeded()
            available.store(true, ordering: .releasing)
            return fresh
        } catch {
            lost(error)
            throw error
        }
    }

    private func lost(_ error: StoreError) {
        connection = nil
        lastFailure = error.detail
        backoff.failed()
        available.store(false, ordering: .releasing)
    }

    /// Throws `.configuration` unless the server knows `WAITAOF` (Redis ≥ 7.2).
    private static func requireWAITAOF(_ connection: RedisConnection) throws(StoreError) {
        let reply = try connection.storeSend(.commandInfo(["WAITAOF"]))
        guard let entries = reply.array, let first = entries.first, first.array != nil else {
            throw .configuration(
                "redis \(connection.url): waiting for the fsync needs WAITAOF (Redis ≥ 7.2), which this server lacks; "
                    + "turn the wait off and set `appendonly yes` and `appendfsync always` on the server instead"
            )
        }
    }

    // MARK: Replies

    private static let passingRefusals = [
        "OOM", "READONLY", "LOADING", "BUSY", "MISCONF", "MASTERDOWN", "NOREPLICAS", "TRYAGAIN",
        "CLUSTERDOWN",
    ]

    /// Checks the replies to `MULTI`, `queued` commands, `EXEC` and maybe `WAITAOF`.
    private func check(_ replies: [RedisReply], queued: Int) throws(StoreError) {
        let refusal = replies[0...queued].first(where: \.isError)?.errorMessage
        let exec = replies[queued + 1]
        switch exec {
        case .array(let results):
            if let failed = results.firstIndex(where: \.isError) {
                throw .corrupt(
                    "redis \(url): command \(failed + 1) of the batch failed inside EXEC (foreign data under "
                        + "\(schema.prefix)?): \(results[failed].errorMessage ?? ""); the rest of the batch was applied"
                )
            }
        case .error(let message):
            let reason = refusal ?? message
            let detail = "redis \(url): batch refused, nothing written: \(reason)"
            if Self.passingRefusals.contains(where: { reason.hasPrefix($0) }) {
                available.store(false, ordering: .releasing)
                throw .unavailable(detail)
            }
            throw .configuration(detail)
        default:
            throw .unavailable("redis \(url): EXEC answered \(exec), nothing written")
        }
        guard waitForFsync else { return }
        let wait = replies[queued + 2]
        if let message = wait.errorMessage {
            throw .configuration("redis \(url): WAITAOF refused: \(message)")
        }
        guard let counts = wait.array, let local = counts.first?.integer, local >= 1 else {
            throw .unavailable(
                "redis \(url): the batch was applied but not fsynced within the timeout", mayHaveApplied: true
            )
        }
    }
}
