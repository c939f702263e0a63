import ATPEngine
import ATPPosix
import ATPRedis
import ATPUtilities
import Synchronization

/// Compaction of the Redis store: snapshots of every partition written on a helper thread, after
/// which the logs they replace are removed — the file store's `FileSnapshots`, in Redis.
///
/// The writer rotates every partition to generation `g` first (`atpd_rotate`), then calls
/// `start(generation: g, …)`; the helper exports the engine (a fuzzy snapshot, taken while
/// requests are served), routes each record to its partition (`RedisLogLayout.partition(of:)`),
/// writes `{P<p>}:snap:<g>`, and only then publishes each partition's snapshot (`atpd_publish`:
/// `snap` → g, older logs and snapshots unlinked). Every change the export may have missed was
/// committed after the rotation, so it is in a log ≥ g, and replay skips what the snapshot
/// already holds. A crash at any step leaves the previous snapshot and all its logs. The cell
/// hashes (`RedisCellMirror`) are rewritten from the same export.
///
/// A change the export read may still be rolled back (its batch is in flight): before
/// publishing, the helper waits until every unit appended before the export ended has completed
/// (`GroupCommitter.barrier`) and discards the snapshot if a batch was rolled back meanwhile.
///
/// Thread-safety: every method from any thread.
final class RedisCompaction: Sendable {
    private struct State {
        var engine: Engine?
        var committer: GroupCommitter?
        var thread: JoinableThread?
        var running = false
        var completed = 0
        var failed = 0
        var lastError: StoreError?
    }

    let url: RedisURL
    let layout: RedisLogLayout
    let recordsPerFrame: Int
    let commandTimeoutMilliseconds: Int
    private let state = Locked(State())
    private let published = Atomic<UInt64>(0)

    init(url: RedisURL, layout: RedisLogLayout, recordsPerFrame: Int, commandTimeoutMilliseconds: Int) {
        self.url = url
        self.layout = layout
        self.recordsPerFrame = recordsPerFrame
        self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
    }

    /// Gives the compaction the engine it snapshots and the committer whose batches may roll
    /// some of it back.
    func attach(_ engine: Engine, committer: GroupCommitter) {
        state.withLock { ($0.engine, $0.committer) = (engine, committer) }
    }

    /// Lets go of the engine and the committer once the store is closed.
    func detach() { state.withLock { ($0.engine, $0.committer) = (nil, nil) } }

    var isRunning: Bool { state.withLock { $0.running } }

    /// The generation whose snapshots were last published by this process (0: none).
    var publishedGeneration: UInt64 { published.load(ordering: .acquiring) }

    /// Compactions completed, failed, and the last failure.
    var figures: (completed: Int, failed: Int, lastError: StoreError?) {
        state.withLock { ($0.completed, $0.failed, $0.lastError) }
    }

    /// Counts a failure that happened before a compaction could start (a failed rotation).
    func recordFailure(_ error: StoreError) {
        state.withLock {
            $0.failed += 1
            $0.lastError = error
        }
    }

    /// Starts writing the snapshots of generation `generation` on a helper thread, unless one
    /// runs; `previous` is the generation of the snapshots they replace (0: none).
    /// - Parameter epochs: each partition's epoch, as the writer commits with it.
    func start(generation: UInt64, replacing previous: UInt64, epochs: [[UInt8]]) {
        let taken = state.withLock {
            s -> (finished: JoinableThread?, engine: Engine, committer: GroupCommitter?)? in
            guard !s.running, let engine = s.engine else { return nil }
            s.running = true
            defer { s.thread = nil }
            return (s.thread, engine, s.committer)
        }
        guard let (finished, engine, committer) = taken else { return }
        finished?.join()
        let thread = JoinableThread(name: "atp-compact") { [self] in
            let rollbacks = committer?.rollbackGeneration
            let result = Result { () throws(StoreError) in
                let connection = try RedisConnection.connect(
                    url: url, connectTimeoutMilliseconds: 1_000,
                    commandTimeoutMilliseconds: commandTimeoutMilliseconds)
                try Self.writeSnapshots(
                    engine: engine, layout: layout, generation: generation, recordsPerFrame: recordsPerFrame,
                    on: connection)
                if let committer {
                    guard committer.barrier(), committer.rollbackGeneration == rollbacks else {
                        throw .unavailable("a batch was rolled back while the snapshot was taken")
                    }
                }
                try Self.publish(
                    layout: layout, generation: generation, replacing: previous, epochs: epochs,
                    on: connection)
            }
            if case .success = result { published.store(generation, ordering: .releasing) }
            state.withLock { s in
                s.running = false
                switch result {
                case .success: s.completed += 1
                case .failure(let error):
                    s.failed += 1
                    s.lastError = error
                }
            }
        }
        state.withLock { $0.thread = thread }
    }

