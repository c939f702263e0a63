/// A strict RFC 8259 pull reader over raw bytes, for decoders that read a known body shape
/// straight into their own types, with no `JSONValue` tree in between.
///
/// It is `JSONParser`'s lexer too (literals, numbers, strings, UTF-8 and escapes live only here),
/// and accepts and rejects exactly what `JSONParser` does, at the same byte offsets and with the
/// same `JSONError` reasons (duplicate keys, nesting, trailing bytes), so a body answers the same
/// `invalid_json` problem whichever reads it; `ReservationBodyTests` holds the two against each
/// other. The caller drives it: `valueStart()`, then one of `value`,
/// `beginContainer`/`memberKey`/`nextMember`, and `end()` after the document.
///
/// Skipped containers are read recursively, one frame per open container, so the depth is
/// bounded by `maxDepth`. Strings are decoded only when asked for; without escapes a string is
/// made straight from the input bytes.
///
/// Thread-safety: a value type over borrowed bytes; use it on one thread.
/// - Complexity: O(n) in the input length, plus O(k) per key among an object's unknown keys
///   (a scan, a hash set from 16 on).
package struct JSONPullReader {
    /// Where a string's contents lie (between the quotes) and whether they hold escapes.
    package struct StringToken {
        package var start: Int
        package var end: Int
        package var escaped: Bool
    }

    /// The keys of one object that no decoder field claims, for the duplicate check. Allocates
    /// only once an unknown key appears.
    package struct UnknownKeys {
        package init() {}
        private var names: [String] = []
        private var hashed: Set<String>?

        /// False when an equal key (Swift `String` equality, as `JSONParser` compares) was seen.
        package mutating func insert(_ name: String) -> Bool {
            if hashed != nil { return hashed!.insert(name).inserted }
            if names.contains(name) { return false }
            names.append(name)
            if names.count >= 16 { hashed = Set(names) }
            return true
        }
    }

    package let bytes: UnsafeRawBufferPointer
    package let maxDepth: Int
    /// The offset of the next byte to read (the tree parser moves it over its own punctuation).
    package internal(set) var pos = 0

    package init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    package func fail(_ reason: String, at offset: Int? = nil) -> JSONError {
        JSONError(offset: offset ?? pos, reason: reason)
    }

    /// "unexpected end of input" at the end, otherwise names the byte at `pos`.
    package func unexpected(_ expected: String) -> JSONError {
        guard pos < bytes.count else { return fail("unexpected end of input, \(expected)") }
        let b = bytes[pos]
        let shown = b >= 0x20 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x" + hex(b)
        return fail("unexpected \(shown), \(expected)")
    }

    package mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    /// The first byte of the next value, not consumed.
    package mutating func valueStart() throws(JSONError) -> UInt8 {
        skipWhitespace()
        guard pos < bytes.count else { throw unexpected("expected a value") }
        return bytes[pos]
    }

    /// Only whitespace is left.
    package mutating func end() throws(JSONError) {
        skipWhitespace()
        guard pos == bytes.count else { throw unexpected("expected end of input") }
    }

    /// Opens the array or object at `pos` inside `open` containers; false when it is empty (and
    /// then already closed).
    package mutating func beginContainer(open: Int) throws(JSONError) -> Bool {
        let close = bytes[pos] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        guard open < maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
        pos += 1
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == close else { return true }
        pos += 1
        return false
    }

    /// After a member: true at ',' (another follows), false at the closing bracket.
    package mutating func nextMember(inObject: Bool) throws(JSONError) -> Bool {
        skipWhitespace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ",") {
            pos += 1
            return true
        }
        guard pos < bytes.count, bytes[pos] == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
            throw unexpected(inObject ? "expected ',' or '}'" : "expected ',' or ']'")
        }
        pos += 1
        return false
    }

    /// An object key and its ':'. Returns the index of the key in `known` (rejecting it when
    /// its bit in `seen` is set, and setting it), or nil for another key, checked against and
    /// added to `unknown`. A key matches by its decoded bytes, which for ASCII names is the same
    /// as `String` equality.
    package mutating func memberKey(
        known: [StaticString], seen: inout UInt32, unknown: inout UnknownKeys
    ) throws(JSONError) -> Int? {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
            throw unexpected("expected a string key")
        }
        let start = pos
        let token = try string()
        let index = try knownIndex(token, known)
        if let index {
            guard seen & 1 << index == 0 else {
                throw fail("duplicate key \"\(try decode(token))\"", at: start)
            }
            seen |= 1 << index
        } else {
            let name = try decode(token)
            guard unknown.insert(name) else { throw fail("duplicate key \"\(name)\"", at: start) }
        }
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw unexpected("expected ':'") }
        pos += 1
        return index
    }

    private func knownIndex(_ token: StringToken, _ known: [StaticString]) throws(JSONError) -> Int? {
        guard !known.isEmpty else { return nil }
        guard token.escaped else {
            return Self.index(of: UnsafeRawBufferPointer(rebasing: bytes[token.start..<token.end]), in: known)
        }
        var name = try decode(token)
        return name.withUTF8 { Self.index(of: UnsafeRawBufferPointer($0), in: known) }
    }

    private static func index(of name: UnsafeRawBufferPointer, in known: [StaticString]) -> Int? {
        search: for (index, candidate) in known.enumerated() where candidate.utf8CodeUnitCount == name.count {
            let bytes = candidate.utf8Start
            for i in 0..<name.count where name[i] != bytes[i] { continue search }
            return index
        }
        return nil
    }

    /// The value at `pos`, checked whole. Scalars come back as they are, except that a string is
    /// decoded only when `decodingString` (else it is `.string("")`); an array or object comes
    /// back empty, standing for its kind. `open` is the number of containers around it.
    package mutating func value(open: Int, decodingString: Bool) throws(JSONError) -> JSONValue {
        switch try valueStart() {
        case UInt8(ascii: "["):
            if try beginContainer(open: open) {
                repeat {
                    _ = try value(open: open + 1, decodingString: false)
                } while try nextMember(
                    inObject: false)
            }
            return .array([])
        case UInt8(ascii: "{"):
            if try beginContainer(open: open) {
                var seen: UInt32 = 0
                var unknown = UnknownKeys()
                repeat {
                    _ = try memberKey(known: [], seen: &seen, unknown: &unknown)
                    _ = try value(open: open + 1, decodingString: false)
                } while try nextMember(inObject: true)
            }
            return .object(JSONObject())
        case UInt8(ascii: "\""):
            let token = try string()
            return .string(decodingString ? try decode(token) : "")
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw unexpected("expected a value")
        }
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
    private mutating func digits(_ expected: String) throws(JSONError) {
        guard pos < bytes.count, isDigit(bytes[pos]) else { throw unexpected(expected) }
        repeat { pos += 1 } while pos < bytes.count && isDigit(bytes[pos])
    }

    /// Checks the string starting at the opening quote at `pos`; `pos` ends after the closing quote.
    mutating func string() throws(JSONError) -> StringToken {
        pos += 1
        let start = pos
        var escaped = false
        // The run of plain ASCII first, with the position in a local.
        var i = pos
        while i < bytes.count {
            let b = bytes[i]
            guard b >= 0x20, b < 0x80, b != UInt8(ascii: "\""), b != UInt8(ascii: "\\") else { break }
            i += 1
        }
        pos = i
        while true {
            guard pos < bytes.count else { throw fail("unterminated string") }
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                escaped = true
                _ = try escape(at: &pos)
            } else if b < 0x20 {
                throw fail("unescaped control character 0x\(hex(b)) in string")
            } else if b < 0x80 {
                pos += 1
            } else {
                try utf8Sequence()
            }
        }
        defer { pos += 1 }
        return StringToken(start: start, end: pos, escaped: escaped)
    }

    /// The text of a string `string()` checked. Allocates only past 15 bytes of UTF-8.
    package func decode(_ token: StringToken) throws(JSONError) -> String {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[token.start..<token.end])
        guard token.escaped else { return String(decoding: raw, as: UTF8.self) }
        // Every escape is at least as long as the UTF-8 it stands for.
        var failure: JSONError?
        let text = String(unsafeUninitializedCapacity: raw.count) { out in
            var i = token.start
            var n = 0
            while i < token.end {
                guard bytes[i] == UInt8(ascii: "\\") else {
                    out[n] = bytes[i]
                    n += 1
                    i += 1
                    continue
                }
                do throws(JSONError) {
                    for unit in UTF8.encode(try escape(at: &i))! {
                        out[n] = unit
                        n += 1
                    }
                } catch {
                    failure = error
                    return 0
                }
            }
            return n
        }
        if let failure { throw failure }
        return text
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

    /// The scalar of the escape at `i` (the backslash); `i` ends after it.
    private func escape(at i: inout Int) throws(JSONError) -> Unicode.Scalar {
        let start = i
        i += 1
        guard i < bytes.count else { throw fail("unterminated string", at: i) }
        let simple: UInt8
        switch bytes[i] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): simple = bytes[i]
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            i += 1
            var scalar = try hex4(at: &i)
            if scalar >= 0xDC00, scalar <= 0xDFFF { throw fail("lone low surrogate escape", at: start) }
            if scalar >= 0xD800, scalar <= 0xDBFF {
                guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u")
                else { throw fail("lone high surrogate escape", at: start) }
                i += 2
                let low = try hex4(at: &i)
                guard low >= 0xDC00, low <= 0xDFFF else {
                    throw fail("lone high surrogate escape", at: start)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            return Unicode.Scalar(scalar)!
        default: throw fail("invalid escape", at: i)
        }
        i += 1
        return Unicode.Scalar(simple)
    }

    /// Four hex digits at `i`.
    private func hex4(at i: inout Int) throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard i < bytes.count else { throw fail("unterminated string", at: i) }
            let b = bytes[i]
            let letter = (b | 0x20) &- UInt8(ascii: "a")  // 0...5 for a-f and A-F
            guard isDigit(b) || letter < 6 else { throw fail("expected a hex digit in \\u escape", at: i) }
            value = value << 4 | UInt32(isDigit(b) ? b - UInt8(ascii: "0") : letter + 10)
            i += 1
        }
        return value
    }
}

@inline(__always) private func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

private func hex(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }
