import ATPEngine
import ATPHTTP
import ATPTestExpectations
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// `PUT`, `GET`, `DELETE /v1/channels/{name}`, `GET /v1/channels` and the dead-letter routes.
@Suite struct ChannelAPITests {
    func put(_ harness: ServiceHarness, _ name: String, _ body: Any) throws -> RawResponse {
        try harness.request(
            "PUT", "/v1/channels/\(name.contains(" ") ? percentEncoded(name) : name)", json: body,
            token: Tokens.ops)
    }

    @Test func defineReadListDelete() throws {
        let harness = try ServiceHarness()
        let created = try put(
            harness, "web",
            ["endpoint": "http://127.0.0.1:9/hook", "locations": ["DC1", "STORE-7"], "bufferUnits": 2])
        #expect(created.status == 201, "\(created.text)")
        #expect(created.header("Content-Type") == "application/json")
        let object = try created.json()
        #expect(object["name"] as? String == "web")
        #expect(object["locations"] as? [String] == ["DC1", "STORE-7"])
        #expect(object["bufferUnits"] as? Int == 2)
        #expect(object["secret"] == nil)

        #expect(try put(harness, "market place", ["endpoint": "http://127.0.0.1:9/hook"]).status == 201)
        let all = try put(harness, "market place", ["endpoint": "http://127.0.0.1:9/hook"])
        #expect(all.status == 200)
        #expect(try all.json()["locations"] == nil, "omitted locations = all locations")
        #expect(try all.json()["bufferUnits"] as? Int == 0)

        let list = try harness.request("GET", "/v1/channels", token: Tokens.reader)
        #expect(list.status == 200)
        let names = (try list.json()["channels"] as? [[String: Any]])?.map { $0["name"] as? String }
        #expect(names == ["market place", "web"], "sorted by name")
        let read = try harness.request("GET", "/v1/channels/market%20place", token: Tokens.reader)
        #expect(read.status == 200)
        #expect(try read.json()["name"] as? String == "market place")

        let deleted = try harness.request("DELETE", "/v1/channels/web", token: Tokens.ops)
        #expect(deleted.status == 204)
        #expect(deleted.body.isEmpty)
        expectProblem(
            try harness.request("GET", "/v1/channels/web", token: Tokens.reader), 404, "unknown_channel")
        #expect((try harness.request("GET", "/v1/channels").json()["channels"] as? [Any])?.count == 1)
    }

    @Test func badDefinitionsAre400() throws {
        let harness = try ServiceHarness()
        let endpoint = "http://127.0.0.1:9/hook"
        expectProblem(try put(harness, "web", ["locations": ["DC1"]]), 400, "invalid_request")
        expectProblem(try put(harness, "web", ["endpoint": "ftp://example/hook"]), 400, "invalid_request")
        expectProblem(try put(harness, "web", ["endpoint": "https://127.0.0.1/hook"]), 400, "invalid_request")
        expectProblem(
            try put(harness, "web", ["endpoint": "http://shop.example/hook"]), 400, "invalid_request")
        for (field, value) in [
            ("ratePerSecond", 0), ("ratePerSecond", -1), ("ratePerSecond", "5"), ("burst", 0), ("burst", 1.5),
            ("maxBatch", 1001), ("maxAttempts", 0), ("maxAttempts", 101), ("secret", "abc"),
            ("secret", "whsec_!!"),
            ("secret", 7), ("breakerThreshold", 0), ("breakerCooldownSeconds", 0),
        ] as [(String, Any)] {
            expectProblem(
                try put(harness, "web", ["endpoint": endpoint, field: value]), 400, "invalid_request")
        }
        expectProblem(try put(harness, "web", ["endpoint": 7]), 400, "invalid_request")
        expectProblem(
            try put(harness, "web", ["endpoint": endpoint, "bufferUnits": -1]), 400, "invalid_request")
        expectProblem(
            try put(harness, "web", ["endpoint": endpoint, "bufferUnits": 1_000_000_001]), 400,
            "quantity_out_of_range")
        expectProblem(
            try put(harness, "web", ["endpoint": endpoint, "bufferUnits": "2"]), 400, "invalid_request")
        expectProblem(
            try put(harness, "web", ["endpoint": endpoint, "locations": "DC1"]), 400, "invalid_request")
        expectProblem(
            try put(harness, "web", ["endpoint": endpoint, "locations": [1]]), 400, "invalid_request")
        expectProblem(
            try put(harness, "web", ["endpoint": endpoint, "locations": ["DC\u{1}"]]), 400, "invalid_request")
        expectProblem(try put(harness, "w%01", ["endpoint": endpoint]), 400, "invalid_request")
        expectProblem(
            try harness.request("PUT", "/v1/channels/web", body: "{", token: Tokens.ops), 400, "invalid_json")
        expectProblem(try harness.request("GET", "/v1/channels/web"), 404, "unknown_channel")
    }

    @Test func fullConfigurationIsEchoedWithoutTheSecret() throws {
        let harness = try ServiceHarness()
        let created = try put(
            harness, "web",
            [
                "endpoint": "http://127.0.0.1:9/hook", "ratePerSecond": 2.5, "burst": 3, "maxBatch": 50,
                "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "maxAttempts": 4, "breakerThreshold": 2,
                "breakerCooldownSeconds": 1.5,
            ])
        #expect(created.status == 201, "\(created.text)")
        let o = try created.json()
        #expect(o["endpoint"] as? String == "http://127.0.0.1:9/hook")
        #expect(
            o["ratePerSecond"] as? Double == 2.5 && o["burst"] as? Int == 3 && o["maxBatch"] as? Int == 50)
        #expect(o["maxAttempts"] as? Int == 4 && o["breakerThreshold"] as? Int == 2)
        #expect(o["breakerCooldownSeconds"] as? Double == 1.5)
        #expect(o["hasSecret"] as? Bool == true && o["secret"] == nil && o["disabled"] as? Bool == false)
        let status = try #require(o["status"] as? [String: Any])
        #expect(status["breaker"] as? String == "closed" && status["deadLetters"] as? Int == 0)
        #expect(status["lastSuccessAt"] is NSNull)
        let defaults = try put(harness, "web", ["endpoint": "http://127.0.0.1:9/hook", "ratePerSecond": 2.5])
            .json()
        #expect(
            defaults["burst"] as? Int == 3 && defaults["maxBatch"] as? Int == 100
                && defaults["maxAttempts"] as? Int == 8)
        #expect(defaults["hasSecret"] as? Bool == false)
        let letters = try harness.request("GET", "/v1/channels/web/dead-letters", token: Tokens.reader)
        let list = try letters.json()["deadLetters"] as? [Any]
        #expect(letters.status == 200 && list?.isEmpty == true)
        let replay = try harness.request("POST", "/v1/channels/web/dead-letters/replay", token: Tokens.ops)
        let replayed = try replay.json()["replayed"] as? Int
        #expect(replay.status == 200 && replayed == 0)
        expectProblem(
            try harness.request("GET", "/v1/channels/nope/dead-letters", token: Tokens.reader), 404,
            "unknown_channel")
        expectProblem(
            try harness.request("POST", "/v1/channels/web/dead-letters/replay", token: Tokens.reader), 403,
            "forbidden")
    }
}
