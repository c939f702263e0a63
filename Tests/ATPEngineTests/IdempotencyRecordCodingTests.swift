import ATPTestSupport
import Testing

@testable import ATPEngine

/// The `idempotency` record of journal format 3 (the outcome as facts) and of formats 1 and 2
/// (the response body), which old journals and Redis keys still hold.
@Suite struct IdempotencyRecordCodingTests {
    static let at = Timestamp(milliseconds: ManualClock.start)
    static let created = Reservation(
        id: ReservationID(raw: 0xfedc_ba98_7654_3210), status: .held,
        lines: [
            ReservationLine(sku: "SKU-100231", location: "DC-NORTH", qty: 2),
            ReservationLine(sku: "Ü-ñ", location: "STORE-7", qty: 1_000_000_000),
        ],
        createdAt: Timestamp(milliseconds: ManualClock.start + 1),
        expiresAt: Timestamp(milliseconds: ManualClock.start + 1 + 900_000),
        updatedAt: Timestamp(milliseconds: ManualClock.start + 1), reference: "cart-7f3a9c")

    static let outcomes: [StoredOutcome] = [
        .created(created),
        .created(
            Reservation(
                id: ReservationID(raw: 0), status: .confirmed,
                lines: [ReservationLine(sku: "A", location: "B", qty: 1)],
                createdAt: Timestamp(milliseconds: 0), expiresAt: Timestamp(milliseconds: 1),
                updatedAt: Timestamp(milliseconds: 253_402_300_799_999), reference: nil)),
        .invalid(.duplicateLine("lines[1] repeats sku A at location B")),
        .insufficient([
            InsufficientLine(sku: "SKU-200417", location: "STORE-0042", requested: 50, available: -3)
        ]),
        .insufficient([]),
        .malformed(StoredProblem(status: 400, code: "invalid_json", detail: "unexpected end of input")),
        .body(status: 201, body: Array(#"{"id":"r_1"}"#.utf8)),
    ]

    static func record(_ outcome: StoredOutcome) -> JournalRecord {
        .idempotency(
            IdempotencyRecord(
                key: Digest128("shop", "order-1"), fingerprint: Digest128("body"), outcome: outcome, at: at))
    }

    @Test(arguments: outcomes)
    func everyOutcomeRoundTripsAndEveryPrefixIsAnError(outcome: StoredOutcome) throws {
        let bytes = Self.record(outcome).encoded
        #expect(bytes.first == 3)
        let decoded = try JournalRecord.decode(bytes)
        #expect(decoded == Self.record(outcome))
        #expect(decoded.problem == nil)
        if case .idempotency(let r) = decoded, case .invalid(let error) = r.outcome {
            #expect(error.detail == "lines[1] repeats sku A at location B", "equality ignores the detail")
        }
        for n in 0..<bytes.count {
            #expect(throws: JournalDecodingError.self) { try JournalRecord.decode(Array(bytes[..<n])) }
        }
    }

    /// Formats 1 and 2: key, fingerprint, status, body, time.
    @Test(arguments: [UInt8(1), 2])
    func aBodyCarryingRecordOfAnOlderFormatDecodes(format: UInt8) throws {
        var w = JournalWriter(bytes: [format, 5])
        w.digest(Digest128("shop", "order-1"))
        w.digest(Digest128("body"))
        w.varint(409)
        w.blob(Array(#"{"code":"insufficient_stock"}"#.utf8))
        w.time(Self.at)
        let decoded = try JournalRecord.decode(w.bytes)
        #expect(
            decoded == Self.record(.body(status: 409, body: Array(#"{"code":"insufficient_stock"}"#.utf8))))
        #expect(decoded.problem == nil)
    }

    /// Where the outcome tag is: after the format and kind bytes, the digests and the time.
    static var tagOffset: Int {
        var time = JournalWriter(bytes: [])
        time.time(at)
        return 2 + 32 + time.bytes.count
    }

    @Test func anUnknownOutcomeTagOrRefusalCodeIsAnError() {
        var bytes = Self.record(.invalid(.invalidRequest("x"))).encoded
        let tagOffset = Self.tagOffset
        #expect(bytes[tagOffset] == 2)
        bytes[tagOffset] = 9
        #expect(throws: JournalDecodingError.self) { try JournalRecord.decode(bytes) }
        var w = JournalWriter(bytes: [3, 5])
        w.digest(Digest128("k"))
        w.digest(Digest128("f"))
        w.time(Self.at)
        w.u8(2)
        w.string("no_such_code")
        w.string("x")
        #expect(throws: JournalDecodingError.self) { try JournalRecord.decode(w.bytes) }
    }

    /// A replay renders the outcome again, so what it renders is checked like a fresh record.
    @Test func recoveryRefusesOutcomesThatCannotBeRendered() {
        var late = Self.created
        late.expiresAt = Timestamp(milliseconds: 253_402_300_800_000)
        var keyless = Self.created
        keyless.lines[0].sku = ""
        let bad: [StoredOutcome] = [
            .created(late), .created(keyless),
            .insufficient([InsufficientLine(sku: "A", location: "B\u{1}", requested: 1, available: 0)]),
            .malformed(StoredProblem(status: 1000, code: "c", detail: "d")),
            .body(status: 99, body: []),
        ]
        for outcome in bad { #expect(Self.record(outcome).problem != nil, "\(outcome)") }
    }

    @Test func aCreatedOutcomeStoresItsTimesAsDifferences() {
        var fields = JournalWriter(bytes: [])
        fields.u64(Self.created.id.raw)
        let bytes = Self.record(.created(Self.created)).encoded
        // After the tag: the id (8 bytes), the status, then three small differences.
        let start = Self.tagOffset + 1
        #expect(Array(bytes[start..<(start + 8)]) == fields.bytes)
        #expect(bytes[start + 8] == ReservationStatus.held.rawValue)
        #expect(Array(bytes[(start + 9)..<(start + 14)]) == [2, 0xC0, 0xEE, 0x6D, 0])
    }
}
