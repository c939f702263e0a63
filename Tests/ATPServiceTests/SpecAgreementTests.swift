import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// The requests on which Schemathesis (every check, against the served document) found the
/// server and its OpenAPI document disagreeing, each with what both now say.
@Suite struct SpecAgreementTests {
    /// `"channel": null` was taken as absent although the document says `channel` is a string
    /// (negative_data_rejection). A null member is now refused like any other wrong type.
    @Test func nullMembersAreRefused() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 5)
        let availability = try harness.request(
            "POST", "/v1/availability", body: #"{"skus":["A","B"],"location":"DC1","channel":null}"#)
        #expect(availability.status == 400, "\(availability.text)")
        #expect(availability.text.contains("channel must be a string, not null"), "\(availability.text)")
        let channel = try harness.request(
            "PUT", "/v1/channels/web",
            body: #"{"endpoint":"http://127.0.0.1:9000/hook","breakerCooldownSeconds":null}"#)
        #expect(channel.status == 400, "\(channel.text)")
        #expect(channel.text.contains("breakerCooldownSeconds must be a number, not null"), "\(channel.text)")
        #expect(try harness.request("GET", "/v1/channels/web").status == 404, "nothing was created")
        // Absent members are still optional.
        #expect(
            try harness.request("POST", "/v1/availability", body: #"{"skus":["A"],"location":"DC1"}"#).status
                == 200)
    }

    /// `whsec_A` matched the document's secret pattern (`^whsec_[A-Za-z0-9+/=]+$`) but is not
    /// base64 (positive_data_acceptance). The pattern now accepts exactly what the server does.
    @Test func secretPatternIsWhatTheServerAccepts() throws {
        let harness = try ServiceHarness()
        let doc = try #require(
            try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? [String: Any])
        let components = try #require(doc["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: Any])
        let config = try #require(schemas["ChannelConfig"] as? [String: Any])
        let properties = try #require(config["properties"] as? [String: Any])
        let secret = try #require(properties["secret"] as? [String: Any])
        let pattern = try NSRegularExpression(pattern: try #require(secret["pattern"] as? String))
        let samples = [
            "whsec_", "whsec_A", "whsec_AA", "whsec_AA=", "whsec_AA==", "whsec_AAA", "whsec_AAA=",
            "whsec_AAAA",
            "whsec_AAAA=", "whsec_AAAAA", "whsec_c2VjcmV0", "whsec_c2VjcmV0IQ==", "whsec_=", "whsec_A=AA",
            "whsec_AA AA", "whsec_-_", "WHSEC_AAAA",
        ]
        for (i, sample) in samples.enumerated() {
            let matches =
                pattern.firstMatch(in: sample, range: NSRange(sample.startIndex..., in: sample)) != nil
            let body = #"{"endpoint":"http://127.0.0.1:9000/hook","secret":"\#(sample)"}"#
            let status = try harness.request("PUT", "/v1/channels/c\(i)", body: body, token: Tokens.ops)
                .status
            #expect(
                (status == 201) == matches,
                "\(sample): server \(status), pattern \(matches ? "matches" : "does not match")")
        }
    }

    /// `X-Request-Id` had a pattern and lengths in the document although any value is accepted
    /// (and replaced when it is not 1-128 printable ASCII bytes): Schemathesis sent an empty one and
    /// expected a refusal. The document now declares a plain string, as the server treats it.
    @Test func anyRequestIDIsAccepted() throws {
        let harness = try ServiceHarness()
        for value in ["", String(repeating: "x", count: 129), "ok-id-1"] {
            let response = try harness.request("GET", "/healthz", headers: [("X-Request-Id", value)])
            #expect(response.status == 200)
            let echoed = response.header("X-Request-Id") ?? ""
            #expect(
                value == "ok-id-1" ? echoed == value : !echoed.isEmpty && echoed != value,
                "\(value.prefix(10)): \(echoed)")
        }
        let doc = try #require(
            try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? [String: Any])
        let parameter =
            ((doc["components"] as? [String: Any])?["parameters"] as? [String: Any])?["XRequestId"]
            as? [String: Any]
        #expect(parameter?["schema"] as? [String: String] == ["type": "string"])
    }

    /// An event item that is not a `StockEvent` is rejected on its own inside a 200 (the
    /// contract), so the document's `events` items accept any value (negative_data_rejection).
    @Test func anyEventItemIsRejectedOnItsOwn() throws {
        let harness = try ServiceHarness()
        let response = try harness.request(
            "POST", "/v1/events",
            body:
                #"{"events":[1,null,{"id":"e1","type":"set","sku":"A","location":"DC1","qty":2},{"type":"sale"}]}"#
        )
        #expect(response.status == 200, "\(response.text)")
        let json = try response.json()
        #expect(json["applied"] as? Int == 1)
        #expect((json["rejected"] as? [Any])?.count == 3, "\(response.text)")
    }
}
