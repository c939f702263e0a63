import ATPEngine

/// The on-disk framing of journal segments and snapshots.
///
/// A frame is `[u32 LE payload length][u32 LE CRC-32C of the payload][payload]`, and a payload is
/// `[u8 frame format = 1][varint record count][per record: varint length, JournalRecord bytes]`.
/// A journal frame holds exactly one unit, so a unit is durable whole or not at all; a snapshot
/// frame holds many records and a snapshot ends with a frame of zero records.
/// Package access for the fuzz harness, which scans arbitrary bytes as recovery does.
/// Thread-safety: stateless.
package enum JournalFrame {
    /// Bytes before the payload: length and checksum.
    package static let headerSize = 8
    /// The format byte that opens every payload written by this version.
    package static let format: UInt8 = 1
    /// The smallest payload: the format byte and a one-byte record count.
    package static let minimumPayload = 2
    /// A sanity bound on a payload's length; anything larger is damage, not data.
    package static let maximumPayload = 1 << 30

    /// What is found at an offset of a journal or snapshot file.
    package enum Read: Equatable {
        /// A whole frame whose checksum matches; the next frame starts at `next`.
        case frame(payload: Range<Int>, next: Int)
        /// The offset is exactly the end of the data.
        case end
        /// Too few bytes for the header, or the length runs past the end (a torn write, or a
        /// damaged length).
        case truncated
        /// The length is impossible, or the checksum does not match.
        case damaged
    }

    /// Appends one frame holding `records` to `buffer`.
    /// - Complexity: O(size of the records).
    package static func append(_ records: some Collection<JournalRecord>, to buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: headerSize))
        buffer.append(format)
        appendVarint(UInt64(records.count), to: &buffer)
        for record in records {
            // One length byte is reserved; the rare record of 128 bytes or more shifts itself
            // right to make room for a longer varint.
            let lengthAt = buffer.count
            buffer.append(0)
            record.encode(into: &buffer)
            let length = buffer.count - lengthAt - 1
            if length < 0x80 {
                buffer[lengthAt] = UInt8(length)
            } else {
                var prefix: [UInt8] = []
                appendVarint(UInt64(length), to: &prefix)
                buffer[lengthAt] = prefix[0]
                buffer.insert(contentsOf: prefix[1...], at: lengthAt + 1)
            }
        }
        let payloadLength = buffer.count - start - headerSize
        let crc = buffer.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + headerSize)...]))
        }
        store(UInt32(payloadLength), at: start, in: &buffer)
        store(crc, at: start + 4, in: &buffer)
    }

    /// Reads the frame header at `offset` of `data` and checks the payload's checksum.
    /// - Complexity: O(payload length).
    package static func read(_ data: UnsafeRawBufferPointer, at offset: Int) -> Read {
        let remaining = data.count - offset
        if remaining == 0 { return .end }
        if remaining < headerSize { return .truncated }
        let length = Int(data.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
        let crc = data.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self).littleEndian
        if length < minimumPayload || length > maximumPayload { return .damaged }
        if length > remaining - headerSize { return .truncated }
        let payload = (offset + headerSize)..<(offset + headerSize + length)
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: data[payload])) == crc else { return .damaged }
        return .frame(payload: payload, next: payload.upperBound)
    }

    /// The offset of the first byte after `offset` where a whole, checksummed, well-formed frame
    /// starts, or nil.
    ///
    /// Recovery uses it to tell a torn tail (nothing valid follows the damage) from damage in the
    /// middle of a journal (valid frames follow). A random match needs a 32-bit checksum to agree.
    /// - Complexity: O(bytes after `offset`) for typical data; each candidate whose length fits
    ///   costs a checksum of that length.
    package static func findValidFrame(in data: UnsafeRawBufferPointer, after offset: Int) -> Int? {
        var p = offset + 1
        while data.count - p >= headerSize + minimumPayload {
            let length = Int(data.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian)
            if length >= minimumPayload, length <= data.count - p - headerSize,
                data[p + headerSize] == format, case .frame(let payload, _) = read(data, at: p),
                (try? recordCount(in: UnsafeRawBufferPointer(rebasing: data[payload]))) != nil
            {
                return p
            }
            p += 1
        }
        return nil
    }

    /// Checks a payload's structure (format, count, record lengths that end exactly at its end)
    /// without decoding the records.
    /// - Returns: the number of records.
    package static func recordCount(in payload: UnsafeRawBufferPointer) throws(FrameError) -> Int {
        try forEachRecord(in: payload) { _, _ in }
    }

    /// Calls `body` with the bytes of each record in a payload and their offset in it, in order.
    /// - Returns: the number of records.
    /// - Throws: when the payload is not format 1 or its lengths do not add up.
    @discardableResult
    package static func forEachRecord(
        in payload: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Int) throws(FrameError) -> Void
    ) throws(FrameError) -> Int {
        guard payload.count >= minimumPayload, payload[0] == format else {
            throw FrameError(payload.isEmpty ? "empty frame" : "unknown frame format \(payload[0])")
        }
        var offset = 1
        let count = try varint(payload, &offset)
        guard count <= UInt64(payload.count) else {
            throw FrameError("record count \(count) exceeds the frame")
        }
        for _ in 0..<Int(count) {
            let length = try varint(payload, &offset)
            guard length <= UInt64(payload.count - offset) else {
                throw FrameError("record runs past its frame")
            }
            let end = offset + Int(length)
            try body(UnsafeRawBufferPointer(rebasing: payload[offset..<end]), offset)
            offset = end
        }
        guard offset == payload.count else {
            throw FrameError("\(payload.count - offset) bytes after the records")
        }
        return Int(count)
    }

    /// Decodes every record of a payload and passes it to `body`.
    /// - Returns: the number of records.
    @discardableResult
    package static func decodeRecords(
        in payload: UnsafeRawBufferPointer, _ body: (JournalRecord) -> Void
    ) throws(FrameError) -> Int {
        try forEachRecord(in: payload) { (bytes, _) throws(FrameError) in
            do throws(JournalDecodingError) {
                body(try JournalRecord.decode(bytes))
            } catch {
                throw FrameError(error.description)
            }
        }
    }

    // MARK: Internals

    private static func appendVarint(_ value: UInt64, to buffer: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        buffer.append(UInt8(v))
    }

    private static func varint(_ data: UnsafeRawBufferPointer, _ offset: inout Int) throws(FrameError)
        -> UInt64
    {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < data.count {
            let byte = data[offset]
            offset += 1
            guard shift < 63 || (shift == 63 && byte <= 1) else {
                throw FrameError("varint overflows 64 bits")
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw FrameError("frame ends inside a varint")
    }

    private static func store(_ value: UInt32, at offset: Int, in buffer: inout [UInt8]) {
        for i in 0..<4 { buffer[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(8 * i)) }
    }
}

/// Why a frame's payload could not be read as records.
/// Thread-safety: a value type.
package struct FrameError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
