import ATPEngine
import ATPTestExpectations
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// Floods of unique event ids, idempotency keys and channel names through the API, with small
/// caps: the tables stay at their caps, the newest entries keep deduplicating, and every entry
/// dropped before its retention ended is counted in `/metrics` (the documented trade-off: an id
/// or key dropped that way is new again if it comes back).
@Suite struct TableBoundsAPITests {
    /// 16 shards of 4.
    static let capacity = 64
    static let flood = 1_000

    static func harness() throws -> ServiceHarness {
        try ServiceHarness {
            $0.engine.eventIDCapacity = Self.capacity
            $0.engine.idempotencyCapacity = Self.capacity
            $0.engine.channelCapacity = 5
        }
    }

    /// Sends `requests` pipelined on one connection, 100 at a time; their responses in order.
    static func pipelined(_ harness: ServiceHarness, _ requests: [String]) throws -> [RawResponse] {
        let connection = try harness.connect()
        var responses: [RawResponse] = []
        for start in stride(from: 0, to: requests.count, by: 100) {
            let batch = requests[start..<min(start + 100, requests.count)]
            try connection.send(batch.joined())
            for _ in batch { responses.append(try connection.readResponse()) }
        }
        return responses
    }

    static func event(_ i: Int) -> String {
        #"{"id":"flood-\#(i)","type":"return","sku":"A","location":"DC1","qty":1}"#
    }

    @Test func uniqueEventIDsStayAtTheCap() throws {
        let harness = try Self.harness()
        let events = (0..<Self.flood).map(Self.event).joined(separator: ",")
        #expect(try harness.request("POST", "/v1/events", body: #"{"events":[\#(events)]}"#).status == 200)
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == Self.flood)
        let kept = harness.service.engine.eventIDCount
        #expect(kept <= Self.capacity && kept >= Self.capacity - 16)
        #expect(try harness.metric("atpd_event_ids") == kept)
        #expect(try harness.metric("atpd_event_id_evictions_total") == Self.flood - kept)

        // The newest ids (4 per shard at least) are still duplicates; the first was dropped and
        // is applied again, as the eviction counter warned.
        let newest = (Self.flood - 4..<Self.flood).map(Self.event).joined(separator: ",")
        let again = try harness.request(
            "POST", "/v1/events", body: #"{"events":[\#(newest),\#(Self.event(0))]}"#)
        #expect(
            try again.json()["duplicate"] as? Int == 4 && again.json()["applied"] as? Int == 1,
            "\(again.text)")
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == Self.flood + 1)
        #expect(harness.service.engine.eventIDCount <= Self.capacity)
    }

    @Test func uniqueIdempotencyKeysStayAtTheCap() throws {
        let harness = try Self.harness()
        try harness.seed("A", "DC1", 1_000_000)
        func hold(_ key: Int) -> String {
            ServiceHarness.requestText(
                "POST", "/v1/reservations", body: #"{"lines":[{"sku":"A","location":"DC1","qty":1}]}"#,
                headers: [("Idempotency-Key", "flood-\(key)")])
        }
        let created = try Self.pipelined(harness, (0..<Self.flood).map(hold))
        #expect(created.allSatisfy { $0.status == 201 })
        let kept = harness.service.engine.idempotency.count
        #expect(kept <= Self.capacity && kept >= Self.capacity - 16)
        #expect(try harness.metric("atpd_idempotency_keys") == kept)
        #expect(try harness.metric("atpd_idempotency_evictions_total") == Self.flood - kept)

        let retries = try Self.pipelined(harness, ((Self.flood - 4)..<Self.flood).map(hold) + [hold(0)])
        for (retry, original) in zip(retries.prefix(4), created.suffix(4)) {
            #expect(retry.status == 201 && retry.header("Idempotent-Replayed") == "true")
            #expect(retry.body == original.body, "the stored answer again")
        }
        #expect(
            retries[4].status == 201 && retries[4].header("Idempotent-Replayed") == nil, "dropped: a new hold"
        )
        #expect(try harness.cell("A", "DC1")?["reserved"] as? Int == Self.flood + 1)
        #expect(harness.service.engine.idempotency.count <= Self.capacity)
    }

    @Test func uniqueChannelNamesStopAtTheCap() throws {
        let harness = try Self.harness()
        let body = #"{"endpoint":"http://127.0.0.1:9/hook"}"#
        for i in 0..<5 { #expect(try harness.request("PUT", "/v1/channels/c\(i)", body: body).status == 201) }
        for i in 5..<50 {
            expectProblem(
                try harness.request("PUT", "/v1/channels/c\(i)", body: body), 503, "capacity_exhausted")
        }
        #expect(
            try harness.request("PUT", "/v1/channels/c0", body: body).status == 200, "changing one is fine")
        #expect(try harness.request("DELETE", "/v1/channels/c4").status == 204)
        #expect(try harness.request("PUT", "/v1/channels/new", body: body).status == 201)
        let list = try harness.request("GET", "/v1/channels").json()["channels"] as? [[String: Any]]
        #expect(list?.compactMap { $0["name"] as? String } == ["c0", "c1", "c2", "c3", "new"])
    }
}
