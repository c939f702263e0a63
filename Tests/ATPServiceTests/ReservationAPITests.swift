import ATPEngine
import ATPHTTP
import ATPPosix
import ATPTestExpectations
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// `POST /v1/reservations`, `GET /v1/reservations/{id}` and the transitions.
@Suite struct ReservationAPITests {
    /// `r_` and 16 lowercase hex digits.
    static func isReservationID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        return bytes.count == 18 && id.hasPrefix("r_")
            && bytes[2...].allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    func created(_ response: RawResponse, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> [String: Any]
    {
        #expect(response.status == 201, "\(response.text)", sourceLocation: sourceLocation)
        return try response.json()
    }

    @Test func createAnswers201WithTheReservation() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        try harness.seed("B", "DC2", 4)
        let response = try harness.request(
            "POST", "/v1/reservations",
            body:
                #"{"lines":[{"sku":"A","location":"DC1","qty":2},{"sku":"B","location":"DC2","qty":4}],"ttlSeconds":900,"reference":"cart-123"}"#,
            token: Tokens.shop)
        let object = try created(response)
        #expect(response.header("Content-Type") == "application/json")
        let id = try #require(object["id"] as? String)
        #expect(Self.isReservationID(id), "id \(id)")
        #expect(object["status"] as? String == "held")
        #expect(
            object["expiresAt"] as? String
                == ServiceHarness.rfc3339(milliseconds: ManualClock.start + 900_000))
        #expect(object["expiresAt"] as? String == "2026-11-18T11:21:40Z")
        #expect(object["reference"] as? String == "cart-123")
        let lines = try #require(object["lines"] as? [[String: Any]])
        #expect(lines.count == 2)
        #expect(lines[0]["sku"] as? String == "A")
        #expect(lines[0]["location"] as? String == "DC1")
        #expect(lines[0]["qty"] as? Int == 2)
        #expect(lines[1]["sku"] as? String == "B")
        #expect(lines[1]["qty"] as? Int == 4)

