/// The kinds of stock event of API.md.
public enum StockEventKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// onHand := qty (a warehouse count).
    case set = 0
    /// onHand += delta.
    case adjust = 1
    /// onHand −= qty.
    case sale = 2
    /// onHand += qty.
    case `return` = 3

    public init?(name: String) {
        switch name {
        case "set": self = .set
        case "adjust": self = .adjust
        case "sale": self = .sale
        case "return": self = .return
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .set: "set"
        case .adjust: "adjust"
        case .sale: "sale"
        case .return: "return"
        }
    }
}

/// A stock event from a warehouse or till, as decoded from a request or a stream entry.
///
/// `amount` is `qty` for set, sale and return, and `delta` for adjust.
public struct StockEvent: Hashable, Sendable {
    public var id: String
    public var source: String?
    public var seq: Int64?
    public var kind: StockEventKind
    public var sku: String
    public var location: String
    public var amount: Int64

    public init(
        id: String, source: String? = nil, seq: Int64? = nil, kind: StockEventKind, sku: String,
        location: String, amount: Int64
    ) {
        self.id = id
        self.source = source
        self.seq = seq
        self.kind = kind
        self.sku = sku
        self.location = location
        self.amount = amount
    }

    /// The on-hand change this event makes.
    var change: OnHandChange {
        switch kind {
        case .set: .set(amount)
        case .adjust, .return: .add(amount)
        case .sale: .add(-amount)
        }
    }

    /// Nil when the event obeys API.md's rules, else why not.
    public var problem: String? {
        if let p = Key.problem(id, name: "id") ?? Key.problem(sku, name: "sku")
            ?? Key.problem(location, name: "location")
        {
            return p
        }
        if let source, let p = Key.problem(source, name: "source") { return p }
        if let seq {
            if seq < 0 { return "seq must be a non-negative integer" }
            if source == nil { return "seq needs a source" }
        }
        switch kind {
        case .set where !Quantity.isValid(amount, minimum: 0):
            return "qty of a set must be 0...\(Quantity.requestLimit)"
        case .adjust where amount == 0 || amount.magnitude > UInt64(Quantity.requestLimit):
            return "delta must be non-zero and at most \(Quantity.requestLimit) in magnitude"
        case .sale where !Quantity.isValid(amount, minimum: 1),
            .return where !Quantity.isValid(amount, minimum: 1):
            return "qty of a \(kind) must be 1...\(Quantity.requestLimit)"
        default:
            return nil
        }
    }
}

/// What happened to one event of a batch.
public enum EventOutcome: Equatable, Sendable {
    case applied
    /// Its id was seen before; nothing changed.
    case duplicate
    /// Its seq was not greater than the last applied one of its source for its cell.
    case stale
    case rejected(EngineError)
}
