import ATPEngine
import ATPHTTP
import ATPTestExpectations
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// `GET` and `POST /v1/availability` (API.md "Availability").
@Suite struct AvailabilityAPITests {
    /// A@DC1 10, A@DC2 5, A@STORE-7 4, B@DC1 3, C@DC1 1.
    func seeded() throws -> ServiceHarness {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        try harness.seed("A", "DC2", 5)
        try harness.seed("A", "STORE-7", 4)
        try harness.seed("B", "DC1", 3)
        try harness.seed("C", "DC1", 1)
        return harness
    }

    func defineChannel(_ harness: ServiceHarness, _ name: String, locations: [String]?, buffer: Int) throws
        -> RawResponse
    {
        var body: [String: Any] = ["endpoint": "http://127.0.0.1:9/hook", "bufferUnits": buffer]
        if let locations { body["locations"] = locations }
        return try harness.request("PUT", "/v1/channels/\(name)", json: body, token: Tokens.ops)
    }

    @Test func oneSkuNetworkWide() throws {
        let harness = try seeded()
        let response = try harness.request("GET", "/v1/availability?sku=A", token: Tokens.reader)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let object = try response.json()
        #expect(object["channel"] == nil)
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.count == 1)
        #expect(items[0]["sku"] as? String == "A")
        #expect(items[0]["available"] as? Int == 19)
        #expect(items[0]["location"] == nil, "no location member without location=")
    }

    @Test func manySkusKeepTheirOrderAndUnknownSkusAreZero() throws {
        let harness = try seeded()
        let response = try harness.request("GET", "/v1/availability?sku=C&sku=A&sku=NOPE&sku=B&sku=A")
        #expect(response.status == 200)
        let items = try response.availabilityItems()
        #expect(items.map(\.sku) == ["C", "A", "NOPE", "B", "A"])
        #expect(items.map(\.available) == [1, 19, 0, 3, 19])
    }

    @Test func oneLocation() throws {
        let harness = try seeded()
        let response = try harness.request("GET", "/v1/availability?sku=A&sku=B&sku=NOPE&location=DC2")
        #expect(response.status == 200)
        let items = try #require(try response.json()["items"] as? [[String: Any]])
        #expect(items.map { $0["available"] as? Int } == [5, 0, 0])
        #expect(items.allSatisfy { $0["location"] as? String == "DC2" })

        // An unknown location is not an error: everything is 0 there.
        let unknown = try harness.request("GET", "/v1/availability?sku=A&location=MOON")
        #expect(unknown.status == 200)
        let item = try #require((try unknown.json()["items"] as? [[String: Any]])?.first)
        #expect(item["location"] as? String == "MOON")
        #expect(item["available"] as? Int == 0)
    }

    @Test func channelSumsItsLocationsMinusItsBufferFlooredAtZero() throws {
        let harness = try seeded()
        let created = try defineChannel(harness, "web", locations: ["DC1", "STORE-7"], buffer: 2)
        #expect(created.status == 201, "\(created.text)")
        #expect(try created.json()["name"] as? String == "web")
        #expect(try created.json()["bufferUnits"] as? Int == 2)

        let response = try harness.request("GET", "/v1/availability?sku=A&sku=B&sku=C&sku=NOPE&channel=web")
        #expect(response.status == 200, "\(response.text)")
        let object = try response.json()
        #expect(object["channel"] as? String == "web")
        let items = try #require(object["items"] as? [[String: Any]])
        // A: DC1 10 + STORE-7 4 - 2 (DC2 is not the channel's); B: 3 - 2; C: 1 - 2 floored; NOPE: 0.
        #expect(items.map { $0["available"] as? Int } == [12, 1, 0, 0])
        #expect(items.allSatisfy { $0["location"] == nil })

        // Replacing the channel answers 200 and the new view counts at once.
        let replaced = try defineChannel(harness, "web", locations: nil, buffer: 0)
        #expect(replaced.status == 200)
        #expect(try harness.available("A", channel: "web") == 19)

        let list = try harness.request("GET", "/v1/channels", token: Tokens.reader)
        #expect(list.status == 200)
        #expect((try list.json()["channels"] as? [[String: Any]])?.map { $0["name"] as? String } == ["web"])
        #expect(try harness.request("GET", "/v1/channels/web", token: Tokens.reader).status == 200)
        let deleted = try harness.request("DELETE", "/v1/channels/web", token: Tokens.ops)
        #expect(deleted.status == 204)
        expectProblem(
            try harness.request("GET", "/v1/availability?sku=A&channel=web"), 404, "unknown_channel")
        expectProblem(try harness.request("GET", "/v1/channels/web"), 404, "unknown_channel")
        expectProblem(
            try harness.request("DELETE", "/v1/channels/web", token: Tokens.ops), 404, "unknown_channel")
    }

    @Test func aChannelCountsLocationsFirstSeenAfterItWasDefined() throws {
        let harness = try ServiceHarness()
        #expect(try defineChannel(harness, "later", locations: ["NEW-DC"], buffer: 1).status == 201)
        #expect(try defineChannel(harness, "everywhere", locations: nil, buffer: 0).status == 201)
        try harness.seed("X", "NEW-DC", 5)
        try harness.seed("X", "OTHER", 3)
        #expect(try harness.available("X", channel: "later") == 4)
        #expect(try harness.available("X", channel: "everywhere") == 8)
    }

    @Test func unknownChannelIs404() throws {
        let harness = try seeded()
        let response = try harness.request("GET", "/v1/availability?sku=A&channel=nowhere")
        let problem = expectProblem(response, 404, "unknown_channel")
        #expect((problem["detail"] as? String)?.contains("nowhere") == true)
    }

    @Test func locationAndChannelTogetherIs400() throws {
        let harness = try seeded()
        #expect(try defineChannel(harness, "web", locations: ["DC1"], buffer: 0).status == 201)
        expectProblem(
            try harness.request("GET", "/v1/availability?sku=A&location=DC1&channel=web"), 400,
            "invalid_request")
    }

    @Test func zeroOrMoreThan100SkusIs400() throws {
        let harness = try seeded()
        expectProblem(try harness.request("GET", "/v1/availability"), 400, "invalid_request")
        expectProblem(try harness.request("GET", "/v1/availability?location=DC1"), 400, "invalid_request")
        let hundred = (0..<100).map { "sku=S\($0)" }.joined(separator: "&")
        let ok = try harness.request("GET", "/v1/availability?\(hundred)")
        #expect(ok.status == 200)
        #expect(try ok.availabilityItems().count == 100)
        expectProblem(
            try harness.request("GET", "/v1/availability?\(hundred)&sku=S100"), 400, "invalid_request")
    }

    @Test func percentEncodedAndPlusEncodedSkus() throws {
        let harness = try ServiceHarness()
        try harness.seed("red shirt/XL+", "DC 1", 7)
        try harness.seed("chaussure-été", "DC 1", 2)
        let response = try harness.request(
            "GET",
            "/v1/availability?sku=red+shirt%2FXL%2B&sku=red%20shirt%2fXL%2b&sku=chaussure-%C3%A9t%C3%A9&location=DC+1"
        )
        #expect(response.status == 200, "\(response.text)")
        let items = try #require(try response.json()["items"] as? [[String: Any]])
        #expect(items.map { $0["sku"] as? String } == ["red shirt/XL+", "red shirt/XL+", "chaussure-été"])
        #expect(items.map { $0["available"] as? Int } == [7, 7, 2])
        #expect(items.allSatisfy { $0["location"] as? String == "DC 1" })
        // A literal `+` that was not encoded is a space.
        #expect(try harness.available("red shirt/XL+") == 7)
        let plus = try harness.request("GET", "/v1/availability?sku=red+shirt/XL+")
        #expect(try plus.availabilityItems().first?.sku == "red shirt/XL ")
    }

    @Test func invalidSkusAre400() throws {
        let harness = try seeded()
        for query in [
            "sku=%01", "sku=A%7F", "sku=%C2%85", "sku=" + String(repeating: "x", count: 129), "sku=",
            "sku=%zz", "sku=%4", "sku=%FF%FE", "sku=A&location=%00", "sku=A&channel=",
        ] {
            let response = try harness.request("GET", "/v1/availability?\(query)")
            expectProblem(response, 400, "invalid_request")
        }
        let longest = String(repeating: "x", count: 128)
        #expect(try harness.request("GET", "/v1/availability?sku=\(longest)").status == 200)
        // 128 bytes of UTF-8 (64 two-byte characters) is still a valid sku.
        let twoByte = String(repeating: "%C3%A9", count: 64)
        #expect(try harness.request("GET", "/v1/availability?sku=\(twoByte)").status == 200)
        expectProblem(try harness.request("GET", "/v1/availability?sku=\(twoByte)x"), 400, "invalid_request")
    }

    @Test func unknownQueryParametersAreIgnored() throws {
        let harness = try seeded()
        let response = try harness.request("GET", "/v1/availability?foo=bar&sku=B&&limit&x=%zz&skus=A")
        #expect(response.status == 200, "\(response.text)")
        #expect(try response.availabilityItems().map(\.available) == [3])
    }

    @Test func postWithSkusLocationAndChannel() throws {
        let harness = try seeded()
        let network = try harness.request("POST", "/v1/availability", json: ["skus": ["B", "A", "NOPE"]])
        #expect(network.status == 200, "\(network.text)")
        #expect(network.header("Content-Type") == "application/json")
        #expect(try network.availabilityItems().map(\.available) == [3, 19, 0])

        let located = try harness.request(
            "POST", "/v1/availability", json: ["skus": ["A", "B"], "location": "DC2", "ignored": true],
            token: Tokens.reader)
        #expect(located.status == 200)
        let items = try #require(try located.json()["items"] as? [[String: Any]])
        #expect(items.map { $0["available"] as? Int } == [5, 0])
        #expect(items.allSatisfy { $0["location"] as? String == "DC2" })

        #expect(try defineChannel(harness, "web", locations: ["DC1", "STORE-7"], buffer: 2).status == 201)
        let channel = try harness.request(
            "POST", "/v1/availability", json: ["skus": ["A", "C"], "channel": "web"])
        #expect(channel.status == 200)
        #expect(try channel.json()["channel"] as? String == "web")
        #expect(try channel.availabilityItems().map(\.available) == [12, 0])

        expectProblem(
            try harness.request("POST", "/v1/availability", json: ["skus": ["A"], "channel": "nowhere"]), 404,
            "unknown_channel")
        expectProblem(
            try harness.request(
                "POST", "/v1/availability", json: ["skus": ["A"], "channel": "web", "location": "DC1"]),
            400, "invalid_request")
    }

    @Test func postLimitsAndBadBodies() throws {
        let harness = try seeded()
        let thousand = (0..<1_000).map { "S\($0)" }
        let ok = try harness.request("POST", "/v1/availability", json: ["skus": thousand])
        #expect(ok.status == 200)
        #expect(try ok.availabilityItems().count == 1_000)
        expectProblem(
            try harness.request("POST", "/v1/availability", json: ["skus": thousand + ["S1000"]]), 400,
            "invalid_request")
        expectProblem(
            try harness.request("POST", "/v1/availability", json: ["skus": [String]()]), 400,
            "invalid_request")
        expectProblem(
            try harness.request("POST", "/v1/availability", json: ["sku": "A"]), 400, "invalid_request")
        expectProblem(
            try harness.request("POST", "/v1/availability", json: ["skus": [1]]), 400, "invalid_request")
        expectProblem(
            try harness.request("POST", "/v1/availability", json: ["skus": ["A\u{1}"]]), 400,
            "invalid_request")
        expectProblem(
            try harness.request("POST", "/v1/availability", json: ["skus": "A"]), 400, "invalid_request")
        expectProblem(try harness.request("POST", "/v1/availability", body: "not json"), 400, "invalid_json")
        expectProblem(
            try harness.request("POST", "/v1/availability", body: #"{"skus":["A"]"#), 400, "invalid_json")
        expectProblem(try harness.request("POST", "/v1/availability", body: ""), 400, "invalid_json")
        expectProblem(
            try harness.request("POST", "/v1/availability", body: #"["A"]"#), 400, "invalid_request")
    }

    @Test func chunkedPostAndPipelinedGets() throws {
        let harness = try seeded()
        let connection = try harness.connect()
        let body = #"{"skus":["A","B"]}"#
        let half = body.utf8.count / 2
        let first = String(body.prefix(half))
        let second = String(body.dropFirst(half))
        try connection.send(
            "POST /v1/availability HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(Tokens.reader)\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + String(first.utf8.count, radix: 16) + "\r\n" + first + "\r\n"
                + String(second.utf8.count, radix: 16) + "\r\n" + second + "\r\n0\r\n\r\n")
        let chunked = try connection.readResponse()
        #expect(chunked.status == 200, "\(chunked.text)")
        #expect(try chunked.availabilityItems().map(\.available) == [19, 3])

        let one = ServiceHarness.requestText("GET", "/v1/availability?sku=A", token: Tokens.reader)
        let two = ServiceHarness.requestText("GET", "/v1/availability?sku=B", token: Tokens.reader)
        try connection.send(one + two)
        #expect(try connection.readResponse().availabilityItems().map(\.available) == [19])
        #expect(try connection.readResponse().availabilityItems().map(\.available) == [3])
    }
}
