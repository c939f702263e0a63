import ATPEngine
import ATPStore

/// Fuzz target: the journal frame scanner, run over a segment's bytes as recovery runs it.
///
/// Input: one byte of flags, then the segment. With flag bit 0 set, the harness first writes the
/// right checksum into each frame it can walk to, so the fuzzer gets past the CRC to the payloads.
/// Invariants: frames lie within the data, one after another; a payload whose records decode has
/// as many as its structure says, and those records framed again read back the same bytes; a valid
/// frame found after damage is one. No read past the data (AddressSanitizer).
public enum JournalFrameFuzz {
    public static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let fixChecksums = input.byte() & 1 == 1
        var segment = Array(input.rest)
        if fixChecksums { fillChecksums(&segment) }
        segment.withUnsafeBytes { Fuzz.withExactCopy($0, scan) }
    }

    /// Reads frame after frame until the end or damage, as `FileRecovery` does.
    private static func scan(_ data: UnsafeRawBufferPointer) {
        var offset = 0
        while offset <= data.count {
            switch JournalFrame.read(data, at: offset) {
            case .frame(let payload, let next):
                Fuzz.expect(
                    payload.lowerBound == offset + JournalFrame.headerSize && next == payload.upperBound
                        && next <= data.count, "frame at \(offset): payload \(payload), next \(next)")
                checkPayload(UnsafeRawBufferPointer(rebasing: data[payload]))
                offset = next
            case .end:
                Fuzz.expect(offset == data.count, "end at \(offset) of \(data.count)")
                return
            case .truncated, .damaged:
                if let valid = JournalFrame.findValidFrame(in: data, after: offset) {
                    Fuzz.expect(valid > offset, "valid frame at \(valid), not after \(offset)")
                    guard case .frame(let payload, _) = JournalFrame.read(data, at: valid) else {
                        Fuzz.fail("findValidFrame's frame at \(valid) does not read")
                    }
                    let count = try? JournalFrame.recordCount(
                        in: UnsafeRawBufferPointer(rebasing: data[payload]))
                    Fuzz.expect(count != nil, "findValidFrame's frame at \(valid) is malformed")
                }
                return
            }
        }
    }

    private static func checkPayload(_ payload: UnsafeRawBufferPointer) {
        let count = try? JournalFrame.recordCount(in: payload)
        var records: [JournalRecord] = []
        guard let decoded = try? JournalFrame.decodeRecords(in: payload, { records.append($0) }) else {
            return
        }
        Fuzz.expect(
            count == decoded && records.count == decoded,
            "\(decoded) records decoded, count says \(count ?? -1)")

        var framed: [UInt8] = []
        JournalFrame.append(records, to: &framed)
        var again: [JournalRecord] = []
        framed.withUnsafeBytes { bytes in
            guard case .frame(let payload, framed.count) = JournalFrame.read(bytes, at: 0) else {
                Fuzz.fail("re-framed records do not read as one frame")
            }
            _ = try? JournalFrame.decodeRecords(in: UnsafeRawBufferPointer(rebasing: bytes[payload])) {
                again.append($0)
            }
        }
        // Compared as bytes: `==` never holds for a NaN rate (see JournalRecordFuzz).
        Fuzz.expect(
            again.map(\.encoded) == records.map(\.encoded), "re-framed \(records) read back as \(again)")
    }

    /// Writes the checksum of each frame's payload into its header, frame after frame, stopping at
    /// a length that does not fit.
    private static func fillChecksums(_ segment: inout [UInt8]) {
        var offset = 0
        while segment.count - offset >= JournalFrame.headerSize {
            let length = segment.withUnsafeBytes {
                Int($0.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
            }
            let start = offset + JournalFrame.headerSize
            guard length >= JournalFrame.minimumPayload, length <= segment.count - start else { return }
            let crc = segment.withUnsafeBytes {
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)]))
            }
            for i in 0..<4 { segment[offset + 4 + i] = UInt8(truncatingIfNeeded: crc >> UInt32(8 * i)) }
            offset = start + length
        }
    }
}
