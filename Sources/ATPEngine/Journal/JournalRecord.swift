/// One durable fact about engine state. Mutations produce them; `Engine.replay` consumes them.
///
/// The first seven kinds are written as things happen; the next four appear in snapshots
/// (`Engine.exportSnapshot`), which describe whole state compactly; the last two are channel
/// push's dead letters (written as they happen and in snapshots). Each record is encoded on its
/// own (`encode(into:)`); framing, checksums and batching belong to the store.
public enum JournalRecord: Hashable, Sendable {
    case stockEvent(StockEventRecord)
    case safetyStock(sku: String, location: String, value: Int64)
    case reservationCreated(Reservation)
    case reservationTransition(ReservationTransitionRecord)
    case idempotency(IdempotencyRecord)
    case channelDefined(ChannelView)
    case channelRemoved(name: String)
    case cellSnapshot(CellSnapshotRecord)
    case sequenceMark(source: String, sku: String, location: String, seq: Int64)
    case eventSeen(id: Digest128, at: Timestamp)
    case reservationSnapshot(Reservation)
    case deadLetter(DeadLetter)
    case deadLettersRemoved(channel: String, webhookIDs: [String])
}

/// An applied stock event, with the on-hand version it produced in its cell.
public struct StockEventRecord: Hashable, Sendable {
    public var event: StockEvent
    /// When atpd applied it (event ids are retained from this time).
    public var at: Timestamp
    /// The cell's on-hand version after the event; replay applies a cell's changes in this order.
    public var version: UInt32

    public init(event: StockEvent, at: Timestamp, version: UInt32) {
        self.event = event
        self.at = at
        self.version = version
    }
}

/// A reservation's move to `status`. For `fulfilled`, `versions` holds each line's new on-hand
/// version, in line order.
public struct ReservationTransitionRecord: Hashable, Sendable {
    public var id: ReservationID
    public var status: ReservationStatus
    public var at: Timestamp
    public var versions: [UInt32]

    public init(id: ReservationID, status: ReservationStatus, at: Timestamp, versions: [UInt32]) {
        self.id = id
        self.status = status
        self.at = at
        self.versions = versions
    }
}

/// A completed idempotency key: the digest of (scope, key), of the request, and what the answer
/// is rendered from.
public struct IdempotencyRecord: Hashable, Sendable {
    public var key: Digest128
    public var fingerprint: Digest128
    public var outcome: StoredOutcome
    public var at: Timestamp

    public init(key: Digest128, fingerprint: Digest128, outcome: StoredOutcome, at: Timestamp) {
        self.key = key
        self.fingerprint = fingerprint
        self.outcome = outcome
        self.at = at
    }
}

/// A cell's on-hand, version and safety stock in a snapshot (reserved is rebuilt from the
/// reservations).
public struct CellSnapshotRecord: Hashable, Sendable {
    public var sku: String
    public var location: String
    public var onHand: Int64
    public var version: UInt32
    public var safetyStock: Int64

    public init(sku: String, location: String, onHand: Int64, version: UInt32, safetyStock: Int64) {
        self.sku = sku
        self.location = location
        self.onHand = onHand
        self.version = version
        self.safetyStock = safetyStock
    }
}

/// Why bytes could not be decoded as a journal record.
public struct JournalDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
