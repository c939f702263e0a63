import ATPEngine
import ATPUtilities
import Dispatch

/// The `Store` that keeps atpd's state in Redis (`--store redis://…`): group commit through one
/// `MULTI … EXEC` per batch (`RedisJournalWriter`), recovery by `SCAN`, and a probe that notices
/// Redis going away and coming back while no writes flow.
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

    /// Serializes the writer's connection between the commit thread and the probe.
    private final class Backend: GroupCommitBackend {
        let writer: RedisJournalWriter
        let access = Locked<UInt8>(0)
        init(_ writer: RedisJournalWriter) { self.writer = writer }
        func write(_ units: [[JournalRecord]]) throws(StoreError) {
            try access.withLock { _ throws(StoreError) in try writer.write(units) }
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
        prober.setEventHandler { [backend] in
            backend.access.withLock { _ in _ = backend.writer.probe() }
        }
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
    /// the writer's backoff of 50 ms doubling to 2 s).
    public var isAvailable: Bool { writer.isAvailable }

    public var statistics: StoreStatistics { committer.statistics }

    public func close() {
        prober.cancel()
        committer.close()
        backend.access.withLock { _ in writer.close() }
    }
}
