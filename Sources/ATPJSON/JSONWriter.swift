import ATPUtilities

/// Appenders that write JSON text into a byte buffer, for building response bodies.
///
/// None of them allocates beyond the buffer's own geometric growth, and none uses Foundation or
/// string formatting (the literal and decimal appenders are ATPUtilities' `Bytes+ASCII.swift`).
/// They are plain mutating methods on a value: safe on any thread that owns the buffer.
extension Array where Element == UInt8 {
    /// Appends `s` as a quoted JSON string. See `appendJSONString(_: UnsafeRawBufferPointer)`.
    /// - Complexity: O(n) in the UTF-8 length of `s`.
    @inlinable
    public mutating func appendJSONString(_ s: String) {
        var s = s
        s.withUTF8 { appendJSONString(UnsafeRawBufferPointer($0)) }
    }

    /// Appends UTF-8 `bytes` as a quoted JSON string.
    ///
    /// Escapes `"` and `\` with a backslash, control characters below 0x20 as `\n` `\r` `\t` `\b`
    /// `\f` or `\u00XX`, and 0x7F as `\u007f`; every other byte is copied as is, in runs. The input
    /// is assumed to be valid UTF-8 (as any Swift `String`'s is); it is not checked.
    /// - Complexity: O(n) in `bytes.count`.
    public mutating func appendJSONString(_ bytes: UnsafeRawBufferPointer) {
        append(UInt8(ascii: "\""))
        var run = 0
        for i in 0..<bytes.count {
            let b = bytes[i]
            guard b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F else { continue }
            if run < i { append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run..<i])) }
            run = i + 1
            append(UInt8(ascii: "\\"))
            switch b {
            case 0x22: append(UInt8(ascii: "\""))
            case 0x5C: append(UInt8(ascii: "\\"))
            case 0x0A: append(UInt8(ascii: "n"))
            case 0x0D: append(UInt8(ascii: "r"))
            case 0x09: append(UInt8(ascii: "t"))
            case 0x08: append(UInt8(ascii: "b"))
            case 0x0C: append(UInt8(ascii: "f"))
            default:
                appendASCII("u00")
                append(hexDigit(b >> 4))
                append(hexDigit(b & 0x0F))
            }
        }
        if run < bytes.count { append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[run...])) }
        append(UInt8(ascii: "\""))
    }

    private func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}

extension JSONValue {
    /// Appends this value as compact JSON (no whitespace), object members in stored order.
    ///
    /// Doubles use Swift's shortest round-trip `description` (e.g. `0.1`, `1e-07`, `5.0`), which is
    /// valid JSON; non-finite doubles, which JSON cannot express, are written as `null`.
    /// - Complexity: O(size of the output). Recurses once per nesting level.
    public func serialize(into out: inout [UInt8]) {
        switch self {
        case .null: out.appendASCII("null")
        case .bool(let b): if b { out.appendASCII("true") } else { out.appendASCII("false") }
        case .integer(let v): out.appendDecimal(v)
        case .number(let d):
            if d.isFinite { out.append(contentsOf: d.description.utf8) } else { out.appendASCII("null") }
        case .string(let s): out.appendJSONString(s)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                element.serialize(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for i in 0..<object.count {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.appendJSONString(object.keys[i])
                out.append(UInt8(ascii: ":"))
                object.values[i].serialize(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// This value as compact JSON bytes. See `serialize(into:)`.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        serialize(into: &out)
        return out
    }
}
