import ATPEngine
import ATPHTTP
import ATPTestExpectations
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// `Idempotency-Key` on `POST /v1/reservations` (API.md "Reservations", Idempotency).
@Suite struct IdempotencyAPITests {
    static let body = #"{"lines":[{"sku":"A","location":"DC1","qty":2}],"reference":"cart-1"}"#

    func post(
        _ harness: ServiceHarness, key: String, body: String = IdempotencyAPITests.body,
        token: String = Tokens.shop
    ) throws -> RawResponse {
        try harness.request(
            "POST", "/v1/reservations", body: body, headers: [("Idempotency-Key", key)], token: token)
    }

    @Test func sameKeySameBodyReplaysTheAnswerAndHoldsOnce() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        let first = try post(harness, key: "order-1")
        #expect(first.status == 201, "\(first.text)")
        #expect(first.header("Idempotent-Replayed") == nil)
        for _ in 0..<3 {
            let again = try post(harness, key: "order-1")
            #expect(again.status == 201)
            #expect(again.body == first.body, "byte for byte the first answer")
            #expect(again.header("Idempotent-Replayed") == "true")
            #expect(again.header("Content-Type") == "application/json")
        }
        #expect(try harness.available("A") == 8, "only one hold was made")
        #expect(try harness.metric(#"atpd_holds_total{result="granted"}"#) == 1)
        #expect(try harness.metric(#"atpd_reservations{status="held"}"#) == 1)

        // Kept at least 24 hours: still replayed a day later, unchanged.
        harness.clock.advance(seconds: 23 * 3_600 + 3_500)
        let later = try post(harness, key: "order-1")
        #expect(later.status == 201)
        #expect(later.body == first.body)
        #expect(later.header("Idempotent-Replayed") == "true")
    }

    @Test func keysAreForgottenAfterTheirRetention() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        let first = try post(harness, key: "order-1")
        #expect(first.status == 201)
        harness.clock.advance(seconds: 24 * 3_600 + 1)
        let later = try post(harness, key: "order-1")
        #expect(later.status == 201)
        #expect(later.header("Idempotent-Replayed") == nil)
        #expect(try later.json()["id"] as? String != first.json()["id"] as? String)
    }

    @Test func sameKeyDifferentBodyIs422() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        #expect(try post(harness, key: "order-1").status == 201)
        let other = #"{"lines":[{"sku":"A","location":"DC1","qty":3}],"reference":"cart-1"}"#
        expectProblem(try post(harness, key: "order-1", body: other), 422, "idempotency_key_reuse")
        #expect(try harness.available("A") == 8)
        // A key that never answered anything is free for any body.
        #expect(try post(harness, key: "order-2", body: other).status == 201)
        #expect(try harness.available("A") == 5)
    }

    @Test func keysAreScopedToTheAPIKey() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        let shop = try post(harness, key: "same", token: Tokens.shop)
        let shop2 = try post(harness, key: "same", token: Tokens.shop2)
        #expect(shop.status == 201)
        #expect(shop2.status == 201)
        #expect(shop2.header("Idempotent-Replayed") == nil)
        #expect(try shop.json()["id"] as? String != shop2.json()["id"] as? String)
        #expect(try harness.available("A") == 6)
        // Each key's own retry is replayed.
        #expect(try post(harness, key: "same", token: Tokens.shop2).body == shop2.body)
        #expect(try post(harness, key: "same", token: Tokens.shop).body == shop.body)
        #expect(try harness.available("A") == 6)
    }

    @Test func insufficientStockIsReplayedToo() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 1)
        let first = try post(harness, key: "order-9")
        expectProblem(first, 409, "insufficient_stock")
        try harness.seed("A", "DC1", 10)
        let again = try post(harness, key: "order-9")
        expectProblem(again, 409, "insufficient_stock")
        #expect(again.body == first.body)
        #expect(again.header("Idempotent-Replayed") == "true")
        #expect(try harness.available("A") == 10, "the replay held nothing")
        #expect(try harness.metric(#"atpd_holds_total{result="refused"}"#) == 1)
    }

    /// The OpenAPI document: "a 201, a 400 or a 409 insufficient_stock alike" are stored.
    @Test func aBadRequestAnswerIsReplayedToo() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        let bad = #"{"lines":[{"sku":"A","location":"DC1","qty":0}]}"#
        let first = try post(harness, key: "order-5", body: bad)
        expectProblem(first, 400, "quantity_out_of_range")
        let again = try post(harness, key: "order-5", body: bad)
        expectProblem(again, 400, "quantity_out_of_range")
        #expect(again.header("Idempotent-Replayed") == "true")
        #expect(again.body == first.body)
        expectProblem(try post(harness, key: "order-5"), 422, "idempotency_key_reuse")
        #expect(try harness.available("A") == 10)
    }

    @Test func aKeyInProgressIs409() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        // Mark the key in progress for key `shop` the way the responder does: the digest of
        // path, a 0 byte and the body.
        let fingerprint = (Array("/v1/reservations".utf8) + [0] + Array(Self.body.utf8)).withUnsafeBytes {
            Digest128($0)
        }
        let decision = harness.service.engine.idempotency.begin(
            scope: "shop", key: "busy", fingerprint: fingerprint, now: harness.clock.now())
        #expect(decision == .proceed)
        expectProblem(try post(harness, key: "busy"), 409, "idempotency_in_progress")
        #expect(try harness.available("A") == 10)
        // The same key with another body is still a reuse.
        expectProblem(
            try post(harness, key: "busy", body: #"{"lines":[{"sku":"A","location":"DC1","qty":1}]}"#), 422,
            "idempotency_key_reuse")
        // Another client's same key is not blocked.
        #expect(try post(harness, key: "busy", token: Tokens.shop2).status == 201)
    }

    @Test func invalidIdempotencyKeysAre400() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        expectProblem(try post(harness, key: String(repeating: "k", count: 256)), 400, "invalid_request")
        expectProblem(try post(harness, key: "caf\u{e9}"), 400, "invalid_request")
        #expect(try harness.available("A") == 10)
        let longest = String(repeating: "k", count: 255)
        #expect(try post(harness, key: longest).status == 201)
        #expect(try post(harness, key: longest).header("Idempotent-Replayed") == "true")
        #expect(try post(harness, key: "a b ~!").status == 201)
        #expect(try harness.available("A") == 6)
    }
}