    /// Waits for the running compaction, if any, to finish.
    func wait() {
        let thread = state.withLock { s -> JoinableThread? in
            defer { s.thread = nil }
            return s.thread
        }
        thread?.join()
    }

    /// Writes `{P<p>}:snap:<generation>` of every partition from `engine`, and every cell's
    /// mirror hash. Nothing is published.
    /// - Returns: the number of records written.
    /// - Complexity: O(engine state); the snapshot is held in memory until written. The cell
    ///   hashes are sent while cells are exported (cells are read without locks).
    @discardableResult
    static func writeSnapshots(
        engine: Engine, layout: RedisLogLayout, generation: UInt64, recordsPerFrame: Int,
        on connection: RedisConnection
    ) throws(StoreError) -> Int {
        var framers = (0..<layout.partitions).map { _ in SnapshotFramer(recordsPerFrame: recordsPerFrame) }
        let schema = RedisKeySchema(prefix: layout.prefix)
        var mirror = RESPWriter(capacity: 128 << 10)
        var failure: StoreError?
        var records = 0
        engine.exportSnapshot { record in
            framers[layout.partition(of: record)].add(record)
            records += 1
            guard failure == nil, case .cellSnapshot(let cell) = record else { return }
            RedisCellMirror.hset(cell, schema: schema, into: &mirror)
            if mirror.commands >= 1_000 {
                do throws(StoreError) { try send(mirror, on: connection) } catch { failure = error }
                mirror.reset()
            }
        }
        if let failure { throw failure }
        try send(mirror, on: connection)
        var commands = RESPWriter(capacity: 1 << 20)
        for p in 0..<layout.partitions {
            framers[p].finish()
            let key = layout.snapshot(partition: p, generation: generation)
            commands.command(arguments: 3)
            commands.argument("SET")
            commands.argument(key)
            commands.argument(framers[p].bytes)
            framers[p] = SnapshotFramer(recordsPerFrame: 1)  // free it
            if commands.bytes.count >= 8 << 20 {
                try send(commands, on: connection)
                commands.reset()
            }
        }
        try send(commands, on: connection)
        return records
    }

    /// Makes the snapshots of `generation` each partition's (`atpd_publish`), unlinking the logs
    /// and snapshots they replace: logs from `previous` (or 1) up to `generation`, snapshots from
    /// `previous` up to it (a failed compaction's included).
    static func publish(
        layout: RedisLogLayout, generation: UInt64, replacing previous: UInt64, epochs: [[UInt8]],
        on connection: RedisConnection
    ) throws(StoreError) {
        var commands = RESPWriter()
        let first = max(previous, 1)
        let replaced = first..<max(first, generation)
        for p in 0..<layout.partitions {
            commands.command(arguments: 6 + 2 * replaced.count)
            commands.argument("FCALL")
            commands.argument("atpd_publish")
            commands.argument(decimal: Int64(1 + 2 * replaced.count))
            commands.argument(layout.meta(partition: p))
            for g in replaced {
                commands.argument(layout.log(partition: p, generation: g))
                commands.argument(layout.snapshot(partition: p, generation: g))
            }
            commands.argument(epochs[p])
            commands.argument(decimal: Int64(generation))
        }
        let replies = try redisCall { () throws(RedisError) in try connection.sendFormatted(commands) }
        if let message = replies.first(where: \.isError)?.errorMessage {
            throw RedisJournalWriter.refusal(message, url: connection.url)
        }
    }

    /// Sends `commands` and fails on the first error reply.
    static func send(_ commands: RESPWriter, on connection: RedisConnection) throws(StoreError) {
        let replies = try redisCall { () throws(RedisError) in try connection.sendFormatted(commands) }
        if let message = replies.first(where: \.isError)?.errorMessage {
            throw .configuration("redis \(connection.url): compaction write refused: \(message)")
        }
    }
}
