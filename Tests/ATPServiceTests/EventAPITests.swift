import ATPEngine
import ATPHTTP
import ATPTestExpectations
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// `POST /v1/events` (API.md "Stock events").
@Suite struct EventAPITests {
    func ingest(_ harness: ServiceHarness, _ events: [Any], token: String = Tokens.wms) throws -> RawResponse
    {
        try harness.request("POST", "/v1/events", json: ["events": events], token: token)
    }

    func counts(_ response: RawResponse) throws -> [Int?] {
        let object = try response.json()
        return [
            object["applied"] as? Int, object["duplicate"] as? Int, object["stale"] as? Int,
            (object["rejected"] as? [Any])?.count,
        ]
    }

    @Test func theExampleOfAPIMd() throws {
        let harness = try ServiceHarness()
        let body = """
            {"events":[
              {"id":"wms-1-000017","source":"wms-1","seq":17,"type":"set","sku":"A","location":"DC1","qty":100,"reason":"cycle_count","at":"2026-11-25T10:15:00Z"},
              {"id":"wms-1-000018","source":"wms-1","seq":18,"type":"adjust","sku":"A","location":"DC1","delta":-2,"reason":"damaged"},
              {"id":"pos-7-88121","source":"pos-7","type":"sale","sku":"A","location":"STORE-7","qty":1},
              {"id":"pos-7-88122","source":"pos-7","type":"return","sku":"A","location":"STORE-7","qty":1},
              {"id":"wms-1-000018","source":"wms-1","seq":18,"type":"adjust","sku":"A","location":"DC1","delta":-2,"reason":"damaged"},
              {"id":"wms-1-000016","source":"wms-1","seq":16,"type":"set","sku":"A","location":"DC1","qty":50},
              {"id":"x","type":"explode","sku":"A","location":"DC1","qty":1}]}
            """
        let response = try harness.request("POST", "/v1/events", body: body, token: Tokens.wms)
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "application/json")
        let object = try response.json()
        #expect(object["applied"] as? Int == 4)
        #expect(object["duplicate"] as? Int == 1)
        #expect(object["stale"] as? Int == 1)
        let rejected = try #require(object["rejected"] as? [[String: Any]])
        #expect(rejected.count == 1)
        #expect(rejected.first?["index"] as? Int == 6)
        #expect(rejected.first?["id"] as? String == "x")
        #expect(rejected.first?["code"] as? String == "invalid_event")
        #expect((rejected.first?["detail"] as? String).map { !$0.isEmpty } == true)

        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 98)
        #expect(try harness.cell("A", "STORE-7")?["onHand"] as? Int == 0)
        #expect(try harness.available("A") == 98)
        #expect(try harness.metric(#"atpd_events_total{outcome="applied"}"#) == 4)
        #expect(try harness.metric(#"atpd_events_total{outcome="duplicate"}"#) == 1)
        #expect(try harness.metric(#"atpd_events_total{outcome="stale"}"#) == 1)
        #expect(try harness.metric(#"atpd_events_total{outcome="rejected"}"#) == 1)

        // Sending the whole batch again changes nothing: applied ids are duplicates; the stale
        // event's id was not applied, so it is remembered by nobody and is stale again.
        let again = try harness.request("POST", "/v1/events", body: body, token: Tokens.wms)
        #expect(try counts(again) == [0, 5, 1, 1])
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 98)
    }

    @Test func seqGuardIsPerSourceSkuAndLocation() throws {
        let harness = try ServiceHarness()
        func event(
            _ id: String, _ source: String?, _ seq: Int?, _ sku: String, _ location: String, _ qty: Int
        ) -> [String: Any] {
            var e: [String: Any] = ["id": id, "type": "set", "sku": sku, "location": location, "qty": qty]
            if let source { e["source"] = source }
            if let seq { e["seq"] = seq }
            return e
        }
        let first = try ingest(
            harness,
            [
                event("e1", "wms-1", 5, "A", "DC1", 10),
                event("e2", "wms-1", 5, "A", "DC2", 20),  // another location
                event("e3", "wms-1", 5, "B", "DC1", 30),  // another sku
                event("e4", "wms-2", 3, "A", "DC1", 11),  // another source
                event("e5", "wms-1", 4, "A", "DC1", 12),  // older: stale
                event("e6", "wms-1", 5, "A", "DC1", 13),  // equal: stale
                event("e7", "wms-1", nil, "A", "DC1", 14),  // no seq: no guard
            ])
        #expect(try counts(first) == [5, 0, 2, 0])
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 14)
        #expect(try harness.cell("A", "DC2")?["onHand"] as? Int == 20)
        #expect(try harness.cell("B", "DC1")?["onHand"] as? Int == 30)

        // The marks outlive the request; a stale event does not move the mark.
        let second = try ingest(
            harness,
            [
                event("e8", "wms-1", 5, "A", "DC1", 1),
                event("e9", "wms-1", 6, "A", "DC1", 16),
                event("e10", "wms-2", 3, "A", "DC1", 1),
                event("e11", "wms-2", 4, "A", "DC1", 17),
                event("e12", "wms-3", 0, "A", "DC1", 18),
            ])
        #expect(try counts(second) == [3, 0, 2, 0])
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 18)
    }

    @Test func aBadEventIsRejectedAloneWhileTheOthersApply() throws {
        let harness = try ServiceHarness()
        func good(_ id: String, _ qty: Int) -> [String: Any] {
            ["id": id, "type": "return", "sku": "A", "location": "DC1", "qty": qty]
        }
        let events: [Any] = [
            good("g0", 1),
            ["type": "set", "sku": "A", "location": "DC1", "qty": 5],  // 1: no id
            ["id": "b2", "type": "set", "sku": "A", "location": "DC1", "qty": -1],
            ["id": "b3", "type": "adjust", "sku": "A", "location": "DC1", "delta": 0],
            good("g4", 2),
            ["id": "b5", "type": "teleport", "sku": "A", "location": "DC1", "qty": 1],
            ["id": "b6", "type": "sale", "sku": "A\u{1}", "location": "DC1", "qty": 1],
            [
                "id": "b7", "source": "wms-1", "seq": -1, "type": "set", "sku": "A", "location": "DC1",
                "qty": 1,
            ],
            ["id": "b8", "seq": 3, "type": "set", "sku": "A", "location": "DC1", "qty": 1],
            [
                "id": "b9", "source": "wms-1", "seq": "3", "type": "set", "sku": "A", "location": "DC1",
                "qty": 1,
            ],
            ["id": "b10", "type": "set", "sku": "A", "location": "DC1", "qty": 1, "at": "yesterday"],
            "not an object",
            ["id": "b12", "type": "sale", "sku": "A", "location": "DC1", "qty": 0],
            ["id": "b13", "type": "adjust", "sku": "A", "location": "DC1", "qty": 4],
            ["id": "b14", "type": "set", "sku": "A", "qty": 1],
            [
                "id": String(repeating: "i", count: 129), "type": "set", "sku": "A", "location": "DC1",
                "qty": 1,
            ],
            [
                "id": "b16", "type": "set", "sku": "A", "location": "DC1", "qty": 1,
                "reason": String(repeating: "r", count: 257),
            ],
            ["id": "b17", "type": "set", "sku": "A", "location": "DC1", "qty": 1.5],
            ["id": 18, "type": "set", "sku": "A", "location": "DC1", "qty": 1],
            good("g19", 4),
        ]
        let response = try ingest(harness, events)
        #expect(response.status == 200, "\(response.text)")
        let object = try response.json()
        #expect(object["applied"] as? Int == 3)
        let rejected = try #require(object["rejected"] as? [[String: Any]])
        #expect(rejected.compactMap { $0["index"] as? Int } == Array(1...3) + Array(5...18))
        for entry in rejected {
            #expect(entry["code"] as? String == "invalid_event", "\(entry)")
            #expect(entry["detail"] is String)
        }
        #expect(rejected.first { $0["index"] as? Int == 2 }?["id"] as? String == "b2")
        #expect(rejected.first { $0["index"] as? Int == 1 }?["id"] == nil)
        #expect(rejected.first { $0["index"] as? Int == 11 }?["id"] == nil)
        #expect(
            rejected.first { $0["index"] as? Int == 18 }?["id"] == nil,
            "an id that is not a string is not echoed")
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 7)

        // Rejected ids are not remembered: the corrected event applies.
        let retry = try ingest(
            harness, [["id": "b2", "type": "set", "sku": "A", "location": "DC1", "qty": 1]])
        #expect(try counts(retry) == [1, 0, 0, 0])
    }

    @Test func reasonIsFreeTextUpTo256Bytes() throws {
        let harness = try ServiceHarness()
        let response = try ingest(
            harness,
            [
                ["id": "r1", "type": "return", "sku": "A", "location": "DC1", "qty": 1, "reason": ""],
                [
                    "id": "r2", "type": "return", "sku": "A", "location": "DC1", "qty": 1,
                    "reason": "box\tdamaged\nbadly",
                ],
                [
                    "id": "r3", "type": "return", "sku": "A", "location": "DC1", "qty": 1,
                    "reason": String(repeating: "r", count: 256),
                ],
                ["id": "r4", "type": "return", "sku": "A", "location": "DC1", "qty": 1, "reason": 4],
            ])
        #expect(try counts(response) == [3, 0, 0, 1])
        #expect((try response.json()["rejected"] as? [[String: Any]])?.first?["index"] as? Int == 3)
    }

    @Test func eventIdsAreRememberedForADay() throws {
        let harness = try ServiceHarness()
        let event: [String: Any] = [
            "id": "wms-1-1", "type": "return", "sku": "A", "location": "DC1", "qty": 1,
        ]
        #expect(try counts(try ingest(harness, [event])) == [1, 0, 0, 0])
        harness.clock.advance(seconds: 24 * 3_600 - 1)
        #expect(try counts(try ingest(harness, [event])) == [0, 1, 0, 0])
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 1)
    }

    @Test func quantitiesBeyondTheLimitAreRejected() throws {
        let harness = try ServiceHarness()
        let response = try ingest(
            harness,
            [
                ["id": "q0", "type": "set", "sku": "A", "location": "DC1", "qty": 1_000_000_000],
                ["id": "q1", "type": "set", "sku": "A", "location": "DC1", "qty": 1_000_000_001],
                ["id": "q2", "type": "adjust", "sku": "A", "location": "DC1", "delta": -1_000_000_001],
                ["id": "q3", "type": "sale", "sku": "A", "location": "DC1", "qty": 1_000_000_001],
            ])
        #expect(try counts(response) == [1, 0, 0, 3])
        let codes =
            (try response.json()["rejected"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes.count == 3)
        #expect(codes.allSatisfy { $0 == "invalid_event" || $0 == "quantity_out_of_range" }, "\(codes)")
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 1_000_000_000)
    }

    @Test func onHandMayNotLeaveTheCellLimit() throws {
        let harness = try ServiceHarness()
        var events: [Any] = [["id": "s", "type": "set", "sku": "A", "location": "DC1", "qty": 1_000_000_000]]
        for i in 0..<1_000 {
            events.append([
                "id": "a\(i)", "type": "adjust", "sku": "A", "location": "DC1", "delta": 1_000_000_000,
            ])
        }
        let response = try ingest(harness, events)
        #expect(try counts(response) == [1_000, 0, 0, 1])
        let rejected = try #require((try response.json()["rejected"] as? [[String: Any]])?.first)
        #expect(rejected["index"] as? Int == 1_000)
        #expect(rejected["code"] as? String == "quantity_out_of_range")
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 1_000_000_000_000)
    }

    @Test func notJSONOrNoEventsArrayAppliesNothing() throws {
        let harness = try ServiceHarness()
        let truncated = #"{"events":[{"id":"t1","type":"set","sku":"A","location":"DC1","qty":5}"#
        expectProblem(
            try harness.request("POST", "/v1/events", body: truncated, token: Tokens.wms), 400, "invalid_json"
        )
        expectProblem(
            try harness.request("POST", "/v1/events", body: "events", token: Tokens.wms), 400, "invalid_json")
        expectProblem(try harness.request("POST", "/v1/events", token: Tokens.wms), 400, "invalid_json")
        expectProblem(
            try harness.request("POST", "/v1/events", json: ["event": [Any]()], token: Tokens.wms), 400,
            "invalid_request")
        expectProblem(
            try harness.request("POST", "/v1/events", json: ["events": "all"], token: Tokens.wms), 400,
            "invalid_request")
        expectProblem(
            try harness.request("POST", "/v1/events", body: "[]", token: Tokens.wms), 400, "invalid_request")
        expectProblem(try harness.request("GET", "/v1/stock/A"), 404, "unknown_sku")
        #expect(try harness.metric(#"atpd_events_total{outcome="applied"}"#) == 0)

        let empty = try ingest(harness, [])
        #expect(empty.status == 200)
        #expect(try counts(empty) == [0, 0, 0, 0])
    }

    @Test func atMost5000Events() throws {
        let harness = try ServiceHarness()
        func batch(_ count: Int, _ prefix: String) -> [Any] {
            (0..<count).map {
                ["id": "\(prefix)\($0)", "type": "return", "sku": "A", "location": "DC1", "qty": 1]
            }
        }
        expectProblem(try ingest(harness, batch(5_001, "x")), 400, "invalid_request")
        expectProblem(try harness.request("GET", "/v1/stock/A"), 404, "unknown_sku")
        let full = try ingest(harness, batch(5_000, "y"))
        #expect(try counts(full) == [5_000, 0, 0, 0])
        #expect(try harness.available("A") == 5_000)
    }

    @Test func negativeOnHandIsRecordedHonestly() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 1)
        try harness.seed("A", "DC2", 5)
        let response = try ingest(
            harness,
            [
                ["id": "pos-1", "source": "pos-7", "type": "sale", "sku": "A", "location": "DC1", "qty": 3]
            ])
        #expect(try counts(response) == [1, 0, 0, 0])
        let cell = try #require(try harness.cell("A", "DC1"))
        #expect(cell["onHand"] as? Int == -2)
        #expect(cell["available"] as? Int == 0)
        #expect(try harness.available("A", location: "DC1") == 0)
        #expect(try harness.available("A") == 5, "a negative cell takes nothing from the others")
        #expect(try harness.metric("atpd_negative_on_hand_events_total") == 1)
        // A sku first seen through a sale starts negative.
        #expect(
            try counts(
                try ingest(
                    harness, [["id": "pos-2", "type": "sale", "sku": "NEW", "location": "S", "qty": 1]])) == [
                    1, 0, 0, 0,
                ])
        #expect(try harness.cell("NEW", "S")?["onHand"] as? Int == -1)
        #expect(try harness.available("NEW") == 0)
    }

    @Test func eventsDoNotTouchReserved() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        #expect(try harness.hold([("A", "DC1", 4)]).status == 201)
        #expect(
            try counts(
                try ingest(harness, [["id": "c1", "type": "set", "sku": "A", "location": "DC1", "qty": 2]]))
                == [1, 0, 0, 0])
        let cell = try #require(try harness.cell("A", "DC1"))
        #expect(cell["onHand"] as? Int == 2)
        #expect(cell["reserved"] as? Int == 4)
        #expect(cell["available"] as? Int == 0)
    }
}
