/// A parsed JSON document: one of the seven RFC 8259 value kinds.
///
/// Numbers are split in two so callers can reject what they cannot store: `.integer` holds a number
/// written without fraction or exponent that fits `Int64` exactly; every other number (fractions,
/// exponents, integers outside `Int64`) is `.number`. `-0` is `.integer(0)`.
///
/// A value type with no shared state: `Sendable`, and safe to use from any thread.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The integer, or nil when this is not an integer. A `.number` with an integral value that a
    /// Double holds exactly (|v| ≤ 2^53: `277.0`, `2e3`) is that integer, as JSON Schema's
    /// `integer` says; `1.5`, `1e300` and `NaN`-like values are not.
    public var int64: Int64? {
        switch self {
        case .integer(let v): return v
        case .number(let v) where v.rounded() == v && v.magnitude <= 9_007_199_254_740_992: return Int64(v)
        default: return nil
        }
    }

    /// The number as a `Double` for `.integer` and `.number`, nil otherwise.
    public var double: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .number(let v): return v
        default: return nil
        }
    }

    /// The boolean, or nil when this is not `.bool`.
    public var bool: Bool? {
        if case .bool(let v) = self { return v }
        return nil
    }

    /// The string, or nil when this is not `.string`.
    public var string: String? {
        if case .string(let v) = self { return v }
        return nil
    }

    /// The elements, or nil when this is not `.array`.
    public var array: [JSONValue]? {
        if case .array(let v) = self { return v }
        return nil
    }

    /// The object, or nil when this is not `.object`.
    public var object: JSONObject? {
        if case .object(let v) = self { return v }
        return nil
    }

    /// True for `.null` only.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The kind as a lowercase word for error messages: "null", "boolean", "integer", "number",
    /// "string", "array" or "object".
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer: return "integer"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// The members of a JSON object, in document order.
///
/// Keys and values live in two parallel arrays. Lookup is a linear scan, which beats hashing for
/// the handful of members request bodies carry. Equality compares members in order, so two objects
/// with the same members in a different order are not equal. Keys compare as Swift `String`s
/// (Unicode canonical equivalence), both here and in the parser's duplicate-key check.
///
/// A value type: `Sendable`, and safe to use from any thread.
public struct JSONObject: Sendable, Equatable {
    /// The member names, in document order.
    public private(set) var keys: [String]
    /// The member values, parallel to `keys`.
    public private(set) var values: [JSONValue]

    /// An empty object.
    public init() {
        keys = []
        values = []
    }

    /// An object with these members, in this order. Duplicate keys are not checked here; the first
    /// one wins in lookups.
    public init(_ members: [(key: String, value: JSONValue)]) {
        keys = members.map(\.key)
        values = members.map(\.value)
    }

    /// Builds from parallel arrays of equal length (the parser's path; no copying of elements).
    init(keys: [String], values: [JSONValue]) {
        precondition(keys.count == values.count, "JSONObject keys and values differ in length")
        self.keys = keys
        self.values = values
    }

    /// The number of members.
    public var count: Int { keys.count }

    /// True when the object has no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The members as (key, value) pairs, in document order. O(n), allocates.
    public var members: [(key: String, value: JSONValue)] {
        Array(zip(keys, values).lazy.map { (key: $0, value: $1) })
    }

    /// The value of the first member named `key`, or nil. O(n) in the member count.
    public subscript(key: String) -> JSONValue? {
        guard let i = keys.firstIndex(of: key) else { return nil }
        return values[i]
    }

    /// Appends a member at the end. Does not check for an existing member with the same key.
    /// Amortised O(1).
    public mutating func append(_ key: String, _ value: JSONValue) {
        keys.append(key)
        values.append(value)
    }
}
