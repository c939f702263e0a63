import ATPEngine
import Testing

@testable import ATPStore

@Suite struct JournalFrameTests {
    static let reservation = Reservation(
        id: ReservationID(raw: 0xdead_beef), status: .held,
        lines: [
            ReservationLine(sku: "A", location: "DC1", qty: 2),
            ReservationLine(sku: "Ü-ñ", location: "STORE-7", qty: 9),
        ],
        createdAt: Timestamp(milliseconds: 1_795_000_000_000),
        expiresAt: Timestamp(milliseconds: 1_795_000_900_000),
        updatedAt: Timestamp(milliseconds: 1_795_000_000_000), reference: "cart-1")

    static let units: [[JournalRecord]] = [
        [
            .stockEvent(
                StockEventRecord(
                    event: StockEvent(
                        id: "e1", source: "wms", seq: 4, kind: .set, sku: "A", location: "DC1", amount: 10),
                    at: Timestamp(milliseconds: 5), version: 1))
        ],
        [.reservationCreated(reservation), .safetyStock(sku: "A", location: "DC1", value: 2)],
        // A record of 128 bytes or more takes a two-byte length.
        [
            .idempotency(
                IdempotencyRecord(
                    key: Digest128("k"), fingerprint: Digest128("f"),
                    outcome: StoredOutcome(status: 201, body: Array(repeating: 0x41, count: 300)),
                    at: Timestamp(milliseconds: 9)))
        ],
        [],
        [.channelRemoved(name: "web")],
    ]

    static func framed(_ units: [[JournalRecord]]) -> (bytes: [UInt8], starts: [Int]) {
        var bytes: [UInt8] = []
        var starts: [Int] = []
        for unit in units {
            starts.append(bytes.count)
            JournalFrame.append(unit, to: &bytes)
        }
        return (bytes, starts)
    }

    @Test func framesRoundTrip() throws {
        let (bytes, _) = Self.framed(Self.units)
        var decoded: [[JournalRecord]] = []
        try bytes.withUnsafeBytes { data in
            var offset = 0
            while case .frame(let payload, let next) = JournalFrame.read(data, at: offset) {
                var unit: [JournalRecord] = []
                try JournalFrame.decodeRecords(in: UnsafeRawBufferPointer(rebasing: data[payload])) {
                    unit.append($0)
                }
                decoded.append(unit)
                offset = next
            }
            #expect(JournalFrame.read(data, at: offset) == .end)
        }
        #expect(decoded == Self.units)
    }

    @Test func everyFlippedByteIsCaught() {
        let (bytes, _) = Self.framed([Self.units[1]])
        for i in bytes.indices {
            var damaged = bytes
            damaged[i] ^= 0x10
            let read = damaged.withUnsafeBytes { JournalFrame.read($0, at: 0) }
            #expect(read == .damaged || read == .truncated, "byte \(i)")
        }
        for cut in 0..<bytes.count {
            let read = Array(bytes[..<cut]).withUnsafeBytes { JournalFrame.read($0, at: 0) }
            #expect(read == (cut == 0 ? .end : .truncated), "cut at \(cut)")
        }
    }

    @Test func findsValidFramesAfterDamage() {
        let (bytes, starts) = Self.framed(Self.units)
        var damaged = bytes
        damaged[starts[1] + 12] ^= 0xFF
        damaged.withUnsafeBytes { data in
            #expect(JournalFrame.read(data, at: starts[1]) == .damaged)
            #expect(JournalFrame.findValidFrame(in: data, after: starts[1]) == starts[2])
        }
        // A cut last frame, or zeros, hide no frame.
        let torn = Array(bytes[..<(starts[4] + 5)]) + [UInt8](repeating: 0, count: 64)
        torn.withUnsafeBytes { data in
            #expect(JournalFrame.findValidFrame(in: data, after: starts[4]) == nil)
        }
    }

    @Test func malformedPayloadsAreRejected() {
        for payload: [UInt8] in [[2, 0], [1], [1, 1], [1, 1, 5, 0], [1, 0, 0], [1, 0x80]] {
            #expect(throws: FrameError.self) {
                try payload.withUnsafeBytes { try JournalFrame.recordCount(in: $0) }
            }
        }
        #expect(throws: Never.self) {
            try [UInt8]([1, 0]).withUnsafeBytes { try JournalFrame.recordCount(in: $0) }
        }
    }
}
