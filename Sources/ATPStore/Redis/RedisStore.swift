import ATPEngine
import ATPUtilities
import Dispatch
import Synchronization

/// The `Store` that keeps atpd's state in Redis (`--store redis://…`): group commit through one
/// `MULTI … EXEC` per batch (`RedisJournalWriter`), recovery by `SCAN`, and a probe that notices
/// Redis going away and coming back while no writes flow.
///
/// A unit whose batch failed with `.unavailable` is already applied in the engine (its client
/// gets a 503, but reads show it, and a retry with the same event id or `Idempotency-Key` is
/// answered from it). So it is owed to Redis: it is written again ahead of the next batch, or by
/// the probe as soon as Redis is back, and the store reports itself unavailable until it is.
/// Writing a unit again is harmless (`RedisJournalWriter.write` writes current values).
///
/// Thread-safety: the `Store` contract. The hiredis context is used by the group committer's
/// writer thread and the probe timer in turn, never at once (`access` serializes them).
public final class RedisStore: Store, @unchecked Sendable {  // the timer is set up in init only
    public let kind = "redis"
    public let url: RedisURL
    private let writer: RedisJournalWriter
    private let backend: Backend
    private let committer: GroupCommitter
    private let prober: DispatchSourceTimer

    /// Serializes the writer's connection between the commit thread and the probe, and keeps the
    /// units owed to Redis.
    private final class Backend: GroupCommitBackend {
        let writer: RedisJournalWriter
        /// Units of batches that failed with `.unavailable`, in append order, each once.
        let access = Locked<[[JournalRecord]]>([])
        /// True while `access` holds owed units (read without the lock by `isAvailable`).
        let owing = Atomic<Bool>(false)
        init(_ writer: RedisJournalWriter) { self.writer = writer }

        func write(_ units: [[JournalRecord]]) throws(StoreError) {
            try access.withLock { owed throws(StoreError) in try write(&owed, then: units) }
        }

        /// Checks the connection and, when Redis is reachable, writes the owed units.
        func probe() {
            access.withLock { owed in
                if writer.probe() && !owed.isEmpty { try? write(&owed, then: []) }
            }
        }

        /// Writes `owed` and `units` as one batch; on `.unavailable` all of them stay owed.
        private func write(_ owed: inout [[JournalRecord]], then units: [[JournalRecord]])
            throws(StoreError)
        {
            var batch = units
            if !owed.isEmpty {
                var seen = Set(owed)  // the stream consumer appends its failed unit again: one copy
                batch = owed + units.filter { seen.insert($0).inserted }
            }
            do {
                try writer.write(batch)
                owed = []
            } catch {
                if error == .unavailable("") { owed = batch }
                owing.store(!owed.isEmpty, ordering: .releasing)
                throw error
            }
            owing.store(false, ordering: .releasing)
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
        committer = GroupCommitter(backend: backend, name: "atp-redis")
        prober = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "atpd.redis-probe"))
        let interval = DispatchTimeInterval.milliseconds(probeIntervalMilliseconds)
        prober.schedule(deadline: .now() + interval, repeating: interval)
        prober.setEventHandler { [backend] in backend.probe() }
    }

    /// Loads every key under the prefix into `engine`, then starts writing and probing.
    /// - Throws: `.unavailable` when Redis cannot be reached, `.corrupt` for unreadable values.
    public func recover(into engine: Engine) throws(StoreError) -> RecoveryReport {
        let report = try backend.access.withLock { _ throws(StoreError) in try writer.recover(into: engine) }
        committer.start()
        prober.resume()
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
        if backend.owing.load(ordering: .acquiring) { backend.probe() }  // a last chance to pay
        backend.access.withLock { _ in writer.close() }
    }
}
