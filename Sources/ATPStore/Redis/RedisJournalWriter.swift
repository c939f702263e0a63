import ATPEngine
import ATPPosix
import ATPRedis
import Synchronization

/// The Redis backend of a group-committing store: appends each batch's journal records to the
/// partition logs of `RedisLogLayout` with one `FCALL atpd_commit` per batch, and recovers an
/// engine from the snapshots and logs (`RedisJournalWriter+Recovery`).
///
/// A batch's records are grouped by partition into one frame each (`JournalFrame`), and the call
/// names every partition touched with the writer's epoch and the log length it knows durable, so
/// Redis appends all of it or none of it, in one round trip, with no argument array built per
/// record: the command is formatted straight into one reusable buffer (`RESPWriter`).
///
/// Durability is the server's: with `appendonly yes` and `appendfsync always` Redis fsyncs before
/// it answers. `waitForFsync` additionally sends `WAITAOF 1 0 <timeout>` after the call (Redis ≥
/// 7.2); on an older server the connection fails with `.configuration`.
///
/// An unknown outcome — the connection broke after the call was sent, or `WAITAOF` timed out —
/// leaves the partitions touched *unsettled*: their logs may hold the batch that was rolled back.
/// The next call names them with the lengths known durable, and the function cuts the tails off
/// before appending; until that succeeded the writer reports itself unavailable.
///
/// Connection failures throw `.unavailable`, set `isAvailable` to false and start a backoff
/// (50 ms, doubling to 2 s): until it has passed, calls fail at once without touching the
/// network. Call `probe()` periodically to reconnect while no writes come.
///
/// Thread-safety: `write`, `recover`, `probe`, `didFinishBatch` from one thread at a time (the
/// group committer's writer thread, or the probe under the store's lock); `isAvailable` from any
/// thread. `@unchecked Sendable` only so that it can be handed to that thread.
public final class RedisJournalWriter: @unchecked Sendable {
    /// Tuning of the Redis store.
    public struct Options: Sendable {
        /// Partitions of a new Redis; a Redis that holds data must have been made with the same.
        public var partitions = RedisLogLayout.defaultPartitions
        /// Journal records after which a compaction (snapshot of every partition) starts.
        public var snapshotRecords = 1_000_000
        /// Journal bytes after which a compaction starts (Redis holds the logs in memory).
        public var snapshotBytes = 64 << 20
        /// Records per frame in snapshots.
        public var snapshotRecordsPerFrame = 1024
        /// How often changed cells are written to the cell hashes (`RedisCellMirror`).
        public var mirrorIntervalMilliseconds: Int64 = 1_000

        public init() {}
    }

    public let url: RedisURL
    public let layout: RedisLogLayout
    public let waitForFsync: Bool
    public let options: Options
    /// The bound on each socket read or write of a command.
    public let commandTimeoutMilliseconds: Int
    let engine: Engine

    private var connection: RedisConnection?
    private var backoff = RedisBackoff()
    /// Why the last connection failed, repeated while the backoff lasts.
    private var lastFailure = ""
    private let available = Atomic<Bool>(true)
    private let settled = Atomic<Bool>(true)

    // Partition state, from recovery on (writer thread).
    /// Each partition's fencing epoch (as decimal text, the way the function compares it).
    var epochs: [[UInt8]] = []
    /// The generation commits append to.
    var generation: UInt64 = 1
    /// The generation of the published snapshots (0: none yet).
    var snapshotGeneration: UInt64 = 0
    /// Each partition's log length known durable.
    var durableLength: [Int] = []
    private var metaKeys: [[UInt8]] = []
    private var logKeys: [[UInt8]] = []
    /// Partitions whose logs may hold a rolled-back batch.
    private var unsettled: [Bool] = []
    /// Records and bytes appended since the last rotation (or found by recovery).
    var recordsSinceRotation = 0
    var bytesSinceRotation = 0

    // Per-batch scratch, kept for its capacity.
    private var byPartition: [[JournalRecord]] = []
    private var touched: [Int] = []
    private var frame: [UInt8] = []
    private var appended: [Int] = []
    private var commands = RESPWriter(capacity: 64 << 10)
    private var mirror: RedisCellMirror
    /// Set by `RedisStore` once recovery has run: the compaction that runs in the background.
    var compaction: RedisCompaction?

    /// A writer for `engine`'s records; it connects on first use (`recover` or `probe`).
    /// - Parameters:
    ///   - prefix: the prefix of every key (`RedisLogLayout`).
    ///   - waitForFsync: also wait for the AOF fsync with `WAITAOF` (Redis ≥ 7.2).
    public init(
        url: RedisURL, prefix: String = "atp:", waitForFsync: Bool, engine: Engine,
        options: Options = Options(),
        commandTimeoutMilliseconds: Int = 2_000
    ) {
        self.url = url
        self.layout = RedisLogLayout(prefix: prefix, partitions: options.partitions)
        self.waitForFsync = waitForFsync
        self.engine = engine
        self.options = options
        self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
        mirror = RedisCellMirror(prefix: prefix, intervalMilliseconds: options.mirrorIntervalMilliseconds)
    }

