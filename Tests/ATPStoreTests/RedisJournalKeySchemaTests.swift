import ATPEngine
import Testing

@testable import ATPStore

/// `RedisKeySchema`: key names, their classification, cell values and digests in hex.
@Suite struct RedisJournalKeySchemaTests {
    let schema = RedisKeySchema(prefix: "atp:")

    @Test func keysClassifyBackToTheirParts() {
        let id = ReservationID(raw: 0x0123_4567_89ab_cdef)
        let digest = Digest128(high: 0xdead_beef_0000_0001, low: 0xffff_0000_1234_5678)
        #expect(String(decoding: schema.reservation(id), as: UTF8.self) == "atp:res:r_0123456789abcdef")
        #expect(
            String(decoding: schema.idempotency(digest), as: UTF8.self)
                == "atp:idem:deadbeef00000001ffff000012345678")
        let cases: [([UInt8], RedisKeySchema.Kind)] = [
            (schema.cell(sku: "Ü-ñ"), .cell(sku: "Ü-ñ")),
            (schema.reservation(id), .reservation(id)),
            (schema.idempotency(digest), .idempotency(digest)),
            (schema.event(id: "evtd:x"), .event(id: "evtd:x")),
            (schema.eventDigest(digest), .eventDigest(digest)),
            (schema.sequenceMarks(source: "wms-1"), .sequenceMarks(source: "wms-1")),
            (schema.channels, .channels),
            (schema.deadLetters(channel: "web"), .deadLetters(channel: "web")),
        ]
        for (key, kind) in cases { #expect(schema.kind(of: key) == kind) }
        for foreign in [
            "other:cell:A", "atp:cell:", "atp:res:r_12", "atp:idem:XYZ", "atp:channelsX", "atp:unknown:1",
        ] {
            #expect(schema.kind(of: Array(foreign.utf8)) == nil, "\(foreign)")
        }
        #expect(RedisKeySchema.sequenceField(sku: "A", location: "DC1") == [65, 0, 68, 67, 49])
    }

    @Test func cellValuesRoundTrip() {
        let figures = CellSnapshotRecord(
            sku: "A", location: "DC1", onHand: -1_000_000_000_000, version: 0xFF_FFFF, safetyStock: 7)
        let value = RedisKeySchema.cellValue(figures)
        #expect(String(decoding: value, as: UTF8.self) == "-1000000000000 16777215 7")
        #expect(RedisKeySchema.parseCellValue(value)! == (-1_000_000_000_000, 0xFF_FFFF, 7))
        for bad in [
            "", "1 2", "1 2 3 4", "1  2 3", "a 2 3", "1 -2 3", "1 2 3 ", "1 99999999999 0",
            "9999999999999999999 1 1",
        ] {
            #expect(RedisKeySchema.parseCellValue(Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    @Test func digestsRoundTripThroughHex() {
        for digest in [Digest128("a"), Digest128(high: 0, low: 0), Digest128(high: .max, low: 1)] {
            #expect(RedisKeySchema.digest(hex: RedisKeySchema.hex(digest)) == digest)
        }
        #expect(RedisKeySchema.digest(hex: String(repeating: "A", count: 32)) == nil)
    }

    @Test func scanPatternEscapesGlobCharacters() {
        #expect(
            String(decoding: RedisKeySchema(prefix: "a*b?[c]\\:").scanPattern, as: UTF8.self)
                == "a\\*b\\?\\[c\\]\\\\:*")
    }
}
