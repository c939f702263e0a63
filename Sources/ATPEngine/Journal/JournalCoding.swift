/// Appends journal fields to a byte array: LEB128 varints, zigzag signed integers, fixed
/// little-endian words, and length-prefixed UTF-8 strings.
/// Thread-safety: a value type.
struct JournalWriter {
    var bytes: [UInt8]

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func int(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    /// Eight bytes, little-endian: shorter than a varint for values spread over all 64 bits.
    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    mutating func string(_ value: String) {
        varint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    mutating func optionalString(_ value: String?) {
        if let value {
            u8(1)
            string(value)
        } else {
            u8(0)
        }
    }

    mutating func blob(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func digest(_ value: Digest128) {
        for word in [value.high, value.low] {
            for shift in stride(from: 0, to: 64, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
    }

    mutating func time(_ value: Timestamp) { int(value.milliseconds) }
}

/// Reads journal fields written by `JournalWriter`, checking every bound.
/// Thread-safety: a value type over borrowed bytes.
struct JournalReader {
    let buffer: UnsafeRawBufferPointer
    var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var isAtEnd: Bool { offset == buffer.count }

    mutating func u8() throws(JournalDecodingError) -> UInt8 {
        guard offset < buffer.count else { throw JournalDecodingError("record ends early") }
        defer { offset += 1 }
        return buffer[offset]
    }

    mutating func varint() throws(JournalDecodingError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            guard shift < 64, shift < 63 || byte <= 1 else {
                throw JournalDecodingError("varint overflows 64 bits")
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func int() throws(JournalDecodingError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func u64() throws(JournalDecodingError) -> UInt64 {
        guard buffer.count - offset >= 8 else { throw JournalDecodingError("record ends early") }
        var value: UInt64 = 0
        for b in 0..<8 { value |= UInt64(buffer[offset + b]) << UInt64(b * 8) }
        offset += 8
        return value
    }

    mutating func count(max: Int) throws(JournalDecodingError) -> Int {
        let n = try varint()
        guard n <= UInt64(max), n <= UInt64(buffer.count - offset) else {
            throw JournalDecodingError("length \(n) exceeds the record")
        }
        return Int(n)
    }

    mutating func string() throws(JournalDecodingError) -> String {
        let n = try count(max: 1 << 20)
        defer { offset += n }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + n)])
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw JournalDecodingError("string is not UTF-8")
        }
        return text
    }

    mutating func optionalString() throws(JournalDecodingError) -> String? {
        switch try u8() {
        case 0: return nil
        case 1: return try string()
        default: throw JournalDecodingError("bad optional marker")
        }
    }

    mutating func blob() throws(JournalDecodingError) -> [UInt8] {
        let n = try count(max: 64 << 20)
        defer { offset += n }
        return Array(buffer[offset..<(offset + n)])
    }

    mutating func digest() throws(JournalDecodingError) -> Digest128 {
        guard buffer.count - offset >= 16 else { throw JournalDecodingError("record ends early") }
        var words: [UInt64] = [0, 0]
        for w in 0..<2 {
            for b in 0..<8 { words[w] |= UInt64(buffer[offset + w * 8 + b]) << UInt64(b * 8) }
        }
        offset += 16
        return Digest128(high: words[0], low: words[1])
    }

    mutating func time() throws(JournalDecodingError) -> Timestamp { Timestamp(milliseconds: try int()) }
}
