import ATPEngine
import ATPRedis
import ATPUtilities
import Synchronization

/// The `Store` that keeps atpd's state in Redis (`--store redis://…`): group commit through one
/// `MULTI … EXEC` per batch (`RedisJournalWriter`), recovery by `SCAN`, and a probe that notices
/// Redis going away and coming back while no writes flow.
///
/// Batches hold the engine's current values, so every mutation passes `mutationGate`, which the
/// writer closes while it takes and builds a batch: no change is ever written before its records
/// (event ids, idempotency keys) are in the same or an earlier transaction.
///
/// A failed batch is rolled back in the engine (`GroupCommitter`). When Redis refused it
/// (`OOM`, `READONLY`, …) nothing was written and nothing more is needed. When the outcome is
/// unknown — the connection broke after the transaction was sent, or `WAITAOF` timed out — Redis
/// may hold it: its records become a *repair*, written from the rolled-back engine (current
/// values, `DEL` of forgotten event ids and idempotency keys) ahead of the next batch, and the
/// store reports itself unavailable until a repair has succeeded (the probe kicks one as soon as
/// Redis is back).
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
    private let prober: RepeatingTimer
    private let engine: Engine

    /// Serializes the writer's connection between the commit thread and the probe, and keeps the
    /// records Redis may hold although they were rolled back.
    private final class Backend: GroupCommitBackend {
        struct State {
            /// Records of rolled-back batches whose outcome in Redis is unknown, oldest first.
            var repair: [JournalRecord] = []
            /// The transaction being written (repair first), from `prepare`.
            var commands: [RedisCommand] = []
        }
        let writer: RedisJournalWriter
        let access = Locked(State())
        /// True while `access` holds a repair (read without the lock by `isAvailable`).
        let repairing = Atomic<Bool>(false)
        init(_ writer: RedisJournalWriter) { self.writer = writer }

        /// Builds the transaction of the repair and `units` (the gate is closed).
        func prepare(_ units: [EngineChange]) {
            access.withLock { state in
                state.commands = writer.commands(for: units, repairing: state.repair)
            }
        }

        /// Sends the prepared transaction; a success settles the repair too.
        func write(_ units: [EngineChange]) throws(StoreError) {
            try access.withLock { state throws(StoreError) in
                defer { state.commands = [] }
                try writer.send(state.commands)
                state.repair = []
                repairing.store(false, ordering: .releasing)
            }
        }

        /// Keeps the records of a batch Redis may hold as a repair (gate closed, engine rolled back).
        func rolledBack(_ units: [EngineChange], after error: StoreError) {
            guard error.mayHaveApplied else { return }
            access.withLock { state in
                for unit in units { state.repair.append(contentsOf: unit.records) }
                repairing.store(!state.repair.isEmpty, ordering: .releasing)
            }
        }

        /// Checks the connection; true when Redis is reachable and a repair is waiting.
        func probe() -> Bool {
            access.withLock { state in writer.probe() && !state.repair.isEmpty }
        }

        /// Writes the repair now (no mutation can be appended any more: at close).
        func writeRepair(_ gate: MutationGate?) {
            gate?.close()
            prepare([])
            gate?.open()
            try? write([])
        }
    }

    /// A store for `engine` at `url`; nothing is read or written before `recover`.
    /// - Parameter waitForFsync: also wait for Redis to fsync its AOF (`WAITAOF`, Redis ≥ 7.2).
    public init(
        url: RedisURL, prefix: String, waitForFsync: Bool, engine: Engine,
        probeIntervalMilliseconds: Int = 250
    ) {
        self.url = url
        writer = RedisJournalWriter(
            url: url, prefix: prefix, waitForFsync: waitForFsync, engine: engine,
            configuration: engine.configuration)
        backend = Backend(writer)
        self.engine = engine
        let gate = MutationGate()
        mutationGate = gate
        committer = GroupCommitter(backend: backend, gate: gate, name: "atp-redis")
        prober = RepeatingTimer(label: "atpd.redis-probe", intervalMilliseconds: probeIntervalMilliseconds) {
            [backend, committer] in
            if backend.probe() { committer.kick() }
        }
    }

    /// Loads every key under the prefix into `engine`, then starts writing and probing.
    /// - Throws: `.unavailable` when Redis cannot be reached, `.corrupt` for unreadable values.
    public func recover(into engine: Engine) throws(StoreError) -> RecoveryReport {
        let report = try backend.access.withLock { _ throws(StoreError) in try writer.recover(into: engine) }
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
    /// the writer's backoff of 50 ms doubling to 2 s) and has written any repair.
    public var isAvailable: Bool { writer.isAvailable && !backend.repairing.load(ordering: .acquiring) }

    public var statistics: StoreStatistics { committer.statistics }

    public func close() {
        prober.cancel()
        committer.close()
        // A last chance for a repair still owed.
        if backend.repairing.load(ordering: .acquiring) { backend.writeRepair(mutationGate) }
        backend.access.withLock { _ in writer.close() }
    }
}
