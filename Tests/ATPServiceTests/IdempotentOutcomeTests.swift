import ATPHTTP
import ATPTestExpectations
import ATPTestSupport
import ATPUtilities
import Foundation
import Testing

@testable import ATPEngine
@testable import ATPService

/// A keyed create keeps the facts of its answer (`StoredOutcome`), not the body: a replay is
/// rendered from them and must answer the first answer's bytes, whatever became of the
/// reservation, and across a restart.
@Suite struct IdempotentOutcomeTests {
    static let oneLine =
        #"{"lines":[{"sku":"SKU-100231","location":"DC-NORTH","qty":2}],"reference":"cart-7f3a9c"}"#
    static let threeLines = """
        {"lines":[{"sku":"SKU-100231","location":"DC-NORTH","qty":2},\
        {"sku":"SKU-100232","location":"DC-NORTH","qty":1},\
        {"sku":"SKU-200417","location":"STORE-0042","qty":5}],"ttlSeconds":600,"reference":"cart-7f3a9c"}
        """

    static func seed(_ harness: ServiceHarness) throws {
        let cells = [("SKU-100231", "DC-NORTH"), ("SKU-100232", "DC-NORTH"), ("SKU-200417", "STORE-0042")]
        for (sku, location) in cells {
            try harness.seed(sku, location, 10)
        }
    }

    static func post(_ harness: ServiceHarness, _ key: String, _ body: String) throws -> RawResponse {
        try harness.request(
            "POST", "/v1/reservations", body: body, headers: [("Idempotency-Key", key)], token: Tokens.shop)
    }

    /// The one completed key of the service's engine.
    static func record(_ harness: ServiceHarness) -> IdempotencyRecord? {
        var found: IdempotencyRecord?
        harness.service.engine.idempotency.forEachCompleted { found = $0 }
        return found
    }

    /// `record` as journal format 2 wrote it: the status and the whole response body.
    static func format2(_ record: IdempotencyRecord, body: [UInt8]) -> [UInt8] {
        var w = JournalWriter(bytes: [2, 5])
        w.digest(record.key)
        w.digest(record.fingerprint)
        w.varint(201)
        w.blob(body)
        w.time(record.at)
        return w.bytes
    }

    @Test(arguments: [oneLine, threeLines])
    func aReplayAnswersTheFirstBytesAfterTheReservationMovedOnWasPurgedAndRecovered(body: String) throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let harness = try ServiceHarness {
            $0.store = .file(path: root.path + "/atpd")
            $0.engine.finalReservationRetention = 1_000
        }
        try Self.seed(harness)
        let first = try Self.post(harness, "order-1", body)
        #expect(first.status == 201, "\(first.text)")
        let id = try #require(try first.json()["id"] as? String)
        func expectReplay(_ when: String, _ harness: ServiceHarness) throws {
            let again = try Self.post(harness, "order-1", body)
            #expect(again.status == 201, "\(when)")
            #expect(again.body == first.body, "\(when): \(again.text) vs \(first.text)")
            #expect(again.header("Content-Type") == "application/json", "\(when)")
            #expect(again.header("Idempotent-Replayed") == "true", "\(when)")
        }
        for step in ["confirm", "fulfill"] {
            let moved = try harness.request("POST", "/v1/reservations/\(id)/\(step)", token: Tokens.all)
            #expect(moved.status == 200, "\(moved.text)")
            try expectReplay("after \(step)", harness)
        }
        harness.clock.advance(seconds: 2)
        _ = harness.service.engine.sweepExpired()
        #expect(try harness.request("GET", "/v1/reservations/\(id)", token: Tokens.shop).status == 404)
        try expectReplay("after the purge", harness)
        harness.stop()

