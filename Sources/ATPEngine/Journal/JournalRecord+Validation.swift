/// The rules a recovered record must obey before replay applies it.
///
/// A journal holds whatever an earlier version wrote, and a Redis key can hold anything anyone
/// wrote; replay checks each record against the bounds the API enforces today (keys, quantity
/// limits, channel settings), so no recovered value can reach arithmetic that would trap.
/// Thread-safety: a pure function of the record. - Complexity: O(size of the record).
extension JournalRecord {
    /// Nil when replay may apply the record, else why not (for the quarantine log line).
    public var problem: String? {
        if let p = timeProblem { return p }
        switch self {
        case .stockEvent(let r):
            return r.event.problem
        case .safetyStock(let sku, let location, let value):
            return Self.cellProblem(sku, location)
                ?? (Quantity.isValid(value, minimum: 0)
                    ? nil : "safetyStock \(value) is outside 0...\(Quantity.requestLimit)")
        case .reservationCreated(let r), .reservationSnapshot(let r):
            return Self.reservationProblem(r)
        case .reservationTransition(let t):
            return t.versions.count <= ReservationRequest.maxLines
                ? nil : "a transition names \(t.versions.count) lines"
        case .idempotency(let r):
            return Self.outcomeProblem(r.outcome)
        case .channelDefined(let view):
            return view.problem
        case .channelRemoved(let name):
            return Key.problem(name, name: "channel name")
        case .cellSnapshot(let c):
            if let p = Self.cellProblem(c.sku, c.location) { return p }
            guard (-Quantity.cellLimit...Quantity.cellLimit).contains(c.onHand) else {
                return "onHand \(c.onHand) is outside ±\(Quantity.cellLimit)"
            }
            return Quantity.isValid(c.safetyStock, minimum: 0)
                ? nil : "safetyStock \(c.safetyStock) is outside 0...\(Quantity.requestLimit)"
        case .sequenceMark(let source, let sku, let location, let seq):
            return Key.problem(source, name: "source") ?? Self.cellProblem(sku, location)
                ?? (seq >= 0 ? nil : "seq \(seq) is negative")
        case .eventSeen:
            return nil
        case .deadLetter(let letter):
            return Key.problem(letter.channel, name: "channel name")
        case .deadLettersRemoved(let channel, _):
            return Key.problem(channel, name: "channel name")
        }
    }

    /// Every time a record carries lies in 1970…9999: retention and expiry arithmetic
    /// (`at + retention`, `updatedAt + retention`) and RFC 3339 rendering stay far from overflow.
    static let timeRange: ClosedRange<Int64> = 0...253_402_300_799_999

    /// Checked without building an array: recovery replays millions of records.
    private var timeProblem: String? {
        switch self {
        case .stockEvent(let r): return Self.timeProblem(r.at)
        case .reservationCreated(let r), .reservationSnapshot(let r):
            return Self.timeProblem(r.createdAt) ?? Self.timeProblem(r.expiresAt)
                ?? Self.timeProblem(r.updatedAt)
        case .reservationTransition(let t): return Self.timeProblem(t.at)
        case .idempotency(let r):
            guard case .created(let created) = r.outcome else { return Self.timeProblem(r.at) }
            return Self.timeProblem(r.at) ?? Self.timeProblem(created.createdAt)
                ?? Self.timeProblem(created.expiresAt) ?? Self.timeProblem(created.updatedAt)
        case .eventSeen(_, let at): return Self.timeProblem(at)
        case .deadLetter(let letter):
            return Self.timeProblem(letter.failedAt)
                ?? letter.updates.lazy.compactMap { Self.timeProblem($0.at) }.first
        default: return nil
        }
    }

    private static func timeProblem(_ time: Timestamp) -> String? {
        timeRange.contains(time.milliseconds)
            ? nil : "a time of \(time.milliseconds) ms is outside the years 1970…9999"
    }

    private static func cellProblem(_ sku: String, _ location: String) -> String? {
        Key.problem(sku, name: "sku") ?? Key.problem(location, name: "location")
    }

    /// A stored answer is rendered again on every replay: what it renders must be renderable.
    private static func outcomeProblem(_ outcome: StoredOutcome) -> String? {
        switch outcome {
        case .created(let r):
            return reservationProblem(r)
        case .invalid:
            return nil
        case .insufficient(let lines):
            // None is possible: stock released between the failed hold and the count.
            guard lines.count <= ReservationRequest.maxLines else {
                return
                    "a stored refusal has \(lines.count) short lines (\(ReservationRequest.maxLines) at most)"
            }
            return lines.lazy.compactMap { cellProblem($0.sku, $0.location) }.first
        case .malformed(let problem):
            return statusProblem(problem.status)
        case .body(let status, _):
            return statusProblem(status)
        }
    }

    private static func statusProblem(_ status: Int) -> String? {
        (100...599).contains(status) ? nil : "a stored answer has status \(status)"
    }

    private static func reservationProblem(_ r: Reservation) -> String? {
        guard (1...ReservationRequest.maxLines).contains(r.lines.count) else {
            return "a reservation has \(r.lines.count) lines (1...\(ReservationRequest.maxLines))"
        }
        for line in r.lines {
            if let p = cellProblem(line.sku, line.location) { return p }
            guard Quantity.isValid(line.qty, minimum: 1) else {
                return "a line's qty \(line.qty) is outside 1...\(Quantity.requestLimit)"
            }
        }
        if let reference = r.reference, reference.utf8.count > ReservationRequest.maxReferenceBytes {
            return "reference is longer than \(ReservationRequest.maxReferenceBytes) bytes"
        }
        return nil
    }
}
