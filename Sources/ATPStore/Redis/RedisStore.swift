import ATPEngine
import ATPRedis
import ATPUtilities
import Synchronization

/// The `Store` that keeps atpd's journal in Redis (`--store redis://…`): group commit through one
/// `FCALL atpd_commit` per batch into partitioned logs (`RedisJournalWriter`, `RedisLogLayout`),
/// compaction into snapshots on a helper thread (`RedisCompaction`), and a probe that notices
/// Redis going away and coming back while no writes flow.
///
/// A failed batch is rolled back in the engine (`GroupCommitter`). When Redis refused it nothing
/// was written. When the outcome is unknown — the connection broke after the call was sent, or
/// `WAITAOF` timed out — the partitions it touched are unsettled until the next call has cut
/// their logs back to what is known durable; the store reports itself unavailable meanwhile (the
/// probe kicks a call as soon as Redis is back).
///
/// Thread-safety: the `Store` contract. The hiredis context is used by the group committer's
/// writer thread and the probe timer in turn, never at once (`access` serializes them).
public final class RedisStore: Store, @unchecked Sendable {  // the timer is set up in init only
    public let kind = "redis"
    public let url: RedisURL
    public let mutationGate: MutationGate?
    private let writer: RedisJournalWriter
    private let backend: Backend
    private let committer: GroupCommitter
    private let compaction: RedisCompaction
    private let prober: RepeatingTimer

    /// Serializes the writer's connection between the commit thread and the probe.
    private final class Backend: GroupCommitBackend {
        let writer: RedisJournalWriter
        let access = Locked(())
        init(_ writer: RedisJournalWriter) { self.writer = writer }

        func write(_ units: [EngineChange]) throws(StoreError) {
            try access.withLock { _ throws(StoreError) in try writer.write(units) }
        }

        func didFinishBatch() { access.withLock { _ in writer.didFinishBatch() } }

        /// Checks the connection; true when Redis is reachable and a partition waits to be settled.
        func probe() -> Bool { access.withLock { _ in writer.probe() && writer.isUnsettled } }
    }

    /// A store for `engine` at `url`; nothing is read or written before `recover`.
    /// - Parameter waitForFsync: also wait for Redis to fsync its AOF (`WAITAOF`, Redis ≥ 7.2).
    public init(
        url: RedisURL, prefix: String, waitForFsync: Bool, engine: Engine,
        options: RedisJournalWriter.Options = .init(), probeIntervalMilliseconds: Int = 250
    ) {
        self.url = url
        writer = RedisJournalWriter(
            url: url, prefix: prefix, waitForFsync: waitForFsync, engine: engine, options: options)
        backend = Backend(writer)
        compaction = RedisCompaction(
            url: url, layout: writer.layout, recordsPerFrame: options.snapshotRecordsPerFrame,
            commandTimeoutMilliseconds: writer.commandTimeoutMilliseconds)
        writer.compaction = compaction
        let gate = MutationGate()
        mutationGate = gate
        committer = GroupCommitter(backend: backend, gate: gate, name: "atp-redis")
        prober = RepeatingTimer(label: "atpd.redis-probe", intervalMilliseconds: probeIntervalMilliseconds) {
            [backend, committer] in
            if backend.probe() { committer.kick() }
        }
    }

    /// Loads the store into `engine` (see `RedisJournalWriter.recover`), then starts writing,
    /// compacting and probing.
    /// - Throws: `.unavailable` when Redis cannot be reached, `.corrupt` for damaged data,
    ///   `.configuration` for a layout or Redis this atpd cannot use.
    public func recover(into engine: Engine) throws(StoreError) -> RecoveryReport {
        let report = try backend.access.withLock { _ throws(StoreError) in try writer.recover(into: engine) }
        compaction.attach(engine, committer: committer)
        committer.start(engine: engine)
        prober.start()
        return report
    }

    public func append(
        _ unit: EngineChange, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void
    ) {
        committer.append(unit, completion: completion)
    }

    public func appendInsideGate(
        _ unit: EngineChange, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void
    ) {
        committer.append(unit, waking: false, completion: completion)
    }

    public func wakeWriter() { committer.wake() }

    /// False from a failed write or probe until a probe reconnects (every 250 ms by default, with
    /// the writer's backoff of 50 ms doubling to 2 s) and every partition is settled.
    public var isAvailable: Bool { writer.isAvailable }

    public var statistics: StoreStatistics {
        var s = committer.statistics
        s.snapshots = compaction.figures.completed
        return s
    }

    /// Compactions that failed; the logs are kept whole meanwhile.
    public var failedCompactions: Int { compaction.figures.failed }

    public func close() {
        prober.cancel()
        committer.close()
        compaction.wait()
        compaction.detach()
        backend.access.withLock { _ in
            // A last chance to settle partitions an unknown outcome left behind.
            if writer.isUnsettled { try? writer.write([]) }
            writer.finishMirror()
            writer.close()
        }
    }

    // MARK: Testing

    /// Waits until the running compaction, if any, has finished.
    func waitForCompactionForTesting() { compaction.wait() }
}
