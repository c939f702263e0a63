/// The kinds of request the harness sends; each has its own latency histogram and status counts.
///
/// Thread-safety: a value type.
public enum OperationKind: Int, CaseIterable, Sendable, Comparable {
    /// `GET /v1/availability` (Redis: pipelined `HMGET`s).
    case availability
    /// `POST /v1/reservations` (Redis: `EVALSHA` of the check-and-hold script).
    case hold
    case confirm
    case fulfil
    case release
    /// `POST /v1/events` (Redis: pipelined `HSET`/`HINCRBY`).
    case events

    public var name: String {
        switch self {
        case .availability: "availability"
        case .hold: "hold"
        case .confirm: "confirm"
        case .fulfil: "fulfil"
        case .release: "release"
        case .events: "events"
        }
    }

    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
