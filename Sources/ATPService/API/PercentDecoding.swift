/// `%XX` decoding of path segments and `application/x-www-form-urlencoded` query values.
///
/// Thread-safety: stateless. - Complexity: O(input length).
enum PercentDecoding {
    /// Decodes `input` into `out` (which must hold `input.count` bytes); returns the decoded length,
    /// or nil when a `%` is not followed by two hex digits.
    static func decode(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer, plusIsSpace: Bool)
        -> Int?
    {
        var i = 0
        var n = 0
        while i < input.count {
            var b = input[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < input.count, let high = hex(input[i + 1]), let low = hex(input[i + 2]) else {
                    return nil
                }
                b = high << 4 | low
                i += 2
            } else if b == UInt8(ascii: "+") && plusIsSpace {
                b = 0x20
            }
            out.storeBytes(of: b, toByteOffset: n, as: UInt8.self)
            n += 1
            i += 1
        }
        return n
    }

    /// True when decoding would change `input` (it holds `%`, or `+` in a query).
    @inline(__always)
    static func needsDecoding(_ input: UnsafeRawBufferPointer, plusIsSpace: Bool) -> Bool {
        input.contains { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }
    }

    /// The decoded text, or nil when the encoding is broken or the bytes are not UTF-8.
    static func string(_ input: UnsafeRawBufferPointer, plusIsSpace: Bool) -> String? {
        var bytes = [UInt8](repeating: 0, count: input.count)
        let count = bytes.withUnsafeMutableBytes {
            decode(input, into: $0.baseAddress!, plusIsSpace: plusIsSpace)
        }
        guard let count else { return nil }
        return String(validating: bytes[..<count], as: UTF8.self)
    }

    /// The value of one hex digit, or nil.
    static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - 48
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - 87
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - 55
        default: nil
        }
    }
}
