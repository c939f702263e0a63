/// What one mutation did to the engine: the journal records that make it durable and what it
/// takes to undo it, for when the store refuses them (`Engine.rollBack`).
///
/// Every mutating engine method appends to a change passed `inout`; the durability seam
/// (`DurableEngine.commit`) hands the change to the store and, if the store fails, rolls it back
/// before the client is answered — a failure answer means that nothing changed.
/// Records whose undo follows from the record itself (a created reservation, a completed
/// idempotency key, a dead letter) carry no undo step; the others carry exactly one, so
/// `rollBack` pairs them up walking backwards.
///
/// Thread-safety: a value type. Complexity: appends are O(1) amortized; a hold allocates only its
/// records array, as before.
public struct EngineChange: Sendable {
    public private(set) var records: [JournalRecord] = []
    /// One step per record that needs one, in record order.
    private(set) var undo: [Undo] = []

    public init() {}

    /// Records without undo steps, for code that writes records straight to a store backend
    /// (tests, benchmarks); rolling it back undoes only records that undo themselves.
    package init(records: [JournalRecord]) { self.records = records }

    /// True when the mutation changed nothing durable.
    public var isEmpty: Bool { records.isEmpty }

    /// Appends a record whose undo follows from itself.
    mutating func append(_ record: JournalRecord) { records.append(record) }

    /// Appends a record with the step that undoes it.
    mutating func append(_ record: JournalRecord, undo step: Undo) {
        records.append(record)
        undo.append(step)
    }

    /// Appends every record and step of `other` after this change's own.
    public mutating func append(contentsOf other: EngineChange) {
        records.append(contentsOf: other.records)
        undo.append(contentsOf: other.undo)
    }
}

/// What a record's undo needs beyond the record: the values it overwrote.
///
/// Amounts, not values, where several changes may touch one cell, so that undoing them commutes
/// (see `Engine.rollBack`); the committer holds the `MutationGate` closed while it undoes.
enum Undo: Sendable {
    /// A stock event: what it added to the cell's on-hand (its version stepped by one), and the
    /// (source, cell) sequence mark before it (`markKey` nil for an event without source and seq).
    case stockEvent(cell: CellID, delta: Int64, markKey: UInt64?, previousMark: Int64?)
    /// A safety stock change: what it added to the safety stock.
    case safetyStock(cell: CellID, delta: Int64)
    /// A reservation transition: its status and update time before it.
    case transition(previous: ReservationStatus, updatedAt: Timestamp)
    /// A channel definition: the view it replaced (nil: the channel was new).
    case channelDefined(previous: ChannelView?)
    /// A channel removal: the view and dead letters it dropped.
    case channelRemoved(view: ChannelView, letters: [DeadLetter])
    /// A dead-letter removal (replay): the letters taken.
    case deadLettersRemoved([DeadLetter])

    /// The kind counted in `EngineCounters.rolledBack`.
    var kind: RolledBackKind {
        switch self {
        case .stockEvent: .event
        case .safetyStock: .safetyStock
        case .transition: .transition
        case .channelDefined, .channelRemoved: .channel
        case .deadLettersRemoved: .deadLetter
        }
    }
}

/// The kinds of change counted when rolled back (`atpd_rolled_back_changes_total{kind}`).
public enum RolledBackKind: Int, CaseIterable, Sendable {
    case hold, transition, event, safetyStock, idempotencyKey, channel, deadLetter

    /// The metric label.
    public var label: String {
        switch self {
        case .hold: "hold"
        case .transition: "transition"
        case .event: "event"
        case .safetyStock: "safety_stock"
        case .idempotencyKey: "idempotency_key"
        case .channel: "channel"
        case .deadLetter: "dead_letter"
        }
    }
}
