/// A refusal by the engine, with the stable machine-readable `code` of API.md.
///
/// Thread-safety: a value type. New cases can be added without breaking callers.
public struct EngineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of refusal: the code, as a closed set (the service maps each to a status).
    public enum Kind: String, CaseIterable, Sendable {
        case invalidRequest = "invalid_request"
        case invalidEvent = "invalid_event"
        case duplicateLine = "duplicate_line"
        case insufficientStock = "insufficient_stock"
        case unknownReservation = "unknown_reservation"
        case invalidState = "invalid_state"
        case unknownSku = "unknown_sku"
        case unknownChannel = "unknown_channel"
        case quantityOutOfRange = "quantity_out_of_range"
        case capacityExhausted = "capacity_exhausted"
    }

    public let kind: Kind
    /// A human-readable explanation for problem details.
    public let detail: String

    private init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    /// The stable code, e.g. `insufficient_stock`.
    public var code: String { kind.rawValue }
    public var description: String { "\(code): \(detail)" }

    public static func invalidRequest(_ detail: String) -> Self { Self(.invalidRequest, detail) }
    public static func invalidEvent(_ detail: String) -> Self { Self(.invalidEvent, detail) }
    public static func duplicateLine(_ detail: String) -> Self { Self(.duplicateLine, detail) }
    public static func insufficientStock(_ detail: String) -> Self { Self(.insufficientStock, detail) }
    public static func unknownReservation(_ detail: String) -> Self { Self(.unknownReservation, detail) }
    public static func invalidState(_ detail: String) -> Self { Self(.invalidState, detail) }
    public static func unknownSku(_ detail: String) -> Self { Self(.unknownSku, detail) }
    public static func unknownChannel(_ detail: String) -> Self { Self(.unknownChannel, detail) }
    public static func quantityOutOfRange(_ detail: String) -> Self { Self(.quantityOutOfRange, detail) }
    public static func capacityExhausted(_ detail: String) -> Self { Self(.capacityExhausted, detail) }

    /// Two errors are equal when their codes are, whatever their details say.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}

/// Validation of sku, location and other keys: 1–128 bytes of UTF-8 without control characters.
public enum Key {
    /// The largest key length in bytes.
    public static let maxLength = 128

    /// Nil when `key` is a valid key, else why not.
    public static func problem(_ key: String, name: String, maxLength: Int = Key.maxLength) -> String? {
        let count = key.utf8.count
        if count == 0 { return "\(name) must not be empty" }
        if count > maxLength { return "\(name) is longer than \(maxLength) bytes" }
        for scalar in key.unicodeScalars
        where scalar.value < 0x20 || scalar.value == 0x7F
            || (0x80...0x9F).contains(scalar.value)
        {
            return "\(name) contains a control character"
        }
        return nil
    }
}
