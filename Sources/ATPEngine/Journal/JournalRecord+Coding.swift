/// The binary form of journal records: a format byte (3), a kind byte, then the kind's fields.
///
/// Field order is fixed per kind and format; a new field or kind means a new format number, and
/// decoders keep reading older formats. Format 2 adds the channel push settings after the
/// locations of `channelDefined` (an optional marker, then the fields of `ChannelDelivery`) and
/// the kinds `deadLetter` and `deadLettersRemoved`; every other kind is as in format 1. Format 3
/// keeps an `idempotency` record's outcome as the facts its answer is rendered from instead of
/// the response body (`JournalRecord+Idempotency.swift`); every other kind is as in format 2.
extension JournalRecord {
    /// The format number written in the first byte of every record.
    public static let formatVersion: UInt8 = 3

    private enum Kind: UInt8 {
        case stockEvent = 1
        case safetyStock, reservationCreated, reservationTransition, idempotency
        case channelDefined, channelRemoved, cellSnapshot, sequenceMark, eventSeen, reservationSnapshot
        case deadLetter, deadLettersRemoved
    }

    /// Appends this record's bytes to `bytes`.
    /// - Complexity: O(size of the record).
    public func encode(into bytes: inout [UInt8]) {
        var w = JournalWriter(bytes: bytes)
        bytes = []
        w.u8(Self.formatVersion)
        switch self {
        case .stockEvent(let r):
            w.u8(Kind.stockEvent.rawValue)
            w.string(r.event.id)
            w.optionalString(r.event.source)
            w.u8(r.event.seq == nil ? 0 : 1)
            if let seq = r.event.seq { w.int(seq) }
            w.u8(r.event.kind.rawValue)
            w.string(r.event.sku)
            w.string(r.event.location)
            w.int(r.event.amount)
            w.time(r.at)
            w.varint(UInt64(r.version))
        case .safetyStock(let sku, let location, let value):
            w.u8(Kind.safetyStock.rawValue)
            w.string(sku)
            w.string(location)
            w.int(value)
        case .reservationCreated(let r):
            w.u8(Kind.reservationCreated.rawValue)
            Self.write(r, to: &w)
        case .reservationSnapshot(let r):
            w.u8(Kind.reservationSnapshot.rawValue)
            Self.write(r, to: &w)
        case .reservationTransition(let t):
            w.u8(Kind.reservationTransition.rawValue)
            w.varint(t.id.raw)
            w.u8(t.status.rawValue)
            w.time(t.at)
            w.varint(UInt64(t.versions.count))
            for v in t.versions { w.varint(UInt64(v)) }
        case .idempotency(let r):
            w.u8(Kind.idempotency.rawValue)
            Self.write(r, to: &w)
        case .channelDefined(let v):
            w.u8(Kind.channelDefined.rawValue)
            w.string(v.name)
            w.int(v.bufferUnits)
            if let locations = v.locations {
                w.u8(1)
                w.varint(UInt64(locations.count))
                for l in locations { w.string(l) }
            } else {
                w.u8(0)
            }
            Self.write(v.delivery, to: &w)
        case .deadLetter(let d):
            w.u8(Kind.deadLetter.rawValue)
            w.string(d.channel)
            w.string(d.webhookID)
            w.varint(UInt64(d.attempts))
            w.string(d.lastError)
            w.time(d.failedAt)
            w.varint(UInt64(d.updates.count))
            for u in d.updates {
                w.string(u.sku)
                w.int(u.available)
                w.time(u.at)
            }
        case .deadLettersRemoved(let channel, let ids):
            w.u8(Kind.deadLettersRemoved.rawValue)
            w.string(channel)
            w.varint(UInt64(ids.count))
            for id in ids { w.string(id) }
        case .channelRemoved(let name):
            w.u8(Kind.channelRemoved.rawValue)
            w.string(name)
        case .cellSnapshot(let c):
            w.u8(Kind.cellSnapshot.rawValue)
            w.string(c.sku)
            w.string(c.location)
            w.int(c.onHand)
            w.varint(UInt64(c.version))
            w.int(c.safetyStock)
        case .sequenceMark(let source, let sku, let location, let seq):
            w.u8(Kind.sequenceMark.rawValue)
            w.string(source)
            w.string(sku)
            w.string(location)
            w.int(seq)
        case .eventSeen(let id, let at):
            w.u8(Kind.eventSeen.rawValue)
            w.digest(id)
            w.time(at)
        }
        bytes = w.bytes
    }

