import ATPEngine
import ATPHTTP
import ATPTestSupport
import ATPUtilities
import Foundation
import Testing

@testable import ATPService

/// Channel push through the service: a channel defined over the API receives the changes made
/// over the API; status, metrics and the dead-letter routes report it.
@Suite struct ChannelPushAPITests {
    /// Up to 5 s for `condition` (`eventually`).
    func wait(_ condition: () throws -> Bool) rethrows -> Bool {
        try eventually(within: 5_000, condition)
    }

    @Test func changesReachTheChannelAndStatusShowsIt() throws {
        let sink = try WebhookReceiver()
        defer { sink.stop() }
        let harness = try ServiceHarness { $0.push.retryBaseMilliseconds = 10 }
        try harness.seed("A", "DC1", 5)
        let url = sink.url
        let put = try harness.request(
            "PUT", "/v1/channels/web",
            json: ["endpoint": url, "locations": ["DC1"], "bufferUnits": 1, "maxAttempts": 1],
            token: Tokens.ops)
        #expect(put.status == 201, "\(put.text)")
        #expect(wait { sink.bodies.contains { $0.contains(#""sku":"A","available":4"#) } })
        try harness.seed("A", "DC1", 0)
        #expect(wait { sink.bodies.contains { $0.contains(#""sku":"A","available":0"#) } })
        #expect(
            try wait {
                let status = try harness.request("GET", "/v1/channels/web", token: Tokens.reader).json()[
                    "status"]
                return (status as? [String: Any])?["sent"] as? Int == 2
            })
        let status = try #require(
            try harness.request("GET", "/v1/channels/web").json()["status"] as? [String: Any])
        #expect(
            status["lastSuccessAt"] is String && status["pending"] as? Int == 0
                && status["breaker"] as? String == "closed")
        let metrics = try harness.request("GET", "/metrics").text
        #expect(metrics.contains(#"atpd_push_sent_total{channel="web"} 2"#))
        #expect(metrics.contains(#"atpd_push_lag_seconds_count{channel="web"} 2"#))

        // One failed attempt (maxAttempts 1) is a dead letter; replay sends the current value.
        sink.setPolicy { _, _ in WebhookReceiver.Answer(status: 500) }
        try harness.seed("A", "DC1", 3)
        #expect(
            try wait {
                let list =
                    try harness.request("GET", "/v1/channels/web/dead-letters").json()["deadLetters"]
                    as? [[String: Any]]
                return list?.count == 1
            })
        let letter = try #require(
            (try harness.request("GET", "/v1/channels/web/dead-letters").json()["deadLetters"]
                as? [[String: Any]])?.first)
        #expect(letter["attempts"] as? Int == 1 && letter["lastError"] as? String == "answered 500")
        #expect((letter["updates"] as? [[String: Any]])?.first?["available"] as? Int == 2)
        sink.setPolicy { _, _ in WebhookReceiver.Answer(status: 204) }
        let replay = try harness.request("POST", "/v1/channels/web/dead-letters/replay", token: Tokens.ops)
        let replayed = try replay.json()["replayed"] as? Int
        #expect(replay.status == 200 && replayed == 1)
        #expect(wait { sink.bodies.last?.contains(#""sku":"A","available":2"#) == true })
        let left = try harness.request("GET", "/v1/channels/web/dead-letters").json()["deadLetters"] as? [Any]
        #expect(left?.isEmpty == true)
    }
}
