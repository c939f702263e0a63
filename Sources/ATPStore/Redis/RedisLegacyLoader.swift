import ATPEngine
import ATPRedis
import ATPUtilities

/// Layout 1 (`RedisKeySchema`: current values, one key per fact), read for migration only.
enum RedisLegacyLayout {
    /// Keys fetched per pipeline (`HGETALL`s) or per `MGET`.
    static let chunk = 512

    /// Whether Redis holds any key of layout 1 under the schema's prefix.
    /// - Complexity: a `SCAN` of the keyspace, stopping at the first such key.
    static func hasData(_ connection: RedisConnection, schema: RedisKeySchema) throws(StoreError) -> Bool {
        var found = false
        try scan(connection, schema: schema) { key in
            if schema.kind(of: key) != nil { found = true }
            return !found
        }
        return found
    }

    /// Every key of layout 1, passed to `body` until it returns false.
    static func scan(_ connection: RedisConnection, schema: RedisKeySchema, _ body: ([UInt8]) -> Bool)
        throws(StoreError)
    {
        var cursor: [UInt8] = Array("0".utf8)
        repeat {
            let reply = try connection.storeSend(
                .scan(cursor: cursor, match: schema.scanPattern, count: 1_000))
            guard let parts = reply.array, parts.count == 2, let next = parts[0].bytes,
                let keys = parts[1].array
            else {
                throw .corrupt("redis \(connection.url): SCAN answered \(reply)")
            }
            for key in keys {
                guard let bytes = key.bytes else { continue }
                if !body(bytes) { return }
            }
            cursor = next
        } while cursor != Array("0".utf8)
    }

    /// Loads everything of layout 1 into `engine` (which must be empty), then calls
    /// `engine.finishReplay()`.
    ///
    /// `SCAN 0 MATCH P* COUNT 1000` walks the keyspace; keys are grouped by kind and fetched in
    /// chunks of 512 (one pipeline of `HGETALL`s, or one `MGET`), then replayed as `cellSnapshot`,
    /// `sequenceMark`, `channelDefined`, `deadLetter`, `eventSeen` and `idempotency` records.
    /// Reservations come last, as `reservationSnapshot`s. A key that expires during the walk is
    /// skipped; a key `SCAN` repeats is replayed twice, which changes nothing. A key or field
    /// whose value cannot be read back, or whose record replay refuses, is quarantined
    /// (`RecoveryReport.quarantined`, naming the key); a reply of the wrong shape throws
    /// `.corrupt`; a lost connection throws `.unavailable`.
    /// - Complexity: O(keys) time; memory O(reservations + 512 keys) besides the engine.
    static func load(_ connection: RedisConnection, schema: RedisKeySchema, into engine: Engine)
        throws(StoreError) -> RecoveryReport
    {
        var loader = RedisRecoveryLoader(schema: schema, engine: engine)
        let send: RedisRecoveryLoader.Send = { commands throws(StoreError) in
            try connection.storePipeline(commands)
        }
        var keys: [[UInt8]] = []
        try scan(connection, schema: schema) { key in
            keys.append(key)
            return true
        }
        for key in keys { try loader.add(key, send: send) }
        try loader.finish(send)
        var report = loader.report
        report.gaps = engine.finishReplay()
        return report
    }
}

/// Buffers scanned keys by kind and replays each chunk as soon as it is full.
///
/// Thread-safety: a value type for one thread.
struct RedisRecoveryLoader {
    typealias Send = ([RedisCommand]) throws(StoreError) -> [RedisReply]

    let schema: RedisKeySchema
    let engine: Engine
    /// Records replayed and quarantined so far.
    private(set) var report = RecoveryReport()
    private var hashes: [(key: [UInt8], kind: RedisKeySchema.Kind)] = []
    private var strings: [(key: [UInt8], kind: RedisKeySchema.Kind)] = []
    /// Every reservation key, loaded after all cells.
    private var reservations: [(key: [UInt8], kind: RedisKeySchema.Kind)] = []

    init(schema: RedisKeySchema, engine: Engine) {
        self.schema = schema
        self.engine = engine
    }

    /// Files `key` by kind; replays a chunk when one is full.
    mutating func add(_ key: [UInt8], send: Send) throws(StoreError) {
        guard let kind = schema.kind(of: key) else { return }
        switch kind {
        case .cell, .sequenceMarks, .channels, .deadLetters:
            hashes.append((key, kind))
            if hashes.count >= RedisLegacyLayout.chunk { try flushHashes(send) }
        case .idempotency, .event, .eventDigest:
            strings.append((key, kind))
            if strings.count >= RedisLegacyLayout.chunk { try flushStrings(send) }
        case .reservation:
            reservations.append((key, kind))
        }
    }