    /// False from a connection failure until a reconnect succeeds, and while a partition is
    /// unsettled. Readable from any thread. Complexity: two atomic loads.
    public var isAvailable: Bool {
        available.load(ordering: .acquiring) && settled.load(ordering: .acquiring)
    }

    /// True while a partition's log may hold a rolled-back batch (a call must settle it).
    public var isUnsettled: Bool { !settled.load(ordering: .acquiring) }

    /// Takes the partition state recovery found: epochs, generations and log lengths.
    func adopt(epochs: [[UInt8]], generation: UInt64, snapshotGeneration: UInt64, logLengths: [Int]) {
        self.epochs = epochs
        self.generation = generation
        self.snapshotGeneration = snapshotGeneration
        durableLength = logLengths
        metaKeys = (0..<layout.partitions).map { layout.meta(partition: $0) }
        logKeys = (0..<layout.partitions).map { layout.log(partition: $0, generation: generation) }
        unsettled = Array(repeating: false, count: layout.partitions)
        byPartition = Array(repeating: [], count: layout.partitions)
        appended = Array(repeating: 0, count: layout.partitions)
    }

    /// Makes every record of `units` durable in one `FCALL atpd_commit`: all or nothing.
    ///
    /// Throws `.unavailable` when Redis cannot be reached, refuses the call for a passing reason
    /// (`OOM`, `READONLY`, `LOADING`, `BUSY`, …) or did not confirm the fsync in time;
    /// `.configuration` when a partition is fenced (another writer holds a newer epoch), Redis
    /// refuses the commands themselves or lacks `WAITAOF`; `.corrupt` when a log is shorter than
    /// what was acknowledged (Redis lost writes).
    /// - Complexity: one round trip; O(record bytes + partitions touched), no allocation per
    ///   record once the scratch buffers have grown.
    public func write(_ units: [EngineChange]) throws(StoreError) {
        touched.removeAll(keepingCapacity: true)
        var records = 0
        for unit in units {
            for record in unit.records {
                let p = layout.partition(of: record)
                if byPartition[p].isEmpty { touched.append(p) }
                byPartition[p].append(record)
                records += 1
            }
        }
        if isUnsettled {
            for p in 0..<layout.partitions where unsettled[p] && byPartition[p].isEmpty { touched.append(p) }
        }
        defer { for p in touched { byPartition[p].removeAll(keepingCapacity: true) } }
        guard !touched.isEmpty else { return }

        commands.reset()
        commands.command(arguments: 3 + 5 * touched.count)
        commands.argument("FCALL")
        commands.argument("atpd_commit")
        commands.argument(decimal: Int64(2 * touched.count))
        for p in touched {
            commands.argument(metaKeys[p])
            commands.argument(logKeys[p])
        }
        var bytes = 0
        for p in touched {
            commands.argument(epochs[p])
            commands.argument(decimal: Int64(durableLength[p]))
            frame.removeAll(keepingCapacity: true)
            if !byPartition[p].isEmpty { JournalFrame.append(byPartition[p], to: &frame) }
            appended[p] = frame.count
            bytes += frame.count
            commands.argument(frame)
        }
        if waitForFsync {
            commands.command(arguments: 4)
            commands.argument("WAITAOF")
            commands.argument(decimal: 1)
            commands.argument(decimal: 0)
            commands.argument(decimal: Int64(max(1, commandTimeoutMilliseconds / 2)))
        }
        do throws(StoreError) {
            let replies = try run { connection throws(StoreError) in
                do throws(StoreError) {
                    return try redisCall { () throws(RedisError) in try connection.sendFormatted(commands) }
                } catch {
                    throw error.possiblyApplied
                }
            }
            try check(replies)
        } catch {
            if error.mayHaveApplied {
                for p in touched { unsettled[p] = true }
                settled.store(false, ordering: .releasing)
            }
            throw error
        }
        for p in touched {
            durableLength[p] += appended[p]
            unsettled[p] = false
        }
        if isUnsettled, !unsettled.contains(true) { settled.store(true, ordering: .releasing) }
        recordsSinceRotation += records
        bytesSinceRotation += bytes
        for unit in units {
            for record in unit.records { mirror.note(record, engine: engine) }
        }
    }

