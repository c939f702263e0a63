import ATPUtilities
import Synchronization

/// Event ids seen (for dedupe) and per (source, cell) sequence marks.
///
/// Ids are kept as 128-bit digests in 16 shards of `ExpiringTable`; marks in 64 shards keyed by
/// cell. Applying an event locks its id shard, then its cell shard (always in that order), so a
/// duplicate racing its original, or two events of one source for one cell, are serialized.
/// Thread-safety: all methods from any thread.
final class EventLedger: Sendable {
    final class IDShard: Sendable {
        let seen: Locked<ExpiringTable<Void>>
        init(_ table: consuming ExpiringTable<Void>) { seen = Locked(table) }
    }

    final class MarkShard: Sendable {
        /// Key: source id << 32 | cell id; value: the last applied seq.
        let marks = Locked<[UInt64: Int64]>([:])
    }

    static let idShardCount = 16
    static let markShardCount = 64
    let idShards: [IDShard]
    let markShards: [MarkShard] = (0..<EventLedger.markShardCount).map { _ in MarkShard() }
    let sources = StringTable(maxKeyLength: 128)

    init(configuration: EngineConfiguration, counters: EngineCounters) {
        let perShard = max(1, configuration.eventIDCapacity / Self.idShardCount)
        idShards = (0..<Self.idShardCount).map { _ in
            IDShard(ExpiringTable(retention: configuration.eventIDRetention, capacity: perShard))
        }
    }

    func idShard(_ digest: Digest128) -> IDShard { idShards[Int(digest.low % UInt64(Self.idShardCount))] }
    func markShard(_ cell: CellID) -> MarkShard { markShards[Int(cell) % Self.markShardCount] }

    static func markKey(source: UInt32, cell: CellID) -> UInt64 { UInt64(source) << 32 | UInt64(cell) }

    /// Number of event ids remembered.
    var seenCount: Int { idShards.reduce(0) { total, shard in total + shard.seen.withLock { $0.count } } }
}
