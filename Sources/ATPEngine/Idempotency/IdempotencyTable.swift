import ATPUtilities
import Synchronization

/// What to do with a request that carries an idempotency key.
public enum IdempotencyDecision: Equatable, Sendable {
    /// First use of the key: process the request, then `complete` it (a rolled-back `complete` forgets the key).
    case proceed
    /// Same key, same request, already answered: answer with this again.
    case replay(StoredOutcome)
    /// Same key, different request: `idempotency_key_reuse`.
    case mismatch
    /// Same key while the first request is still being processed: `idempotency_in_progress`.
    case inProgress
}

/// Idempotency keys, scoped per client, in 16 mutex-protected shards of `ExpiringTable`.
///
/// Each key is stored as the 128-bit digest of (scope, key) with the digest of the request it
/// came with and its `StoredOutcome` inline; memory per key is fixed apart from the outcome's
/// lines and strings (shared with the reservation while the engine holds it). Keys are kept for
/// `idempotencyRetention`; beyond `idempotencyCapacity` the oldest are dropped and counted in
/// `EngineCounters.idempotencyEvictions`.
/// Thread-safety: all methods from any thread; each locks one shard.
public final class IdempotencyTable: Sendable {
    struct Entry: Sendable {
        var fingerprint: Digest128
        /// nil while the first request is in progress.
        var outcome: StoredOutcome?
    }

    private final class Shard: Sendable {
        let table: Locked<ExpiringTable<Entry>>
        init(_ table: consuming ExpiringTable<Entry>) { self.table = Locked(table) }
    }

    private static let shardCount = 16
    private let shards: [Shard]
    private let inProgressTimeout: Int64
    private let counters: EngineCounters

    init(configuration: EngineConfiguration, counters: EngineCounters) {
        let perShard = max(1, configuration.idempotencyCapacity / Self.shardCount)
        shards = (0..<Self.shardCount).map { _ in
            Shard(ExpiringTable(retention: configuration.idempotencyRetention, capacity: perShard))
        }
        inProgressTimeout = configuration.idempotencyInProgressTimeout
        self.counters = counters
    }

    /// The digest a key is stored under.
    public static func keyDigest(scope: String, key: String) -> Digest128 { Digest128(scope, key) }

    /// Decides what to do with a request carrying `key`, marking the key in progress on `.proceed`.
    /// - Parameter fingerprint: a digest of everything that makes the request what it is
    ///   (method, path and body).
    public func begin(scope: String, key: String, fingerprint: Digest128, now: Timestamp)
        -> IdempotencyDecision
    {
        let digest = Self.keyDigest(scope: scope, key: key)
        return shard(digest).table.withLock { table -> IdempotencyDecision in
            if let existing = table.value(digest, now: now.milliseconds), let at = table.entry(digest)?.at {
                if existing.fingerprint != fingerprint { return .mismatch }
                if let outcome = existing.outcome { return .replay(outcome) }
                if at + inProgressTimeout > now.milliseconds { return .inProgress }
            }
            let evicted = table.insert(
                digest, Entry(fingerprint: fingerprint, outcome: nil), at: now.milliseconds,
                now: now.milliseconds)
            counters.idempotencyEvictions.add(evicted, ordering: .relaxed)
            return .proceed
        }
    }

    /// Stores the answer of a request begun with `.proceed`.
    /// - Returns: the journal record that makes the key durable.
    public func complete(
        scope: String, key: String, fingerprint: Digest128, outcome: StoredOutcome, now: Timestamp
    ) -> JournalRecord {
        var change = EngineChange()
        complete(scope: scope, key: key, fingerprint: fingerprint, outcome: outcome, now: now, into: &change)
        return change.records[0]
    }

    /// `complete`, appending its record to `change` (undone by forgetting the key, so a retry
    /// proceeds anew).
    public func complete(
        scope: String, key: String, fingerprint: Digest128, outcome: StoredOutcome, now: Timestamp,
        into change: inout EngineChange
    ) {
        let record = IdempotencyRecord(
            key: Self.keyDigest(scope: scope, key: key), fingerprint: fingerprint, outcome: outcome, at: now)
        restore(record, now: now)
        change.append(.idempotency(record))
    }

    /// Forgets the key stored under `digest`, completed or not (rollback of `complete`).
    func forget(_ digest: Digest128) {
        shard(digest).table.withLock { $0.remove(digest) }
    }

    /// Puts a completed key back (journal replay, and `complete` itself).
    func restore(_ record: IdempotencyRecord, now: Timestamp) {
        shard(record.key).table.withLock { table in
            let evicted = table.insert(
                record.key, Entry(fingerprint: record.fingerprint, outcome: record.outcome),
                at: record.at.milliseconds, now: now.milliseconds)
            counters.idempotencyEvictions.add(evicted, ordering: .relaxed)
        }
    }

    /// Every completed key as a journal record (snapshots).
    func forEachCompleted(_ body: (IdempotencyRecord) -> Void) {
        for shard in shards {
            shard.table.withLock { table in
                table.forEach { key, entry, at in
                    guard let outcome = entry.outcome else { return }
                    body(
                        IdempotencyRecord(
                            key: key, fingerprint: entry.fingerprint, outcome: outcome,
                            at: Timestamp(milliseconds: at)))
                }
            }
        }
    }

    /// Number of keys held (completed and in progress).
    public var count: Int { shards.reduce(0) { total, shard in total + shard.table.withLock { $0.count } } }

    private func shard(_ digest: Digest128) -> Shard { shards[Int(digest.low % UInt64(Self.shardCount))] }
}
