/// The fields of an `idempotency` record.
///
/// Format 3: the key and request digests, the time, then the outcome as an outcome tag and the
/// facts its answer is rendered from. A created reservation is its id (8 bytes), its status,
/// its times as differences (created from the record's time, expiry and update from creation:
/// a byte or three each), its reference and its lines; the body is rebuilt from them. Formats 1
/// and 2 kept the answer's status and response body, then the time; they decode as
/// `StoredOutcome.body`.
/// Thread-safety: pure functions. - Complexity: O(size of the record).
extension JournalRecord {
    private enum OutcomeTag: UInt8 {
        case created = 1
        case invalid, insufficient, malformed, body
    }

    static func write(_ r: IdempotencyRecord, to w: inout JournalWriter) {
        w.digest(r.key)
        w.digest(r.fingerprint)
        w.time(r.at)
        switch r.outcome {
        case .created(let reservation):
            w.u8(OutcomeTag.created.rawValue)
            w.u64(reservation.id.raw)
            w.u8(reservation.status.rawValue)
            w.int(reservation.createdAt.milliseconds &- r.at.milliseconds)
            w.int(reservation.expiresAt.milliseconds &- reservation.createdAt.milliseconds)
            w.int(reservation.updatedAt.milliseconds &- reservation.createdAt.milliseconds)
            w.optionalString(reservation.reference)
            w.varint(UInt64(reservation.lines.count))
            for line in reservation.lines {
                w.string(line.sku)
                w.string(line.location)
                w.int(line.qty)
            }
        case .invalid(let error):
            w.u8(OutcomeTag.invalid.rawValue)
            w.string(error.code)
            w.string(error.detail)
        case .insufficient(let lines):
            w.u8(OutcomeTag.insufficient.rawValue)
            w.varint(UInt64(lines.count))
            for line in lines {
                w.string(line.sku)
                w.string(line.location)
                w.int(line.requested)
                w.int(line.available)
            }
        case .malformed(let problem):
            w.u8(OutcomeTag.malformed.rawValue)
            w.varint(UInt64(problem.status))
            w.string(problem.code)
            w.string(problem.detail)
        case .body(let status, let body):
            w.u8(OutcomeTag.body.rawValue)
            w.varint(UInt64(status))
            w.blob(body)
        }
    }

    static func readIdempotency(_ r: inout JournalReader, format: UInt8) throws(JournalDecodingError)
        -> IdempotencyRecord
    {
        let key = try r.digest()
        let fingerprint = try r.digest()
        guard format >= 3 else {
            let outcome = StoredOutcome.body(status: try status(&r), body: try r.blob())
            return IdempotencyRecord(key: key, fingerprint: fingerprint, outcome: outcome, at: try r.time())
        }
        let at = try r.time()
        let tag = try r.u8()
        let outcome: StoredOutcome
        switch OutcomeTag(rawValue: tag) {
        case .created: outcome = .created(try readCreated(&r, at: at))
        case .invalid:
            guard let kind = EngineError.Kind(rawValue: try r.string()) else {
                throw JournalDecodingError("bad refusal code")
            }
            outcome = .invalid(engineError(kind, try r.string()))
        case .insufficient:
            let n = try r.count(max: ReservationRequest.maxLines)
            var lines: [InsufficientLine] = []
            lines.reserveCapacity(n)
            for _ in 0..<n {
                lines.append(
                    InsufficientLine(
                        sku: try r.string(), location: try r.string(), requested: try r.int(),
                        available: try r.int()))
            }
            outcome = .insufficient(lines)
        case .malformed:
            outcome = .malformed(
                StoredProblem(status: try status(&r), code: try r.string(), detail: try r.string()))
        case .body: outcome = .body(status: try status(&r), body: try r.blob())
        case nil: throw JournalDecodingError("unknown stored outcome \(tag)")
        }
        return IdempotencyRecord(key: key, fingerprint: fingerprint, outcome: outcome, at: at)
    }

    private static func status(_ r: inout JournalReader) throws(JournalDecodingError) -> Int {
        let status = try r.varint()
        guard status < 1000 else { throw JournalDecodingError("bad stored status") }
        return Int(status)
    }

    private static func readCreated(_ r: inout JournalReader, at: Timestamp) throws(JournalDecodingError)
        -> Reservation
    {
        let id = ReservationID(raw: try r.u64())
        guard let status = ReservationStatus(rawValue: try r.u8()) else {
            throw JournalDecodingError("bad status")
        }
        let createdAt = Timestamp(milliseconds: at.milliseconds &+ (try r.int()))
        let expiresAt = Timestamp(milliseconds: createdAt.milliseconds &+ (try r.int()))
        let updatedAt = Timestamp(milliseconds: createdAt.milliseconds &+ (try r.int()))
        let reference = try r.optionalString()
        let n = try r.count(max: ReservationRequest.maxLines)
        guard n >= 1 else { throw JournalDecodingError("a reservation without lines") }
        var lines: [ReservationLine] = []
        lines.reserveCapacity(n)
        for _ in 0..<n {
            lines.append(ReservationLine(sku: try r.string(), location: try r.string(), qty: try r.int()))
        }
        return Reservation(
            id: id, status: status, lines: lines, createdAt: createdAt, expiresAt: expiresAt,
            updatedAt: updatedAt, reference: reference)
    }

    /// The refusal of `kind` with `detail` (`EngineError` is built only through its factories).
    private static func engineError(_ kind: EngineError.Kind, _ detail: String) -> EngineError {
        switch kind {
        case .invalidRequest: .invalidRequest(detail)
        case .invalidEvent: .invalidEvent(detail)
        case .duplicateLine: .duplicateLine(detail)
        case .insufficientStock: .insufficientStock(detail)
        case .unknownReservation: .unknownReservation(detail)
        case .invalidState: .invalidState(detail)
        case .unknownSku: .unknownSku(detail)
        case .unknownChannel: .unknownChannel(detail)
        case .quantityOutOfRange: .quantityOutOfRange(detail)
        case .capacityExhausted: .capacityExhausted(detail)
        }
    }
}
