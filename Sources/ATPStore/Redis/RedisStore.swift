import ATPEngine
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
/// A unit whose batch failed with `.unavailable` is already applied in the engine (its client
/// gets a 503, but reads show it, and a retry with the same event id or `Idempotency-Key` is
/// answered from it). So it is owed to Redis: it is written again ahead of the next batch — the
/// probe kicks one as soon as Redis is back — and the store reports itself unavailable until it
/// is. Writing a unit again is harmless (its values are current ones).
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

    /// Serializes the writer's connection between the commit thread and the probe, and keeps the
    /// units owed to Redis.
    private final class Backend: GroupCommitBackend {
        struct State {
            /// Units of batches that failed with `.unavailable`, in append order, each once.
            var owed: [[JournalRecord]] = []
            /// The batch being written (owed units first) and its transaction, from `prepare`.
            var batch: [[JournalRecord]] = []
            var commands: [[[UInt8]]] = []
        }
        let writer: RedisJournalWriter
        let access = Locked(State())
        /// True while `access` holds owed units (read without the lock by `isAvailable`).
        let owing = Atomic<Bool>(false)
        init(_ writer: RedisJournalWriter) { self.writer = writer }

        /// Builds the transaction of the owed units and `units` (the gate is closed).
        func prepare(_ units: [[JournalRecord]]) {
            access.withLock { state in
                var batch = units
                if !state.owed.isEmpty {
                    var seen = Set(state.owed)  // the stream consumer appends its failed unit again: one copy
                    batch = state.owed + units.filter { seen.insert($0).inserted }
                }
                state.commands = writer.commands(for: batch)
                state.batch = batch
            }
        }

        /// Sends the prepared transaction; on `.unavailable` its units stay owed.
        func write(_ units: [[JournalRecord]]) throws(StoreError) {
            try access.withLock { state throws(StoreError) in
                defer { (state.batch, state.commands) = ([], []) }
                do throws(StoreError) {
                    try writer.send(state.commands)
                    state.owed = []
                } catch {
                    if error == .unavailable("") { state.owed = state.batch }
                    owing.store(!state.owed.isEmpty, ordering: .releasing)
                    throw error
                }
                owing.store(false, ordering: .releasing)
            }
        }

        /// Checks the connection; true when Redis is reachable and units are owed to it.
        func probe() -> Bool {
            access.withLock { state in writer.probe() && !state.owed.isEmpty }
        }

        /// Writes the owed units now (no mutation can be appended any more: at close).
        func payOwed(_ gate: MutationGate?) {
            gate?.close()
            prepare([])
            gate?.open()
            try? write([])
        }
    }

    /// A store for `engine` at `url`; nothing is read or written before `recover`.
    /// - Parameter waitForFsync: also wait for Redis to fsync its AOF (`WAITAOF`, Redis ≥ 7.2).
    public init(
        url: RedisURL, prefix: String, waitForFsync: Bool, engine: Engine, probeIntervalMilliseconds: Int = 250
    ) {
        self.url = url
        writer = RedisJournalWriter(
            url: url, prefix: prefix, waitForFsync: waitForFsync, engine: engine,
            configuration: engine.configuration)
        backend = Backend(writer)
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
        committer.start()
        prober.start()
        return report
    }

    public func append(_ unit: [JournalRecord], completion: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        committer.append(unit, completion: completion)
    }

    /// False from a failed write or probe until a probe reconnects (every 250 ms by default, with
    /// the writer's backoff of 50 ms doubling to 2 s) and has written the units owed to Redis.
    public var isAvailable: Bool { writer.isAvailable && !backend.owing.load(ordering: .acquiring) }

    public var statistics: StoreStatistics { committer.statistics }

    public func close() {
        prober.cancel()
        committer.close()
        if backend.owing.load(ordering: .acquiring) { backend.payOwed(mutationGate) }  // a last chance
        backend.access.withLock { _ in writer.close() }
    }
}