        #expect(try harness.available("A") == 8)
        #expect(try harness.available("B") == 0)
        #expect(try harness.cell("A", "DC1")?["reserved"] as? Int == 2)
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 10)

        // GET (scope read) answers the same reservation.
        let read = try harness.request("GET", "/v1/reservations/\(id)", token: Tokens.reader)
        #expect(read.status == 200)
        #expect(try read.json()["id"] as? String == id)
        #expect(try read.json()["status"] as? String == "held")
        #expect(try read.json()["expiresAt"] as? String == object["expiresAt"] as? String)
        #expect((try read.json()["lines"] as? [[String: Any]])?.count == 2)
    }

    @Test func defaultTTLIs900AndReferenceIsOptional() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        let object = try created(try harness.hold([("A", "DC1", 1)]))
        #expect(
            object["expiresAt"] as? String
                == ServiceHarness.rfc3339(milliseconds: ManualClock.start + 900_000))
        #expect(object["reference"] == nil)
        let longest = try created(try harness.hold([("A", "DC1", 1)], ttlSeconds: 604_800))
        #expect(
            longest["expiresAt"] as? String
                == ServiceHarness.rfc3339(milliseconds: ManualClock.start + 604_800_000))
        let shortest = try created(try harness.hold([("A", "DC1", 1)], ttlSeconds: 1))
        #expect(
            shortest["expiresAt"] as? String
                == ServiceHarness.rfc3339(milliseconds: ManualClock.start + 1_000))
    }

    @Test func referenceIsFreeTextUpTo256BytesStoredAndEchoed() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        for reference in ["", "gift\tnote\nline 2 \"quoted\" \\", String(repeating: "é", count: 128)] {
            let object = try created(try harness.hold([("A", "DC1", 1)], reference: reference))
            #expect(object["reference"] as? String == reference)
            let id = try #require(object["id"] as? String)
            #expect(
                try harness.request("GET", "/v1/reservations/\(id)").json()["reference"] as? String
                    == reference)
        }
        expectProblem(
            try harness.hold([("A", "DC1", 1)], reference: String(repeating: "é", count: 128) + "x"), 400,
            "invalid_request")
        expectProblem(
            try harness.request(
                "POST", "/v1/reservations",
                json: ["lines": [["sku": "A", "location": "DC1", "qty": 1]], "reference": 7]),
            400, "invalid_request")
        #expect(try harness.available("A") == 7)
    }

    @Test func allLinesOrNone() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 5)
        try harness.seed("B", "DC1", 1)
        let response = try harness.hold([("A", "DC1", 2), ("B", "DC1", 2)])
        let problem = expectProblem(response, 409, "insufficient_stock")
        let lines = try #require(problem["lines"] as? [[String: Any]])
        #expect(lines.count == 1)
        #expect(lines.first?["sku"] as? String == "B")
        #expect(lines.first?["location"] as? String == "DC1")
        #expect(lines.first?["requested"] as? Int == 2)
        #expect(lines.first?["available"] as? Int == 1)
        // Nothing was held.
        #expect(try harness.available("A") == 5)
        #expect(try harness.available("B") == 1)
        #expect(try harness.cell("A", "DC1")?["reserved"] as? Int == 0)
        #expect(try harness.cell("B", "DC1")?["reserved"] as? Int == 0)

        // A short first line, and a line of an unknown cell, are refused the same way.
        let both = expectProblem(
            try harness.hold([("A", "DC1", 6), ("NOPE", "DC1", 1), ("B", "DC1", 1)]), 409,
            "insufficient_stock")
        let short = try #require(both["lines"] as? [[String: Any]])
        #expect(short.map { $0["sku"] as? String } == ["A", "NOPE"])
        #expect(short.map { $0["available"] as? Int } == [5, 0])
        #expect(try harness.available("A") == 5)
        #expect(try harness.available("B") == 1)

        // Exactly what is available can be held.
        #expect(try harness.hold([("A", "DC1", 5), ("B", "DC1", 1)]).status == 201)
        #expect(try harness.available("A") == 0)
    }

    @Test func requestErrorsAre400WithTheirCodes() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 1_000)
        let line: [String: Any] = ["sku": "A", "location": "DC1", "qty": 1]
        func post(_ body: Any) throws -> RawResponse {
            try harness.request("POST", "/v1/reservations", json: body)
        }

        expectProblem(try harness.hold([("A", "DC1", 1), ("A", "DC1", 2)]), 400, "duplicate_line")
        expectProblem(try post(["lines": [[String: Any]]()]), 400, "invalid_request")
        expectProblem(try post(["lines": Array(repeating: line, count: 101)]), 400, "invalid_request")
        expectProblem(try post(["lines": [line], "ttlSeconds": 0]), 400, "invalid_request")
        expectProblem(try post(["lines": [line], "ttlSeconds": 604_801]), 400, "invalid_request")
        expectProblem(try post(["lines": [line], "ttlSeconds": -5]), 400, "invalid_request")
        expectProblem(try post(["lines": [line], "ttlSeconds": "900"]), 400, "invalid_request")
        expectProblem(
            try post(["lines": [line], "reference": String(repeating: "r", count: 257)]), 400,
            "invalid_request")
        expectProblem(try harness.hold([("A", "DC1", 0)]), 400, "quantity_out_of_range")
        expectProblem(try harness.hold([("A", "DC1", -1)]), 400, "quantity_out_of_range")
        expectProblem(try harness.hold([("A", "DC1", 1_000_000_001)]), 400, "quantity_out_of_range")
        expectProblem(
            try post(["lines": [["sku": "A", "location": "DC1", "qty": "1"]]]), 400, "invalid_request")
        expectProblem(try post(["lines": [["sku": "A", "location": "DC1"]]]), 400, "invalid_request")
        expectProblem(try post(["lines": [["location": "DC1", "qty": 1]]]), 400, "invalid_request")
        expectProblem(
            try post(["lines": [["sku": "A\u{7}", "location": "DC1", "qty": 1]]]), 400, "invalid_request")
        expectProblem(try post(["lines": [["sku": "A", "location": "", "qty": 1]]]), 400, "invalid_request")
        expectProblem(try post(["lines": ["A"]]), 400, "invalid_request")
        expectProblem(try post(["lines": line]), 400, "invalid_request")
        expectProblem(try post(["ttlSeconds": 60]), 400, "invalid_request")
        expectProblem(try harness.request("POST", "/v1/reservations", body: "lines"), 400, "invalid_json")
        expectProblem(try harness.request("POST", "/v1/reservations"), 400, "invalid_json")
        // None of them held anything; 100 lines are fine.
        #expect(try harness.available("A") == 1_000)
        let hundred = (0..<100).map { ["sku": "A", "location": "L\($0)", "qty": 1] as [String: Any] }
        for i in 0..<100 { try harness.seed("A", "L\(i)", 1) }
        #expect(try post(["lines": hundred]).status == 201)
        #expect(
            try harness.hold([("A", "DC1", 1), ("A", "DC2", 1)]).status == 409,
            "same sku at two locations is no duplicate")
    }

    @Test func confirmThenFulfill() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        try harness.seed("B", "DC1", 5)
        let id = try #require(
            try created(try harness.hold([("A", "DC1", 3), ("B", "DC1", 2)]))["id"] as? String)

        let confirmed = try harness.request("POST", "/v1/reservations/\(id)/confirm", token: Tokens.shop)
        #expect(confirmed.status == 200, "\(confirmed.text)")
        #expect(try confirmed.json()["status"] as? String == "confirmed")
        #expect(try confirmed.json()["id"] as? String == id)
        let again = try harness.request("POST", "/v1/reservations/\(id)/confirm", token: Tokens.shop)
        #expect(again.status == 200)
        #expect(try again.json()["status"] as? String == "confirmed")
        #expect(try harness.available("A") == 7)

        // A confirmed reservation no longer expires.
        harness.clock.advance(seconds: 3_600)
        #expect(
            try harness.request("GET", "/v1/reservations/\(id)").json()["status"] as? String == "confirmed")

        let fulfilled = try harness.request(
            "POST", "/v1/reservations/\(id)/fulfill", body: "", token: Tokens.shop)
        #expect(fulfilled.status == 200)
        #expect(try fulfilled.json()["status"] as? String == "fulfilled")
        let a = try #require(try harness.cell("A", "DC1"))
        #expect(a["onHand"] as? Int == 7)
        #expect(a["reserved"] as? Int == 0)
        #expect(a["available"] as? Int == 7)
        #expect(try harness.cell("B", "DC1")?["onHand"] as? Int == 3)
        #expect(try harness.cell("B", "DC1")?["reserved"] as? Int == 0)

        // Repeating it is 200 and changes nothing; any other transition is invalid_state.
        #expect(try harness.request("POST", "/v1/reservations/\(id)/fulfill").status == 200)
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 7)
        for transition in ["confirm", "release"] {
            let problem = expectProblem(
                try harness.request("POST", "/v1/reservations/\(id)/\(transition)"), 409, "invalid_state")
            #expect(problem["reservationStatus"] as? String == "fulfilled")
            #expect(problem["status"] as? Int == 409)
        }
        #expect(
            try harness.request("GET", "/v1/reservations/\(id)").json()["status"] as? String == "fulfilled")
    }

    @Test func fulfillStraightFromHeld() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        let id = try #require(try created(try harness.hold([("A", "DC1", 4)]))["id"] as? String)
        let response = try harness.request("POST", "/v1/reservations/\(id)/fulfill")
        #expect(try response.json()["status"] as? String == "fulfilled")
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 6)
        #expect(try harness.cell("A", "DC1")?["reserved"] as? Int == 0)
        #expect(try harness.available("A") == 6)
    }

    @Test func releaseReturnsTheUnits() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        let id = try #require(try created(try harness.hold([("A", "DC1", 4)]))["id"] as? String)
        #expect(try harness.request("POST", "/v1/reservations/\(id)/confirm").status == 200)
        #expect(try harness.available("A") == 6)
        let released = try harness.request("POST", "/v1/reservations/\(id)/release", token: Tokens.shop)
        #expect(released.status == 200)
        #expect(try released.json()["status"] as? String == "released")
        #expect(try harness.available("A") == 10)
        #expect(try harness.cell("A", "DC1")?["reserved"] as? Int == 0)
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 10)
        let again = try harness.request("POST", "/v1/reservations/\(id)/release")
        #expect(again.status == 200)
        #expect(try harness.available("A") == 10, "a repeated release returns nothing twice")
        for transition in ["confirm", "fulfill"] {
            let problem = expectProblem(
                try harness.request("POST", "/v1/reservations/\(id)/\(transition)"), 409, "invalid_state")
            #expect(problem["reservationStatus"] as? String == "released")
        }
    }

    @Test func expiryReturnsTheUnitsAfterTheSweep() throws {
        let harness = try ServiceHarness { $0.sweepIntervalMilliseconds = 10 }
        try harness.seed("A", "DC1", 10)
        let object = try created(try harness.hold([("A", "DC1", 4)], ttlSeconds: 60))
        let id = try #require(object["id"] as? String)
        harness.clock.advance(seconds: 59)
        MonotonicClock.sleep(milliseconds: 50)
        #expect(try harness.request("GET", "/v1/reservations/\(id)").json()["status"] as? String == "held")
        #expect(try harness.available("A") == 6)

        harness.clock.advance(seconds: 2)
        let read = try harness.request("GET", "/v1/reservations/\(id)")
        #expect(try read.json()["status"] as? String == "expired")
        #expect(try read.json()["expiresAt"] as? String == object["expiresAt"] as? String)
        _ = try eventually(within: 5_000, every: 10) { try harness.available("A") == 10 }
        #expect(try harness.available("A") == 10, "the sweep returned the units")
        #expect(try harness.cell("A", "DC1")?["reserved"] as? Int == 0)
        for transition in ["confirm", "fulfill", "release"] {
            let problem = expectProblem(
                try harness.request("POST", "/v1/reservations/\(id)/\(transition)"), 409, "invalid_state")
            #expect(problem["reservationStatus"] as? String == "expired")
        }
        #expect(try harness.available("A") == 10)
        #expect(try harness.metric(#"atpd_reservations{status="expired"}"#) == 1)
        #expect(try harness.metric(#"atpd_reservations{status="held"}"#) == 0)
    }

    @Test func anOverdueHoldExpiresOnItsNextTransitionWithoutTheSweep() throws {
        let harness = try ServiceHarness { $0.sweepIntervalMilliseconds = 3_600_000 }
        try harness.seed("A", "DC1", 10)
        let id = try #require(
            try created(try harness.hold([("A", "DC1", 4)], ttlSeconds: 60))["id"] as? String)
        harness.clock.advance(seconds: 60)
        #expect(try harness.request("GET", "/v1/reservations/\(id)").json()["status"] as? String == "expired")
        let problem = expectProblem(
            try harness.request("POST", "/v1/reservations/\(id)/confirm"), 409, "invalid_state")
        #expect(problem["reservationStatus"] as? String == "expired")
        #expect(try harness.available("A") == 10)
        #expect(try harness.cell("A", "DC1")?["reserved"] as? Int == 0)
    }

    @Test func finalReservationsStayReadableForADay() throws {
        let harness = try ServiceHarness { $0.sweepIntervalMilliseconds = 10 }
        try harness.seed("A", "DC1", 10)
        let id = try #require(try created(try harness.hold([("A", "DC1", 1)]))["id"] as? String)
        #expect(try harness.request("POST", "/v1/reservations/\(id)/release").status == 200)
        harness.clock.advance(seconds: 23 * 3_600)
        MonotonicClock.sleep(milliseconds: 50)
        #expect(try harness.request("GET", "/v1/reservations/\(id)").status == 200)
        harness.clock.advance(seconds: 3_600)
        _ = try eventually(within: 5_000, every: 10) {
            try harness.request("GET", "/v1/reservations/\(id)").status != 200
        }
        expectProblem(try harness.request("GET", "/v1/reservations/\(id)"), 404, "unknown_reservation")
        #expect(try harness.available("A") == 10)
    }

    @Test func unknownAndMalformedIdsAre404() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        let id = try #require(try created(try harness.hold([("A", "DC1", 1)]))["id"] as? String)
        let other = id.hasSuffix("0") ? String(id.dropLast()) + "1" : String(id.dropLast()) + "0"
        for bad in [other, "r_0000000000000000", "nope", "r_", id.uppercased(), id + "0", "r_%01", "%20"] {
            expectProblem(try harness.request("GET", "/v1/reservations/\(bad)"), 404, "unknown_reservation")
            for transition in ["confirm", "fulfill", "release"] {
                expectProblem(
                    try harness.request("POST", "/v1/reservations/\(bad)/\(transition)"), 404,
                    "unknown_reservation")
            }
        }
        #expect(try harness.available("A") == 9)
    }

    @Test func transitionBodiesAreIgnoredButMustBeJSON() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        let id = try #require(try created(try harness.hold([("A", "DC1", 1)]))["id"] as? String)
        let withBody = try harness.request("POST", "/v1/reservations/\(id)/confirm", body: #"{"whatever":1}"#)
        #expect(withBody.status == 200)
        expectProblem(
            try harness.request(
                "POST", "/v1/reservations/\(id)/release", body: "x", contentType: "text/plain"), 415,
            "unsupported_media_type")
        #expect(
            try harness.request("GET", "/v1/reservations/\(id)").json()["status"] as? String == "confirmed")
    }
}
