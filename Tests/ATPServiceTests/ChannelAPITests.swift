import ATPEngine
import ATPHTTP
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// `PUT`, `GET`, `DELETE /v1/channels/{name}`, `GET /v1/channels` and the dead-letter routes, as far
/// as this version implements them (channel views; push arrives with its own issue).
@Suite struct ChannelAPITests {
    func put(_ harness: ServiceHarness, _ name: String, _ body: Any) throws -> RawResponse {
        try harness.request(
            "PUT", "/v1/channels/\(name.contains(" ") ? ServiceHarness.encode(name) : name)", json: body,
            token: Tokens.ops)
    }

    @Test func defineReadListDelete() throws {
        let harness = try ServiceHarness()
        let created = try put(
            harness, "web",
            ["endpoint": "https://shop.example/hook", "locations": ["DC1", "STORE-7"], "bufferUnits": 2])
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

    @Test func deadLettersAreNotImplementedYet() throws {
        let harness = try ServiceHarness()
        #expect(try put(harness, "web", ["endpoint": "http://127.0.0.1:9/hook"]).status == 201)
        expectProblem(
            try harness.request("GET", "/v1/channels/web/dead-letters", token: Tokens.reader), 501,
            "not_implemented")
        expectProblem(
            try harness.request("POST", "/v1/channels/web/dead-letters/replay", token: Tokens.ops), 501,
            "not_implemented")
    }
}