    /// This record's bytes.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        encode(into: &bytes)
        return bytes
    }

    /// Decodes exactly one record from `bytes` (all of them).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(JournalDecodingError) -> JournalRecord {
        var r = JournalReader(bytes)
        let format = try r.u8()
        guard (1...formatVersion).contains(format) else {
            throw JournalDecodingError("unknown record format \(format)")
        }
        let tag = try r.u8()
        guard let kind = Kind(rawValue: tag) else { throw JournalDecodingError("unknown record kind \(tag)") }
        let record: JournalRecord
        switch kind {
        case .stockEvent:
            let id = try r.string()
            let source = try r.optionalString()
            let seq: Int64?
            switch try r.u8() {
            case 0: seq = nil
            case 1: seq = try r.int()
            default: throw JournalDecodingError("bad optional marker")
            }
            guard let eventKind = StockEventKind(rawValue: try r.u8()) else {
                throw JournalDecodingError("bad event kind")
            }
            let event = StockEvent(
                id: id, source: source, seq: seq, kind: eventKind, sku: try r.string(),
                location: try r.string(),
                amount: try r.int())
            record = .stockEvent(StockEventRecord(event: event, at: try r.time(), version: try version(&r)))
        case .safetyStock:
            record = .safetyStock(sku: try r.string(), location: try r.string(), value: try r.int())
        case .reservationCreated:
            record = .reservationCreated(try readReservation(&r))
        case .reservationSnapshot:
            record = .reservationSnapshot(try readReservation(&r))
        case .reservationTransition:
            let id = ReservationID(raw: try r.varint())
            guard let status = ReservationStatus(rawValue: try r.u8()) else {
                throw JournalDecodingError("bad status")
            }
            let at = try r.time()
            let n = try r.count(max: ReservationRequest.maxLines)
            var versions: [UInt32] = []
            for _ in 0..<n { versions.append(try version(&r)) }
            record = .reservationTransition(
                ReservationTransitionRecord(id: id, status: status, at: at, versions: versions))
        case .idempotency:
            record = .idempotency(try readIdempotency(&r, format: format))
        case .channelDefined:
            let name = try r.string()
            let buffer = try r.int()
            var locations: [String]?
            switch try r.u8() {
            case 0: locations = nil
            case 1:
                let n = try r.count(max: 1 << 16)
                var list: [String] = []
                for _ in 0..<n { list.append(try r.string()) }
                locations = list
            default: throw JournalDecodingError("bad optional marker")
            }
            let delivery = format >= 2 ? try readDelivery(&r) : nil
            record = .channelDefined(
                ChannelView(name: name, locations: locations, bufferUnits: buffer, delivery: delivery))
        case .deadLetter:
            guard format >= 2 else { throw JournalDecodingError("a dead letter in format \(format)") }
            let channel = try r.string()
            let id = try r.string()
            let attempts = try r.varint()
            guard attempts <= 1_000_000 else { throw JournalDecodingError("bad attempt count") }
            let lastError = try r.string()
            let failedAt = try r.time()
            let n = try r.count(max: 1 << 20)
            var updates: [PushedUpdate] = []
            for _ in 0..<n {
                updates.append(PushedUpdate(sku: try r.string(), available: try r.int(), at: try r.time()))
            }
            record = .deadLetter(
                DeadLetter(
                    channel: channel, webhookID: id, updates: updates, attempts: Int(attempts),
                    lastError: lastError,
                    failedAt: failedAt))
        case .deadLettersRemoved:
            guard format >= 2 else { throw JournalDecodingError("a dead-letter removal in format \(format)") }
            let channel = try r.string()
            let n = try r.count(max: 1 << 20)
            var ids: [String] = []
            for _ in 0..<n { ids.append(try r.string()) }
            record = .deadLettersRemoved(channel: channel, webhookIDs: ids)
        case .channelRemoved:
            record = .channelRemoved(name: try r.string())
        case .cellSnapshot:
            record = .cellSnapshot(
                CellSnapshotRecord(
                    sku: try r.string(), location: try r.string(), onHand: try r.int(),
                    version: try version(&r),
                    safetyStock: try r.int()))
        case .sequenceMark:
            record = .sequenceMark(
                source: try r.string(), sku: try r.string(), location: try r.string(), seq: try r.int())
        case .eventSeen:
            record = .eventSeen(id: try r.digest(), at: try r.time())
        }
        guard r.isAtEnd else {
            throw JournalDecodingError("\(r.buffer.count - r.offset) trailing bytes after the record")
        }
        return record
    }

    /// Decodes one record from a byte array.
    public static func decode(_ bytes: [UInt8]) throws(JournalDecodingError) -> JournalRecord {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JournalDecodingError) in try decode(buffer) }
        }
        return try result.get()
    }

    private static func version(_ r: inout JournalReader) throws(JournalDecodingError) -> UInt32 {
        let v = try r.varint()
        guard v <= UInt64(CellState.versionMask) else { throw JournalDecodingError("version out of range") }
        return UInt32(v)
    }

    private static func write(_ d: ChannelDelivery?, to w: inout JournalWriter) {
        guard let d else {
            w.u8(0)
            return
        }
        w.u8(1)
        w.string(d.endpoint)
        w.varint(d.ratePerSecond.bitPattern)
        w.varint(UInt64(d.burst))
        w.varint(UInt64(d.maxBatch))
        w.optionalString(d.secret)
        w.varint(UInt64(d.maxAttempts))
        w.varint(UInt64(d.breakerThreshold))
        w.int(d.breakerCooldownMilliseconds)
        w.u8(d.disabled ? 1 : 0)
    }

    private static func readDelivery(_ r: inout JournalReader) throws(JournalDecodingError)
        -> ChannelDelivery?
    {
        switch try r.u8() {
        case 0: return nil
        case 1: break
        default: throw JournalDecodingError("bad optional marker")
        }
        var d = ChannelDelivery(endpoint: try r.string(), ratePerSecond: Double(bitPattern: try r.varint()))
        func small(_ v: UInt64) throws(JournalDecodingError) -> Int {
            guard v <= 1 << 40 else { throw JournalDecodingError("channel setting out of range") }
            return Int(v)
        }
        d.burst = try small(try r.varint())
        d.maxBatch = try small(try r.varint())
        d.secret = try r.optionalString()
        d.maxAttempts = try small(try r.varint())
        d.breakerThreshold = try small(try r.varint())
        d.breakerCooldownMilliseconds = try r.int()
        d.disabled = try r.u8() != 0
        return d
    }

    private static func write(_ r: Reservation, to w: inout JournalWriter) {
        w.varint(r.id.raw)
        w.u8(r.status.rawValue)
        w.time(r.createdAt)
        w.time(r.expiresAt)
        w.time(r.updatedAt)
        w.optionalString(r.reference)
        w.varint(UInt64(r.lines.count))
        for line in r.lines {
            w.string(line.sku)
            w.string(line.location)
            w.int(line.qty)
        }
    }

    private static func readReservation(_ r: inout JournalReader) throws(JournalDecodingError) -> Reservation
    {
        let id = ReservationID(raw: try r.varint())
        guard let status = ReservationStatus(rawValue: try r.u8()) else {
            throw JournalDecodingError("bad status")
        }
        let createdAt = try r.time()
        let expiresAt = try r.time()
        let updatedAt = try r.time()
        let reference = try r.optionalString()
        let n = try r.count(max: ReservationRequest.maxLines)
        guard n >= 1 else { throw JournalDecodingError("a reservation without lines") }
        var lines: [ReservationLine] = []
        for _ in 0..<n {
            lines.append(ReservationLine(sku: try r.string(), location: try r.string(), qty: try r.int()))
        }
        return Reservation(
            id: id, status: status, lines: lines, createdAt: createdAt, expiresAt: expiresAt,
            updatedAt: updatedAt,
            reference: reference)
    }
}
