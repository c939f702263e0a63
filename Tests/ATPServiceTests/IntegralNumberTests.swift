import ATPTestExpectations
import ATPTestSupport
import Testing

/// A JSON number with an integral value is that integer wherever the API takes an integer, as
/// JSON Schema's `integer` says (`2.0`, `2e0`); a fraction is still refused. Schemathesis's
/// positive-data check found `qty: 1.0`, `safetyStock: 88352631.0` and `burst: 2.0` refused.
@Suite struct IntegralNumberTests {
    @Test func integralNumbersAreIntegers() throws {
        let harness = try ServiceHarness()
        let events = try harness.request(
            "POST", "/v1/events",
            body:
                #"{"events":[{"id":"n1","source":"wms-1","seq":3.0,"type":"set","sku":"A","location":"DC1","qty":1e1}]}"#
        )
        let applied = try events.json()["applied"] as? Int
        #expect(events.status == 200 && applied == 1, "\(events.text)")
        let hold = try harness.request(
            "POST", "/v1/reservations",
            body: #"{"lines":[{"sku":"A","location":"DC1","qty":2.0}],"ttlSeconds":60.0}"#)
        #expect(hold.status == 201, "\(hold.text)")
        let safety = try harness.request(
            "PUT", "/v1/stock/A/DC1/safety-stock", body: #"{"safetyStock":1.0}"#, token: Tokens.ops)
        #expect(safety.status == 200, "\(safety.text)")
        let channel = try harness.request(
            "PUT", "/v1/channels/web",
            body: #"{"endpoint":"http://127.0.0.1:9/hook","burst":2.0,"maxAttempts":3.0}"#,
            token: Tokens.ops)
        let burst = try channel.json()["burst"] as? Int
        #expect(channel.status == 201 && burst == 2, "\(channel.text)")
        #expect(try harness.available("A", location: "DC1") == 7)

        expectProblem(
            try harness.request(
                "POST", "/v1/reservations", body: #"{"lines":[{"sku":"A","location":"DC1","qty":1.5}]}"#),
            400, "invalid_request")
        expectProblem(
            try harness.request(
                "POST", "/v1/reservations", body: #"{"lines":[{"sku":"A","location":"DC1","qty":2e9}]}"#),
            400, "quantity_out_of_range")
        expectProblem(
            try harness.request(
                "PUT", "/v1/channels/web", body: #"{"endpoint":"http://127.0.0.1:9/hook","burst":1e300}"#,
                token: Tokens.ops),
            400, "invalid_request")
    }
}
