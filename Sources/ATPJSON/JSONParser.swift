/// Why a document was rejected, and where.
///
/// `offset` is the zero-based byte offset of the first byte that could not be accepted (the input
/// length when the document ended too early).
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    /// For example `invalid JSON at byte 17: expected ',' or '}'`.
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A strict RFC 8259 parser over raw bytes.
///
/// Accepts exactly one value surrounded by optional whitespace (space, tab, CR, LF). Rejects
/// trailing commas, comments, NaN/Infinity, leading zeros and '+', unescaped control characters,
/// invalid UTF-8 (overlong forms, surrogates, truncated sequences), lone surrogate escapes,
/// duplicate object keys, numbers beyond `Double`'s range, and nesting deeper than `maxDepth`.
///
/// The scanner is iterative (an explicit stack of open containers), so hostile nesting cannot
/// overflow the call stack. Strings without escapes are built straight from the input bytes.
///
/// - Complexity: O(n) in the input length, plus O(k) per object key for the duplicate check
///   (a linear scan for small objects, a hash set from 16 members on).
/// - Thread safety: pure functions with no shared state; call from any thread.
public enum JSONParser {
    /// Parses one JSON document. `maxDepth` is the most containers that may be open at once:
    /// with the default 64, 64 nested `[` are accepted and 65 are rejected.
    ///
    /// Keep `maxDepth` modest. Parsing never recurses, but Swift frees a `JSONValue` (and
    /// `serialize(into:)` writes one) recursively, so a value nested some 50,000 deep overflows the
    /// stack when it is released.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64) throws(JSONError)
        -> JSONValue
    {
        var scanner = Scanner(bytes: bytes, maxDepth: maxDepth)
        return try scanner.document()
    }

    /// Parses one JSON document held in an array. See `parse(_:maxDepth:)` for the rules.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(JSONError) -> JSONValue {
        // `withUnsafeBytes` is untyped `rethrows`; a Result carries the typed error through it.
        try bytes.withUnsafeBytes { raw in
            Result { () throws(JSONError) -> JSONValue in try parse(raw, maxDepth: maxDepth) }
        }.get()
    }
}

/// An open array or object: where its elements (and keys) start on the shared stacks.
private struct Frame {
    var isObject: Bool
    var valueStart: Int
    var keyStart: Int
    /// The keys seen so far, once the object is large enough for hashing to beat a scan.
    var seen: Set<String>?
}

private struct Scanner {
    /// The lexer: whitespace, literals, numbers, strings (shared with the pull decoders).
    var r: JSONPullReader
    var maxDepth: Int { r.maxDepth }
    var bytes: UnsafeRawBufferPointer { r.bytes }
    var pos: Int {
        get { r.pos }
        set { r.pos = newValue }
    }

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) { r = JSONPullReader(bytes, maxDepth: maxDepth) }

    func fail(_ reason: String, at offset: Int? = nil) -> JSONError { r.fail(reason, at: offset) }
    func unexpected(_ expected: String) -> JSONError { r.unexpected(expected) }
    mutating func skipWhitespace() { r.skipWhitespace() }
    mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONError) -> JSONValue {
        try r.literal(word, value)
    }
    mutating func number() throws(JSONError) -> JSONValue { try r.number() }
    mutating func string() throws(JSONError) -> String { try r.decode(try r.string()) }

    /// The whole document: one value, then only whitespace.
    mutating func document() throws(JSONError) -> JSONValue {
        var values: [JSONValue] = []
        var keys: [String] = []
        var frames: [Frame] = []
        nextValue: while true {
            skipWhitespace()
            guard pos < bytes.count else { throw unexpected("expected a value") }
            var value: JSONValue
            switch bytes[pos] {
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                let isObject = bytes[pos] == UInt8(ascii: "{")
                guard frames.count < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
                pos += 1
                skipWhitespace()
                if pos < bytes.count, bytes[pos] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    pos += 1
                    value = isObject ? .object(JSONObject()) : .array([])
                } else {
                    frames.append(Frame(isObject: isObject, valueStart: values.count, keyStart: keys.count))
                    if isObject { try key(&keys, &frames[frames.count - 1]) }
                    continue nextValue
                }
            case UInt8(ascii: "\""): value = .string(try string())
            case UInt8(ascii: "t"): value = try literal("true", .bool(true))
            case UInt8(ascii: "f"): value = try literal("false", .bool(false))
            case UInt8(ascii: "n"): value = try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = try number()
            default: throw unexpected("expected a value")
            }
            // A value is complete: attach it to the open container, closing containers as they end.
            // Frames are read in place, never copied, so an object's key set stays uniquely referenced.
            while !frames.isEmpty {
                let top = frames.count - 1
                let isObject = frames[top].isObject
                values.append(value)
                skipWhitespace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: ",") {
                    pos += 1
                    if isObject { try key(&keys, &frames[top]) }
                    continue nextValue
                }
                guard pos < bytes.count, bytes[pos] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
                else {
                    throw unexpected(isObject ? "expected ',' or '}'" : "expected ',' or ']'")
                }
                pos += 1
                let valueStart = frames[top].valueStart
                let keyStart = frames[top].keyStart
                frames.removeLast()
                let elements = Array(values[valueStart...])
                values.removeSubrange(valueStart...)
                if isObject {
                    value = .object(JSONObject(keys: Array(keys[keyStart...]), values: elements))
                    keys.removeSubrange(keyStart...)
                } else {
                    value = .array(elements)
                }
            }
            skipWhitespace()
            guard pos == bytes.count else { throw unexpected("expected end of input") }
            return value
        }
    }

    /// An object key and its ':'; rejects a key the open object already has.
    mutating func key(_ keys: inout [String], _ frame: inout Frame) throws(JSONError) {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
            throw unexpected("expected a string key")
        }
        let start = pos
        let name = try string()
        let duplicate: Bool
        if frame.seen != nil {
            duplicate = !frame.seen!.insert(name).inserted
        } else {
            duplicate = keys[frame.keyStart...].contains(name)
            if keys.count - frame.keyStart >= 15 { frame.seen = Set(keys[frame.keyStart...] + [name]) }
        }
        guard !duplicate else { throw fail("duplicate key \"\(name)\"", at: start) }
        keys.append(name)
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw unexpected("expected ':'") }
        pos += 1
    }
}
