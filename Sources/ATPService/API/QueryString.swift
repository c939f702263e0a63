/// `application/x-www-form-urlencoded` query strings, read without allocating.
///
/// Thread-safety: stateless. - Complexity: O(query length).
enum QueryString {
    /// Calls `body` with each `name=value` pair's raw (still encoded) bytes; a pair without `=` has
    /// an empty value. Empty pairs (`&&`) are skipped.
    static func forEach(
        _ query: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void
    ) {
        var start = 0
        while start < query.count {
            var end = start
            while end < query.count && query[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                let pair = UnsafeRawBufferPointer(rebasing: query[start..<end])
                if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                    body(
                        UnsafeRawBufferPointer(rebasing: pair[..<equals]),
                        UnsafeRawBufferPointer(rebasing: pair[(equals + 1)...]))
                } else {
                    body(pair, UnsafeRawBufferPointer(start: nil, count: 0))
                }
            }
            start = end + 1
        }
    }

    /// The decoded value: `value` itself when it holds no `%` or `+`, else its decoding written at
    /// `scratch` (room for `value.count` bytes). Nil when the percent-encoding is broken.
    static func decode(_ value: UnsafeRawBufferPointer, into scratch: UnsafeMutableRawPointer)
        -> UnsafeRawBufferPointer?
    {
        guard PercentDecoding.needsDecoding(value, plusIsSpace: true) else { return value }
        guard let count = PercentDecoding.decode(value, into: scratch, plusIsSpace: true) else { return nil }
        return UnsafeRawBufferPointer(start: scratch, count: count)
    }
}

/// Validation of sku and location bytes: 1–128 bytes of UTF-8 without control characters
/// (the byte-level twin of the engine's `Key.problem`).
///
/// Thread-safety: stateless. - Complexity: O(length), no allocation unless there is a problem.
enum KeyBytes {
    static func problem(_ bytes: UnsafeRawBufferPointer, name: @autoclosure () -> String) -> String? {
        if bytes.isEmpty { return "\(name()) must not be empty" }
        if bytes.count > 128 { return "\(name()) is longer than 128 bytes" }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if b < 0x20 || b == 0x7F { return "\(name()) contains a control character" }
                i += 1
                continue
            }
            let length: Int
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: (length, scalar) = (2, UInt32(b & 0x1F))
            case 0xE0...0xEF: (length, scalar) = (3, UInt32(b & 0x0F))
            case 0xF0...0xF4: (length, scalar) = (4, UInt32(b & 0x07))
            default: return "\(name()) is not valid UTF-8"
            }
            guard i + length <= bytes.count else { return "\(name()) is not valid UTF-8" }
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return "\(name()) is not valid UTF-8" }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                return "\(name()) is not valid UTF-8"
            }
            if (0x80...0x9F).contains(scalar) { return "\(name()) contains a control character" }
            i += length
        }
        return nil
    }
}