        let restarted = try ServiceHarness { $0.store = .file(path: root.path + "/atpd") }
        try expectReplay("after a restart", restarted)
    }

    /// Refusals are final for their request: replayed byte for byte, even once there is stock,
    /// and after a restart.
    @Test func refusalsAreReplayedByteForByteAcrossARestart() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let refusals = [
            ("short", Self.threeLines.replacingOccurrences(of: #""qty":5"#, with: #""qty":50"#), 409),
            ("malformed", #"{"lines":[{"sku":"SKU-100231","location":"DC-NORTH"}]}"#, 400),
            ("bad-json", #"{"lines":["#, 400),
            ("ttl", #"{"lines":[{"sku":"A","location":"B","qty":1}],"ttlSeconds":0}"#, 400),
            (
                "duplicate",
                #"{"lines":[{"sku":"A","location":"B","qty":1},{"sku":"A","location":"B","qty":1}]}"#, 400
            ),
        ]
        let harness = try ServiceHarness { $0.store = .file(path: root.path + "/atpd") }
        try Self.seed(harness)
        var firsts: [RawResponse] = []
        for (key, body, status) in refusals {
            let first = try Self.post(harness, key, body)
            #expect(first.status == status, "\(key): \(first.text)")
            #expect(first.header("Content-Type") == "application/problem+json", "\(key)")
            firsts.append(first)
        }
        try harness.seed("SKU-200417", "STORE-0042", 100)
        harness.stop()
        let restarted = try ServiceHarness { $0.store = .file(path: root.path + "/atpd") }
        for ((key, body, _), first) in zip(refusals, firsts) {
            let again = try Self.post(restarted, key, body)
            #expect(again.status == first.status, "\(key)")
            #expect(again.body == first.body, "\(key): \(again.text) vs \(first.text)")
            #expect(again.header("Content-Type") == "application/problem+json", "\(key)")
            #expect(again.header("Idempotent-Replayed") == "true", "\(key)")
        }
    }

    /// Bytes per idempotency record, format 2 (the response body) against format 3 (the facts),
    /// and the inline size of a key's table entry. Prints the figures.
    @Test(arguments: [("1 line", oneLine), ("3 lines", threeLines)])
    func aCreatedOutcomeIsAFractionOfTheBody(label: String, body: String) throws {
        let harness = try ServiceHarness()
        try Self.seed(harness)
        let first = try Self.post(harness, "order-1", body)
        #expect(first.status == 201, "\(first.text)")
        let record = try #require(Self.record(harness))
        guard case .created = record.outcome else {
            Issue.record("not a created outcome: \(record.outcome)")
            return
        }
        let compact = JournalRecord.idempotency(record).encoded
        let before = Self.format2(record, body: first.body)
        print(
            "idempotency record, \(label): format 2 \(before.count) bytes (body \(first.body.count)),"
                + " format 3 \(compact.count) bytes (\(compact.count * 100 / before.count) %)")
        #expect(compact.count * 10 <= before.count * 4, "at most 40 % of the body-carrying record")
        #expect(try JournalRecord.decode(compact) == .idempotency(record))
    }

    /// A record written before format 3 (the body kept whole) still decodes and is replayed as
    /// it was stored.
    @Test func aFormat2RecordIsReplayedAsStored() throws {
        let harness = try ServiceHarness()
        try Self.seed(harness)
        let first = try Self.post(harness, "order-1", Self.oneLine)
        let record = try #require(Self.record(harness))
        let old = Array(first.body.reversed())  // not what the facts render: proves the body is used
        guard case .idempotency(let decoded) = try JournalRecord.decode(Self.format2(record, body: old))
        else {
            Issue.record("not an idempotency record")
            return
        }
        #expect(decoded.outcome == .body(status: 201, body: old))
        harness.service.engine.idempotency.restore(decoded, now: harness.clock.now())
        let again = try Self.post(harness, "order-1", Self.oneLine)
        #expect(again.status == 201)
        #expect(again.body == old)
        #expect(again.header("Idempotent-Replayed") == "true")
    }

    /// What a key costs in memory: the table entry inline (format 2's status and body array
    /// against the outcome enum), printed with the heap the body took against the lines'.
    @Test func memoryPerKey() {
        struct BodyOutcome {
            var status: Int
            var body: [UInt8]
        }
        // The table's dictionary slot: the key's digest, then the entry and its time.
        let before = MemoryLayout<Digest128>.stride + MemoryLayout<(Digest128, BodyOutcome?, Int64)>.stride
        let after = MemoryLayout<Digest128>.stride + MemoryLayout<(IdempotencyTable.Entry, Int64)>.stride
        print(
            "idempotency slot inline: \(before) bytes with a body, \(after) bytes with StoredOutcome"
                + " (\(MemoryLayout<StoredOutcome>.size) bytes of it the outcome);"
                + " heap: body 32 + its bytes, lines 32 + \(MemoryLayout<ReservationLine>.stride) per line")
        #expect(after <= 128)
    }
}
