/// One request a session wants sent: a reusable description that targets turn into HTTP or
/// Redis commands. Its arrays keep their capacity between requests (no allocation once warm).
///
/// Thread-safety: a value type owned by one session.
public struct Operation: Sendable {
    /// One reservation line: the cell and its sku/location indices.
    public struct Line: Sendable, Equatable {
        public var cell: Int
        public var sku: Int
        public var location: Int
        public var qty: Int
    }

    /// One stock event: `set` onHand := value, else `adjust` onHand += value.
    public struct Event: Sendable {
        public var sku: Int
        public var location: Int
        public var isSet: Bool
        public var value: Int
    }

    public var kind = OperationKind.availability
    /// Sku indices to read (availability).
    public var skus: [Int] = []
    /// Hold lines; for confirm/fulfil/release the held lines (Redis needs them).
    public var lines: [Line] = []
    public var ttlSeconds = 900
    /// The reservation: set by the target on a successful hold (HTTP: the server's id) or chosen
    /// by the session beforehand (Redis: the client names it).
    public var reservationID = ""
    public var events: [Event] = []
    /// Event ids are `<eventPrefix><n>` for n in eventFirstNumber...
    public var eventPrefix = ""
    public var eventFirstNumber = 0

    public init() {
        skus.reserveCapacity(100)
        lines.reserveCapacity(8)
    }
}

/// What came back: an HTTP status (Redis outcomes are mapped to the same codes: 201 held,
/// 409 insufficient stock or invalid state, 200 done, 500 error reply) or 0 for a transport
/// failure (timeout, closed connection).
///
/// Thread-safety: a value type.
public struct Outcome: Sendable {
    public var status: Int
    /// The reservation id a successful hold returned.
    public var reservationID: String?

    public init(status: Int, reservationID: String? = nil) {
        self.status = status
        self.reservationID = reservationID
    }

    /// True when the status says the request may or may not have taken effect.
    public var isAmbiguous: Bool { status == 0 || status >= 500 }
}
