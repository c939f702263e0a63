import ATPEngine
import ATPRedis

/// The Redis commands that make one batch of journal records durable (`RedisKeySchema`).
///
/// Records only say *what* was touched; the values written are the engine's current ones
/// (`Engine.cellFigures`, `Engine.reservation`, `Engine.channel(named:)`), collected once per
/// touched cell, reservation or channel. So the batch must be built while no change is in the
/// engine without its records in this or an earlier batch (`MutationGate`): a newer change riding
/// along would be durable without its event id or idempotency key, and applied again when its
/// client retries after a crash. Immutable facts (event ids, sequence marks, idempotency keys) are
/// written from the records themselves.
///
/// Thread-safety: a value type for one thread. Complexity: O(records + touched keys).
struct RedisBatch {
    let schema: RedisKeySchema
    let engine: Engine
    let configuration: EngineConfiguration
    /// The engine's time when the batch is built; retention is counted from it.
    let now: Timestamp

    /// Touched cells, by sku (first-seen order), each with its locations.
    private var cellLocations: [String: [String]] = [:]
    private var cellOrder: [String] = []
    private var cellSeen: Set<CellSnapshotRecord.Key> = []
    /// Figures from snapshot records, used only when the engine no longer has the cell.
    private var snapshotFigures: [CellSnapshotRecord.Key: CellSnapshotRecord] = [:]
    private var reservations: [ReservationID] = []
    private var reservationSeen: Set<ReservationID> = []
    private var events: [(key: [UInt8], at: Timestamp)] = []
    /// Per source, the highest seq of each `<sku>\0<location>` field.
    private var marks: [String: [[UInt8]: Int64]] = [:]
    private var idempotency: [IdempotencyRecord] = []
    private var channels: [String] = []
    private var channelSeen: Set<String> = []
    /// `HSET`/`HDEL`/`DEL` of `P dl:<channel>`, in record order.
    private var deadLetterCommands: [RedisCommand] = []
    /// Repair: keys of forgotten event ids and idempotency keys (`DEL`ed first), sequence marks
    /// and dead-letter hashes to write from the engine's state.
    private var forgotten: [[UInt8]] = []
    private var repairedMarks: [(source: String, sku: String, location: String)] = []
    private var repairedLetters: [String] = []

    init(schema: RedisKeySchema, engine: Engine, configuration: EngineConfiguration, now: Timestamp) {
        self.schema = schema
        self.engine = engine
        self.configuration = configuration
        self.now = now
    }

    /// Notes what `record` touched.
    mutating func add(_ record: JournalRecord) {
        switch record {
        case .stockEvent(let r):
            touchCell(r.event.sku, r.event.location)
            events.append((schema.event(id: r.event.id), r.at))
            if let source = r.event.source, let seq = r.event.seq {
                mark(source: source, sku: r.event.sku, location: r.event.location, seq: seq)
            }
        case .safetyStock(let sku, let location, _):
            touchCell(sku, location)
        case .cellSnapshot(let c):
            snapshotFigures[c.key] = c
            touchCell(c.sku, c.location)
        case .reservationCreated(let r), .reservationSnapshot(let r):
            touchReservation(r.id)
        case .reservationTransition(let t):
            touchReservation(t.id)
        case .idempotency(let r):
            idempotency.append(r)
        case .channelDefined(let view):
            touchChannel(view.name)
        case .channelRemoved(let name):
            touchChannel(name)
            deadLetterCommands.append(.del(schema.deadLetters(channel: name)))
        case .deadLetter(let letter):
            deadLetterCommands.append(
                .hset(
                    schema.deadLetters(channel: letter.channel), field: Array(letter.webhookID.utf8),
                    value: record.encoded))
        case .deadLettersRemoved(let channel, let ids):
            guard !ids.isEmpty else { break }
            deadLetterCommands.append(
                .hdel(schema.deadLetters(channel: channel), fields: ids.map { Array($0.utf8) }))
        case .sequenceMark(let source, let sku, let location, let seq):
            mark(source: source, sku: sku, location: location, seq: seq)
        case .eventSeen(let id, let at):
            events.append((schema.eventDigest(id), at))
        }
    }

    /// Notes what a rolled-back `record` touched, so that the batch writes the engine's state
    /// over whatever Redis may hold of it: cells, reservations and channels as they are now (a
    /// rolled-back reservation is `DEL`ed), its event id or idempotency key `DEL`ed (before any
    /// record of this batch sets it again), sequence marks and dead letters as the engine has them.
    mutating func repair(_ record: JournalRecord) {
        switch record {
        case .stockEvent(let r):
            touchCell(r.event.sku, r.event.location)
            forgotten.append(schema.event(id: r.event.id))
            if let source = r.event.source, r.event.seq != nil {
                repairedMarks.append((source, r.event.sku, r.event.location))
            }
        case .idempotency(let r):
            forgotten.append(schema.idempotency(r.key))
        case .channelRemoved(let name):
            touchChannel(name)
            repairedLetters.append(name)
        case .deadLetter(let letter):
            repairedLetters.append(letter.channel)
        case .deadLettersRemoved(let channel, _):
            repairedLetters.append(channel)
        case .safetyStock, .cellSnapshot, .reservationCreated, .reservationSnapshot, .reservationTransition,
            .channelDefined, .sequenceMark, .eventSeen:
            add(record)
        }
    }