    /// Replays what is buffered, then every reservation.
    mutating func finish(_ send: Send) throws(StoreError) {
        try flushHashes(send)
        try flushStrings(send)
        strings = []
        for start in stride(from: 0, to: reservations.count, by: RedisLegacyLayout.chunk) {
            let end = min(start + RedisLegacyLayout.chunk, reservations.count)
            strings.append(contentsOf: reservations[start..<end])
            try flushStrings(send)
        }
        reservations = []
    }

    private mutating func flushHashes(_ send: Send) throws(StoreError) {
        guard !hashes.isEmpty else { return }
        let replies = try send(hashes.map { .hgetall($0.key) })
        for ((key, kind), reply) in zip(hashes, replies) {
            guard let flat = reply.array, flat.count % 2 == 0 else {
                report.quarantine("redis key \(text(key))", "not a hash: HGETALL answered \(reply)")
                continue
            }
            for i in stride(from: 0, to: flat.count, by: 2) {
                guard let field = flat[i].bytes, let value = flat[i + 1].bytes else {
                    report.quarantine("redis key \(text(key))", "not a hash")
                    continue
                }
                let place = "redis key \(text(key)) field \(text(field))"
                do throws(StoreError) {
                    replay(try record(kind, key: key, field: field, value: value), place)
                } catch {
                    report.quarantine(place, error.detail)
                }
            }
        }
        hashes.removeAll(keepingCapacity: true)
    }

    private mutating func flushStrings(_ send: Send) throws(StoreError) {
        guard !strings.isEmpty else { return }
        let replies = try send([.mget(strings.map(\.key))])
        guard let values = replies[0].array, values.count == strings.count else {
            throw .corrupt("redis: MGET answered \(replies[0])")
        }
        for ((key, kind), value) in zip(strings, values) {
            if value.isNull { continue }  // expired since SCAN saw it
            let place = "redis key \(text(key))"
            guard let bytes = value.bytes else {
                report.quarantine(place, "not a string")
                continue
            }
            do throws(StoreError) {
                replay(try record(kind, key: key, value: bytes), place)
            } catch {
                report.quarantine(place, error.detail)
            }
        }
        strings.removeAll(keepingCapacity: true)
    }

    private mutating func replay(_ record: JournalRecord, _ place: String) {
        if let problem = engine.replay(record) {
            report.quarantine(place, problem)
        } else {
            report.records += 1
        }
    }

    /// The record of one hash field.
    private func record(_ kind: RedisKeySchema.Kind, key: [UInt8], field: [UInt8], value: [UInt8])
        throws(StoreError)
        -> JournalRecord
    {
        switch kind {
        case .cell(let sku):
            guard let location = String(validating: field, as: UTF8.self),
                let (onHand, version, safety) = RedisKeySchema.parseCellValue(value)
            else { throw .corrupt("field \(text(field)) is not <onHand> <version> <safetyStock>") }
            return .cellSnapshot(
                CellSnapshotRecord(
                    sku: sku, location: location, onHand: onHand, version: version, safetyStock: safety))
        case .sequenceMarks(let source):
            guard let zero = field.firstIndex(of: 0),
                let sku = String(validating: field[..<zero], as: UTF8.self),
                let location = String(validating: field[(zero + 1)...], as: UTF8.self),
                let seq = Int64(text(value))
            else { throw .corrupt("field \(text(field)) is not <sku>\\0<location> → seq") }
            return .sequenceMark(source: source, sku: sku, location: location, seq: seq)
        case .deadLetters:
            let record = try decode(value)
            guard case .deadLetter = record else { throw .corrupt("field \(text(field)) holds \(record)") }
            return record
        default:  // .channels
            let record = try decode(value)
            guard case .channelDefined = record else {
                throw .corrupt("field \(text(field)) holds \(record)")
            }
            return record
        }
    }

    /// The record of one string key.
    private func record(_ kind: RedisKeySchema.Kind, key: [UInt8], value: [UInt8]) throws(StoreError)
        -> JournalRecord
    {
        switch kind {
        case .event(let id):
            guard let at = Int64(text(value)) else { throw .corrupt("not a time in milliseconds") }
            return .eventSeen(id: Digest128(id), at: Timestamp(milliseconds: at))
        case .eventDigest(let digest):
            guard let at = Int64(text(value)) else { throw .corrupt("not a time in milliseconds") }
            return .eventSeen(id: digest, at: Timestamp(milliseconds: at))
        case .idempotency:
            let record = try decode(value)
            guard case .idempotency = record else { throw .corrupt("holds \(record)") }
            return record
        default:  // .reservation
            let record = try decode(value)
            switch record {
            case .reservationSnapshot, .reservationCreated: return record
            default: throw .corrupt("holds \(record)")
            }
        }
    }

    private func decode(_ value: [UInt8]) throws(StoreError) -> JournalRecord {
        do {
            return try JournalRecord.decode(value)
        } catch {
            throw .corrupt(error.description)
        }
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

}
