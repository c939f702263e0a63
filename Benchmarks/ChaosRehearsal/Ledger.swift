/// How atpd answered one mutation.
enum Outcome: Equatable, Sendable {
    /// 201 hold / 200 events.
    case acknowledged
    /// 409 `insufficient_stock`: nothing changed.
    case refused
    /// 503 `store_unavailable`: not acknowledged; it may still take effect.
    case unavailable
    /// 503 `not_ready` (atpd still recovering): refused before anything changed.
    case notReady
    /// Sent, never answered (atpd killed, connection reset, timeout): it may or may not have
    /// taken effect.
    case unanswered
    /// Anything else: always a failure of the rehearsal.
    case unexpected(String)

    /// Unanswered or 503 `store_unavailable`: it may or may not have taken effect.
    var isUncertain: Bool { self == .unavailable || self == .unanswered }
}

/// What a sent event was meant to be.
enum Intent: Sendable {
    /// A fresh id: must be applied (or stale, when a higher seq of its source got there first).
    case new
    /// The id (and body) of an event acknowledged earlier: must be a `duplicate`.
    case duplicate
    /// A fresh id with a `seq` below one acknowledged earlier for its source and cell: `stale`.
    case stale
}

/// Whether an event changed on-hand, as far as atpd's answers tell.
enum Fate: Sendable {
    case unknown
    case applied
    case notApplied
}

/// One stock event sent to atpd (over HTTP or the stream).
struct EventRecord: Sendable {
    var id: String
    var source: String
    var seq: Int?
    /// `adjust`, `sale` or `return`.
    var type: String
    var cell: Cell
    /// The change to on-hand if it is applied.
    var delta: Int
    var intent: Intent
    var fate = Fate.unknown
    /// Whether atpd answered it as its intent says (nil: not known yet).
    var asDesigned: Bool?
    /// The answer to its individual re-send, when it was re-sent ("applied", "duplicate", ...).
    var resentAnswer: String?
    /// How its request was first answered, and when it was sent (Unix ms).
    var firstOutcome = Outcome.unanswered
    var sentAt: Int64 = 0

    /// The JSON of the event, as `POST /v1/events` takes it.
    var json: String {
        var text = #"{"id":"\#(id)","source":"\#(source)","#
        if let seq { text += #""seq":\#(seq),"# }
        text += #""type":"\#(type)","sku":"\#(cell.sku)","location":"\#(cell.location)","#
        text += type == "adjust" ? #""delta":\#(delta)}"# : #""qty":\#(abs(delta))}"#
        return text
    }

    /// The fields of the stream entry (`XADD key * fields…`).
    var streamFields: [String] {
        var fields = ["id", id, "source", source]
        if let seq { fields += ["seq", String(seq)] }
        fields += ["type", type, "sku", cell.sku, "location", cell.location]
        fields += type == "adjust" ? ["delta", String(delta)] : ["qty", String(abs(delta))]
        return fields
    }
}

/// One `POST /v1/events`: indices into the worker's events, and the answer.
struct BatchRecord: Sendable {
    var events: [Int]
    var outcome = Outcome.unanswered
}

/// One hold of one unit on one cell, with its own `Idempotency-Key`.
struct HoldRecord: Sendable {
    var key: String
    var cell: Cell
    var outcome = Outcome.unanswered
    /// When it was sent (Unix ms).
    var sentAt: Int64 = 0
    /// The reservation id of a 201 (first answer or re-send).
    var id: String?
    /// The answer to the re-send of an uncertain hold ("201 new", "201 replayed", "409", ...).
    var resentAnswer: String?

    var body: String {
        #"{"lines":[{"sku":"\#(cell.sku)","location":"\#(cell.location)","qty":1}],"ttlSeconds":7200,"reference":"\#(key)"}"#
    }
    /// Whether the hold took effect (known only once settled).
    var isHeld: Bool { id != nil }
}

/// A hold sent again with the same key after its 201: must answer the same reservation.
struct ReplayRecord: Sendable {
    var key: String
    var expectedID: String
    var outcome = Outcome.unanswered
    /// nil: not answered usefully (503 or no answer), so nothing was learnt.
    var sameReservation: Bool?
    var detail = ""
}

/// One `XADD` of an event to the stream.
struct StreamRecord: Sendable {
    enum Added: Sendable {
        /// Redis answered with the entry id.
        case acknowledged(String)
        /// Never reached Redis (no connection, or an error reply such as `LOADING`).
        case notSent
        /// Sent, never answered: it may be in the stream.
        case unanswered
    }

    var event: EventRecord
    var added: Added
}

/// Every request of the rehearsal and its answer, merged from the workers after the load.
///
/// Not the durability tests' `LoadLedger` (Tests/ATPDurabilityTests), which checks a short HTTP
/// load against one fault where a 503 must have changed nothing; this one tracks stream events,
/// duplicate and stale intents, and counts a 503 as uncertain (`Outcome.isUncertain`).
///
/// Thread-safety: a value type; each thread fills its own and they are merged once joined.
struct Ledger: Sendable {
    var events: [EventRecord] = []
    var batches: [BatchRecord] = []
    var holds: [HoldRecord] = []
    var replays: [ReplayRecord] = []
    var stream: [StreamRecord] = []
    /// Requests that could not even be sent (atpd or Redis not listening).
    var notSent = 0

    mutating func merge(_ other: Ledger) {
        let offset = events.count
        events += other.events
        batches += other.batches.map { batch in
            var moved = batch
            moved.events = batch.events.map { $0 + offset }
            return moved
        }
        holds += other.holds
        replays += other.replays
        stream += other.stream
        notSent += other.notSent
    }
}
