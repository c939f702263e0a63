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
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var pos = 0
    /// Reused for strings with escapes.
    var scratch: [UInt8] = []

    func fail(_ reason: String, at offset: Int? = nil) -> JSONError {
        JSONError(offset: offset ?? pos, reason: reason)
    }

    /// "unexpected end of input" at the end, otherwise names the byte at `pos`.
    func unexpected(_ expected: String) -> JSONError {
        guard pos < bytes.count else { return fail("unexpected end of input, \(expected)") }
        let b = bytes[pos]
        let shown = b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x" + hex(b)
        return fail("unexpected \(shown), \(expected)")
    }

    mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

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

    /// `word` at `pos`, which stands for `value`.
    mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        let p = word.utf8Start
        for i in 0..<count {
            guard pos + i < bytes.count, bytes[pos + i] == p[i] else {
                pos += i
                throw unexpected("expected '\(word)'")
            }
        }
        pos += count
        return value
    }

    /// A number per the RFC grammar: `.integer` when it has no fraction or exponent and fits Int64.
    mutating func number() throws(JSONError) -> JSONValue {
        let start = pos
        let negative = bytes[pos] == UInt8(ascii: "-")
        if negative { pos += 1 }
        guard pos < bytes.count, isDigit(bytes[pos]) else { throw unexpected("expected a digit") }
        var magnitude: UInt64 = 0
        var overflow = false
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < bytes.count, isDigit(bytes[pos]) { throw fail("leading zeros are not allowed") }
        } else {
            while pos < bytes.count, isDigit(bytes[pos]) {
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(bytes[pos] - UInt8(ascii: "0")))
                magnitude = s
                overflow = overflow || o1 || o2
                pos += 1
            }
        }
        var integral = true
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            integral = false
            pos += 1
            try digits("expected a digit after '.'")
        }
        if pos < bytes.count, bytes[pos] | 0x20 == UInt8(ascii: "e") {
            integral = false
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") {
                pos += 1
            }
            try digits("expected a digit in the exponent")
        }
        if integral, !overflow {
            if !negative, magnitude <= UInt64(Int64.max) { return .integer(Int64(magnitude)) }
            if negative, magnitude <= UInt64(Int64.max) + 1 {
                return .integer(Int64(bitPattern: 0 &- magnitude))
            }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw fail("number out of range", at: start) }
        return .number(d)
    }

    /// One or more digits.
    mutating func digits(_ expected: String) throws(JSONError) {
        guard pos < bytes.count, isDigit(bytes[pos]) else { throw unexpected(expected) }
        repeat { pos += 1 } while pos < bytes.count && isDigit(bytes[pos])
    }

    /// A string starting at the opening quote; `pos` ends after the closing quote.
    mutating func string() throws(JSONError) -> String {
        pos += 1
        let start = pos
        var run = pos  // start of the bytes not yet copied to `scratch` (slow path only)
        var escaped = false
        while true {
            guard pos < bytes.count else { throw fail("unterminated string") }
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                if !escaped {
                    escaped = true
                    scratch.removeAll(keepingCapacity: true)
                }
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run..<pos]))
                try escape()
                run = pos
            } else if b < 0x20 {
                throw fail("unescaped control character 0x\(hex(b)) in string")
            } else if b < 0x80 {
                pos += 1
            } else {
                try utf8Sequence()
            }
        }
        defer { pos += 1 }
        guard escaped else {
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        }
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run..<pos]))
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Checks one multi-byte UTF-8 sequence at `pos` (RFC 3629: no overlongs, surrogates or
    /// values past U+10FFFF) and steps over it.
    mutating func utf8Sequence() throws(JSONError) {
        let b0 = bytes[pos]
        let length: Int
        var low: UInt8 = 0x80  // allowed range of the second byte
        var high: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: (length, low) = (3, 0xA0)
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: (length, high) = (3, 0x9F)
        case 0xF0: (length, low) = (4, 0x90)
        case 0xF1...0xF3: length = 4
        case 0xF4: (length, high) = (4, 0x8F)
        default: throw fail("invalid UTF-8 byte 0x\(hex(b0)) in string")
        }
        for i in 1..<length {
            let at = pos + i
            guard at < bytes.count else { throw fail("truncated UTF-8 sequence", at: at) }
            let b = bytes[at]
            guard i == 1 ? (b >= low && b <= high) : (b & 0xC0 == 0x80) else {
                throw fail("invalid UTF-8 sequence in string", at: at)
            }
        }
        pos += length
    }

    /// One escape at `pos` (the backslash), appended to `scratch` as UTF-8.
    mutating func escape() throws(JSONError) {
        let start = pos
        pos += 1
        guard pos < bytes.count else { throw fail("unterminated string") }
        let simple: UInt8
        switch bytes[pos] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): simple = bytes[pos]
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            pos += 1
            var scalar = try hex4()
            if scalar >= 0xDC00, scalar <= 0xDFFF { throw fail("lone low surrogate escape", at: start) }
            if scalar >= 0xD800, scalar <= 0xDBFF {
                guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"),
                    bytes[pos + 1] == UInt8(ascii: "u")
                else { throw fail("lone high surrogate escape", at: start) }
                pos += 2
                let low = try hex4()
                guard low >= 0xDC00, low <= 0xDFFF else {
                    throw fail("lone high surrogate escape", at: start)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            scratch.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
            return
        default: throw fail("invalid escape")
        }
        scratch.append(simple)
        pos += 1
    }

    /// Four hex digits at `pos`.
    mutating func hex4() throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard pos < bytes.count else { throw fail("unterminated string") }
            let b = bytes[pos]
            let letter = (b | 0x20) &- UInt8(ascii: "a")  // 0...5 for a-f and A-F
            guard isDigit(b) || letter < 6 else { throw fail("expected a hex digit in \\u escape") }
            value = value << 4 | UInt32(isDigit(b) ? b - UInt8(ascii: "0") : letter + 10)
            pos += 1
        }
        return value
    }
}

@inline(__always) private func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

private func hex(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }
