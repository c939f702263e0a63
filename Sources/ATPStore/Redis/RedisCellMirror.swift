import ATPEngine
import ATPRedis

/// The cell hashes other tools read (`P cell:<sku>`, field `<location>` →
/// `"<onHand> <version> <safetyStock>"`), kept up to date from the engine: not part of atpd's
/// durable state (recovery never reads them).
///
/// The writer notes the cells a committed batch changed (`note`): stock events, safety stock and
/// fulfilments — holds do not change a cell's figures here, since `reserved` is not mirrored.
/// `flush` writes the engine's current figures of the noted cells, one `HSET` per cell, at most
/// once per `intervalMilliseconds`; so a change reaches its hash within that interval while
/// Redis is reachable, and at close. Compaction rewrites every cell as well (`RedisCompaction`), which also
/// covers changes a crash kept from being flushed.
///
/// Thread-safety: confined to the writer thread. Complexity: `note` O(1) amortized per record;
/// `flush` O(noted cells).
struct RedisCellMirror {
    let schema: RedisKeySchema
    let intervalMilliseconds: Int64
    private var dirty: Set<CellKey> = []
    /// Cells changed since a compaction began exporting, while one runs: its hash writes may
    /// carry figures older than theirs, so they are written again once it has finished.
    private var sinceCompactionBegan: Set<CellKey>?
    private var lastFlush: Int64 = 0

    /// A cell's (sku, location).
    private struct CellKey: Hashable {
        var sku: String
        var location: String
    }

    init(prefix: String, intervalMilliseconds: Int64) {
        schema = RedisKeySchema(prefix: prefix)
        self.intervalMilliseconds = intervalMilliseconds
    }

    var isEmpty: Bool { dirty.isEmpty }

    /// Notes the cells `record` changed.
    mutating func note(_ record: JournalRecord, engine: Engine) {
        switch record {
        case .stockEvent(let r): insert(CellKey(sku: r.event.sku, location: r.event.location))
        case .safetyStock(let sku, let location, _): insert(CellKey(sku: sku, location: location))
        case .reservationTransition(let t) where t.status == .fulfilled:
            for line in engine.reservation(t.id)?.lines ?? [] {
                insert(CellKey(sku: line.sku, location: line.location))
            }
        default: break
        }
    }

    /// A compaction begins: remember what changes from now on.
    mutating func compactionBegan() { sinceCompactionBegan = [] }

    /// The compaction has finished (or failed): what changed meanwhile is written again.
    mutating func compactionEnded() {
        guard let changed = sinceCompactionBegan else { return }
        dirty.formUnion(changed)
        sinceCompactionBegan = nil
    }

    /// Whether a compaction began and its end has not been noted.
    var awaitsCompaction: Bool { sinceCompactionBegan != nil }

    private mutating func insert(_ key: CellKey) {
        dirty.insert(key)
        sinceCompactionBegan?.insert(key)
    }

    /// Writes the noted cells into `commands` (one `HSET` each) if the interval has passed
    /// since the last flush; the caller sends them and calls `flushed()` on success.
    /// - Returns: whether anything was written.
    mutating func flush(into commands: inout RESPWriter, engine: Engine, now: Int64) -> Bool {
        guard !dirty.isEmpty, now - lastFlush >= intervalMilliseconds else { return false }
        for key in dirty {
            guard let figures = engine.cellFigures(sku: key.sku, location: key.location) else { continue }
            Self.hset(figures, schema: schema, into: &commands)
        }
        lastFlush = now == .max ? lastFlush : now
        return commands.commands > 0
    }

    /// Forgets the noted cells once their `HSET`s were answered.
    mutating func flushed() { dirty.removeAll(keepingCapacity: true) }

    /// `HSET P cell:<sku> <location> <figures>`.
    static func hset(_ figures: CellSnapshotRecord, schema: RedisKeySchema, into commands: inout RESPWriter) {
        commands.command(arguments: 4)
        commands.argument("HSET")
        commands.argument(schema.cell(sku: figures.sku))
        commands.argument(figures.location.utf8)
        commands.argument(RedisKeySchema.cellValue(figures))
    }
}