    /// The commands, without `MULTI`/`EXEC`; empty when nothing was touched.
    mutating func commands() -> [RedisCommand] {
        var out: [RedisCommand] = []
        if !forgotten.isEmpty { out.append(.del(forgotten)) }
        // Reservations first: a fulfilled one touches its lines' cells.
        for id in reservations {
            let key = schema.reservation(id)
            guard let r = engine.reservation(id) else {
                out.append(.del(key))  // purged from the engine: retention is over
                continue
            }
            if r.status == .fulfilled {
                for line in r.lines { touchCell(line.sku, line.location) }
            }
            let value = JournalRecord.reservationSnapshot(r).encoded
            if r.status.isFinal {
                out.append(
                    expiring(key, value, at: r.updatedAt, retention: configuration.finalReservationRetention))
            } else {
                out.append(.set(key, to: value))
            }
        }
        for sku in cellOrder {
            let locations = cellLocations[sku] ?? []
            var command = RedisCommand.hset(schema.cell(sku: sku), reservingPairs: locations.count)
            for location in locations {
                let key = CellSnapshotRecord.Key(sku: sku, location: location)
                guard let figures = engine.cellFigures(sku: sku, location: location) ?? snapshotFigures[key]
                else {
                    continue
                }
                command.append(field: Array(location.utf8), value: RedisKeySchema.cellValue(figures))
            }
            if command.arguments.count > 2 { out.append(command) }
        }
        for (key, at) in events {
            out.append(
                expiring(
                    key, Array(String(at.milliseconds).utf8), at: at,
                    retention: configuration.eventIDRetention))
        }
        for (source, fields) in marks.sorted(by: { $0.key < $1.key }) {
            var command = RedisCommand.hset(
                schema.sequenceMarks(source: source), reservingPairs: fields.count)
            for (field, seq) in fields { command.append(field: field, value: Array(String(seq).utf8)) }
            out.append(command)
        }
        for r in idempotency {
            let value = JournalRecord.idempotency(r).encoded
            out.append(
                expiring(
                    schema.idempotency(r.key), value, at: r.at, retention: configuration.idempotencyRetention)
            )
        }
        var defined = RedisCommand.hset(schema.channels, reservingPairs: channels.count)
        var removed = RedisCommand.hdel(schema.channels)
        for name in channels {
            if let view = engine.channel(named: name)?.view {
                defined.append(field: Array(name.utf8), value: JournalRecord.channelDefined(view).encoded)
            } else {
                removed.append(Array(name.utf8))
            }
        }
        if defined.arguments.count > 2 { out.append(defined) }
        if removed.arguments.count > 2 { out.append(removed) }
        out.append(contentsOf: deadLetterCommands)
        for (source, sku, location) in repairedMarks {
            let field = RedisKeySchema.sequenceField(sku: sku, location: location)
            if let seq = engine.sequenceMark(source: source, sku: sku, location: location) {
                out.append(
                    .hset(schema.sequenceMarks(source: source), field: field, value: Array(String(seq).utf8)))
            } else {
                out.append(.hdel(schema.sequenceMarks(source: source), fields: [field]))
            }
        }
        var rewritten: Set<String> = []
        for channel in repairedLetters where rewritten.insert(channel).inserted {
            let key = schema.deadLetters(channel: channel)
            out.append(.del(key))
            let letters = engine.deadLetters(channel: channel)
            guard !letters.isEmpty else { continue }
            var command = RedisCommand.hset(key, reservingPairs: letters.count)
            for letter in letters {
                command.append(
                    field: Array(letter.webhookID.utf8), value: JournalRecord.deadLetter(letter).encoded)
            }
            out.append(command)
        }
        return out
    }

    // MARK: Internals

    /// `SET key value PX <retention − age>`, or `DEL key` when the retention is already over
    /// (Redis refuses a non-positive `PX`).
    private func expiring(_ key: [UInt8], _ value: [UInt8], at: Timestamp, retention: Int64) -> RedisCommand {
        let remaining = retention - (now.milliseconds - at.milliseconds)
        guard remaining > 0 else { return .del(key) }
        return .set(key, to: value, expiringInMilliseconds: remaining)
    }

    private mutating func touchCell(_ sku: String, _ location: String) {
        guard cellSeen.insert(CellSnapshotRecord.Key(sku: sku, location: location)).inserted else { return }
        if cellLocations[sku] == nil { cellOrder.append(sku) }
        cellLocations[sku, default: []].append(location)
    }

    private mutating func touchReservation(_ id: ReservationID) {
        if reservationSeen.insert(id).inserted { reservations.append(id) }
    }

    private mutating func touchChannel(_ name: String) {
        if channelSeen.insert(name).inserted { channels.append(name) }
    }

    private mutating func mark(source: String, sku: String, location: String, seq: Int64) {
        let field = RedisKeySchema.sequenceField(sku: sku, location: location)
        marks[source, default: [:]][field] = max(marks[source]?[field] ?? seq, seq)
    }
}

extension CellSnapshotRecord {
    /// A cell's (sku, location), hashable.
    struct Key: Hashable {
        var sku: String
        var location: String
    }

    var key: Key { Key(sku: sku, location: location) }
}