    /// After each batch: writes the cell mirror when due, and starts a compaction when the
    /// logs have grown past the options' bounds (rotating every partition to a new generation
    /// first, while no batch is in flight).
    func didFinishBatch() {
        if mirror.awaitsCompaction, compaction?.isRunning != true { mirror.compactionEnded() }
        flushMirror()
        guard recordsSinceRotation >= options.snapshotRecords || bytesSinceRotation >= options.snapshotBytes,
            let compaction, !compaction.isRunning, !isUnsettled
        else { return }
        snapshotGeneration = max(snapshotGeneration, compaction.publishedGeneration)
        do throws(StoreError) {
            let previous = snapshotGeneration
            try rotate(to: generation + 1)
            mirror.compactionBegan()
            compaction.start(generation: generation, replacing: previous, epochs: epochs)
        } catch {
            compaction.recordFailure(error)
        }
    }

    /// Compacts now, on this thread: rotates every partition, writes their snapshots from the
    /// engine and publishes them. For tools and tests; the store compacts in the background.
    /// Call it where `write` may be called, with no batch in flight.
    public func compactNow() throws(StoreError) {
        let previous = max(snapshotGeneration, compaction?.publishedGeneration ?? 0)
        try rotate(to: generation + 1)
        try run { connection throws(StoreError) in
            try RedisCompaction.writeSnapshots(
                engine: engine, layout: layout, generation: generation,
                recordsPerFrame: options.snapshotRecordsPerFrame, on: connection)
            try RedisCompaction.publish(
                layout: layout, generation: generation, replacing: previous, epochs: epochs, on: connection)
        }
        snapshotGeneration = generation
    }

    /// Points every partition's `head` at `next` (`FCALL atpd_rotate`), then appends there.
    private func rotate(to next: UInt64) throws(StoreError) {
        commands.reset()
        commands.command(arguments: 4 + 2 * layout.partitions)
        commands.argument("FCALL")
        commands.argument("atpd_rotate")
        commands.argument(decimal: Int64(layout.partitions))
        for key in metaKeys { commands.argument(key) }
        commands.argument(decimal: Int64(next))
        for epoch in epochs { commands.argument(epoch) }
        let replies = try run { connection throws(StoreError) in
            try redisCall { () throws(RedisError) in try connection.sendFormatted(commands) }
        }
        if let message = replies[0].errorMessage { throw Self.refusal(message, url: url) }
        generation = next
        logKeys = (0..<layout.partitions).map { layout.log(partition: $0, generation: next) }
        for p in 0..<layout.partitions { durableLength[p] = 0 }
        recordsSinceRotation = 0
        bytesSinceRotation = 0
    }

    /// Writes the changed cells' hashes if the mirror's interval has passed (writer thread or
    /// probe), or at once when `now` (at close). A failure keeps them for the next flush.
    func flushMirror(now: Bool = false) {
        guard !mirror.isEmpty, available.load(ordering: .relaxed) else { return }
        commands.reset()
        let time = now ? Int64.max : MonotonicClock.milliseconds()
        guard mirror.flush(into: &commands, engine: engine, now: time) else { return }
        let replies = try? run { connection throws(StoreError) in
            try redisCall { () throws(RedisError) in try connection.sendFormatted(commands) }
        }
        if let replies, !replies.contains(where: \.isError) { mirror.flushed() }
    }

    /// At close, once no compaction runs: writes every changed cell's hash now.
    func finishMirror() {
        mirror.compactionEnded()
        flushMirror(now: true)
    }

    /// Reconnects if the connection is down and the backoff has passed, or checks a live one with
    /// `PING`; then writes the cell mirror if due. Call it periodically from the owning thread.
    /// - Returns: whether Redis is reachable now.
    @discardableResult
    public func probe() -> Bool {
        do {
            let reply = try run { connection throws(StoreError) in try connection.storeSend(.ping()) }
            let healthy = !reply.isError
            available.store(healthy, ordering: .releasing)
            if healthy { flushMirror() }
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

    /// The error for a refused function call (nothing was written).
    static func refusal(_ message: String, url: RedisURL) -> StoreError {
        let detail = "redis \(url): commit refused, nothing written: \(message)"
        if message.hasPrefix("LOGLOST") {
            return .corrupt(detail + "; Redis lost acknowledged writes (restarted without its AOF?)")
        }
        if message.hasPrefix("FENCED") {
            return .configuration(detail + "; another atpd writes these partitions")
        }
        if passingRefusals.contains(where: { message.hasPrefix($0) }) { return .unavailable(detail) }
        return .configuration(detail)
    }

    /// Checks the replies to the commit and maybe `WAITAOF`.
    private func check(_ replies: [RedisReply]) throws(StoreError) {
        if let message = replies[0].errorMessage {
            let error = Self.refusal(message, url: url)
            if error.code == "store_unavailable" { available.store(false, ordering: .releasing) }
            throw error
        }
        guard replies[0].integer != nil else {
            throw .unavailable("redis \(url): atpd_commit answered \(replies[0])", mayHaveApplied: true)
        }
        guard waitForFsync else { return }
        let wait = replies[1]
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
