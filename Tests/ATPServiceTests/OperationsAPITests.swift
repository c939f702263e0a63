import ATPEngine
import ATPHTTP
import ATPTestExpectations
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// `/healthz`, `/readyz`, `/metrics`, `/openapi.json`, and what every route shares: 404, 405, 415,
/// 413, `X-Request-Id` and the problem format.
@Suite struct OperationsAPITests {
    /// A clean stop logs no error: shutting the listening socket down wakes the loops with an
    /// accept that fails EINVAL, which used to be logged as `server_error` once per loop.
    @Test func aCleanStopLogsNoError() throws {
        let harness = try ServiceHarness(captureLog: true)
        #expect(try harness.request("GET", "/healthz").status == 200)
        harness.stop()
        let log = harness.logText
        #expect(log.contains("\"stopped\""), "\(log)")
        #expect(!log.contains("\"level\":\"error\""), "\(log)")
    }

    @Test func healthAndReadiness() throws {
        let harness = try ServiceHarness()
        let health = try harness.request("GET", "/healthz", token: nil)
        #expect(health.status == 200)
        #expect(try health.json()["status"] as? String == "ok")
        let ready = try harness.request("GET", "/readyz", token: nil)
        #expect(ready.status == 200)
        #expect(try ready.json()["status"] as? String == "ready")

        harness.service.responder.ready.store(false, ordering: .releasing)
        expectProblem(try harness.request("GET", "/readyz", token: nil), 503, "not_ready")
        #expect(try harness.request("GET", "/healthz", token: nil).status == 200, "alive while not ready")
    }

    /// The responder once pointed back at the server (for `/metrics`), so a stopped service and
    /// all it held were never freed (AddressSanitizer's leak check); now `/metrics` reads the
    /// server's `ConnectionStatistics`, and nothing points back.
    @Test func aStoppedServiceIsFreed() throws {
        weak var server: HTTPServer?
        weak var responder: APIResponder?
        do {
            let harness = try ServiceHarness()
            server = harness.service.server
            responder = harness.service.responder
            harness.stop()
        }
        #expect(server == nil)
        #expect(responder == nil)
    }

    @Test func metricsCountRequestsByRouteAndStatus() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        try harness.seed("B", "DC1", 10)
        for _ in 0..<7 { #expect(try harness.request("GET", "/v1/availability?sku=A").status == 200) }
        #expect(try harness.request("POST", "/v1/availability", json: ["skus": ["A"]]).status == 200)
        for _ in 0..<2 { #expect(try harness.request("GET", "/v1/availability").status == 400) }
        #expect(try harness.request("GET", "/v1/availability?sku=A", token: nil).status == 401)
        #expect(try harness.request("GET", "/nope").status == 404)

        let response = try harness.request("GET", "/metrics", token: nil)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let text = response.text
        #expect(text.contains("# TYPE atpd_http_requests_total counter\n"))
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(
            lines.contains(#"atpd_http_requests_total{route="/v1/availability",status="200"} 8"#), "\(text)")
        #expect(lines.contains(#"atpd_http_requests_total{route="/v1/availability",status="400"} 2"#))
        #expect(lines.contains(#"atpd_http_requests_total{route="/v1/availability",status="401"} 1"#))
        #expect(lines.contains(#"atpd_http_requests_total{route="/v1/events",status="200"} 2"#))
        #expect(lines.contains(#"atpd_http_requests_total{route="unmatched",status="404"} 1"#))
        #expect(lines.contains(#"atpd_http_request_duration_seconds_count{route="/v1/availability"} 11"#))
        #expect(
            lines.contains(
                #"atpd_http_request_duration_seconds_bucket{route="/v1/availability",le="+Inf"} 11"#))
        // Every sample line is `name{labels} integer-or-decimal`.
        for line in lines where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            #expect(parts.count == 2 && Double(parts[1]) != nil, "bad sample line \(line)")
        }
    }

    @Test func metricsOfTheEngine() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 3)
        try harness.seed("A", "DC2", 3)
        try harness.seed("B", "DC1", 1)
        let ids = try (0..<4).map { _ in try harness.hold([("A", "DC1", 1)]).json()["id"] as? String ?? "" }
        #expect(try harness.hold([("A", "DC1", 1)]).status == 409)
        #expect(try harness.hold([("B", "DC1", 2)]).status == 409)
        #expect(try harness.request("POST", "/v1/reservations/\(ids[0])/confirm").status == 200)
        #expect(try harness.request("POST", "/v1/reservations/\(ids[1])/fulfill").status == 200)
        #expect(try harness.request("POST", "/v1/reservations/\(ids[2])/release").status == 200)
        let events =
            #"{"events":[{"id":"e","type":"return","sku":"C","location":"X","qty":1},{"id":"e","type":"return","sku":"C","location":"X","qty":1},{"id":"bad","type":"?"}]}"#
        #expect(try harness.request("POST", "/v1/events", body: events).status == 200)

        #expect(try harness.metric(#"atpd_holds_total{result="granted"}"#) == 3)
        #expect(try harness.metric(#"atpd_holds_total{result="refused"}"#) == 3)
        #expect(try harness.metric(#"atpd_events_total{outcome="applied"}"#) == 4)
        #expect(try harness.metric(#"atpd_events_total{outcome="duplicate"}"#) == 1)
        #expect(try harness.metric(#"atpd_events_total{outcome="stale"}"#) == 0)
        #expect(try harness.metric(#"atpd_events_total{outcome="rejected"}"#) == 1)
        #expect(try harness.metric("atpd_cells") == 4)
        #expect(try harness.metric(#"atpd_reservations{status="held"}"#) == 0)
        #expect(try harness.metric(#"atpd_reservations{status="confirmed"}"#) == 1)
        #expect(try harness.metric(#"atpd_reservations{status="fulfilled"}"#) == 1)
        #expect(try harness.metric(#"atpd_reservations{status="released"}"#) == 1)
        #expect(try harness.metric(#"atpd_reservations{status="expired"}"#) == 0)
    }

    @Test func metricsOfOpenConnections() throws {
        let harness = try ServiceHarness()
        var connections: [RawConnection] = []
        for _ in 0..<3 {
            let connection = try harness.connect()
            try connection.send(ServiceHarness.requestText("GET", "/healthz", token: nil))
            #expect(try connection.readResponse().status == 200)
            connections.append(connection)
        }
        let open = try #require(try harness.metric("atpd_open_connections"))
        #expect(open >= 4 && open <= 8, "3 idle + the one asking, got \(open)")
        connections.removeAll()
        var now = open
        _ = try eventually(within: 5_000, every: 10) {
            now = try harness.metric("atpd_open_connections") ?? -1
            return now <= 1
        }
        #expect(now == 1, "closed connections are no longer counted")
    }

    @Test func openAPIDocument() throws {
        let harness = try ServiceHarness()
        let response = try harness.request("GET", "/openapi.json", token: nil)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let object = try response.json()
        #expect(object["openapi"] as? String == "3.1.0")
        #expect((object["paths"] as? [String: Any])?["/v1/availability"] != nil)
    }

    @Test func unknownPathsAre404() throws {
        let harness = try ServiceHarness()
        for path in [
            "/", "/v2/availability", "/v1/availability/x", "/v1", "/v1/stock", "/v1/reservations/r_1/cancel",
            "/healthz/x", "/v1/channels/a/b", "/v1/stock/A/DC1", "/v1/stock/A/DC1/safety",
            "/openapi.yaml.bak",
            "/V1/availability?sku=A", "/v1/stock/", "/v1/reservations/", "/v1/channels/",
            "/v1/stock//DC1/safety-stock",
            "/v1/reservations//confirm", "/v1//availability", "//healthz", "/v1/availability/",
        ] {
            expectProblem(try harness.request("GET", path), 404, "not_found")
            expectProblem(try harness.request("GET", path, token: nil), 404, "not_found")
        }
    }

    @Test func wrongMethodsAre405WithAllow() throws {
        let harness = try ServiceHarness()
        let cases: [(String, String, String)] = [
            ("DELETE", "/v1/availability", "GET, HEAD, POST"),
            ("GET", "/v1/reservations", "POST"),
            ("PUT", "/v1/reservations/r_0000000000000001", "GET, HEAD"),
            ("GET", "/v1/reservations/r_0000000000000001/confirm", "POST"),
            ("GET", "/v1/events", "POST"),
            ("POST", "/healthz", "GET, HEAD"),
            ("DELETE", "/metrics", "GET, HEAD"),
            ("POST", "/v1/stock/A", "GET, HEAD"),
            ("GET", "/v1/stock/A/DC1/safety-stock", "PUT"),
            ("PATCH", "/v1/channels/web", "GET, HEAD, PUT, DELETE"),
            ("POST", "/v1/channels", "GET, HEAD"),
        ]
        for (method, path, allow) in cases {
            let response = try harness.request(method, path)
            expectProblem(response, 405, "method_not_allowed")
            #expect(response.header("Allow") == allow, "\(method) \(path)")
        }
    }

    @Test func bodiesMustBeJSON() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 2)
        let body = #"{"skus":["A"]}"#
        for type in [
            "text/plain", "application/x-www-form-urlencoded", "application/jsonp",
            "application/problem+json",
        ] {
            let response = try harness.request("POST", "/v1/availability", body: body, contentType: type)
            expectProblem(response, 415, "unsupported_media_type")
        }
        for type in ["application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"]
        {
            #expect(
                try harness.request("POST", "/v1/availability", body: body, contentType: type).status == 200,
                "\(type)")
        }
        #expect(try harness.request("POST", "/v1/availability", body: body, contentType: nil).status == 200)
        expectProblem(
            try harness.request(
                "POST", "/v1/reservations", body: #"{"lines":[{"sku":"A","location":"DC1","qty":1}]}"#,
                contentType: "text/plain"), 415, "unsupported_media_type")
        #expect(try harness.available("A") == 2)
    }

    /// `abs(Int64.min)` traps: every quantity member must refuse it with a 400, not crash.
    @Test func extremeIntegersAreRefusedNotFatal() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 5)
        let ops = Tokens.ops
        for number in [
            "-9223372036854775808", "9223372036854775807", "-9223372036854775809", "18446744073709551616",
        ] {
            expectProblem(
                try harness.request(
                    "POST", "/v1/reservations",
                    body: #"{"lines":[{"sku":"A","location":"DC1","qty":\#(number)}]}"#),
                400, "quantity_out_of_range")
            expectProblem(
                try harness.request(
                    "POST", "/v1/reservations",
                    body: #"{"lines":[{"sku":"A","location":"DC1","qty":1}],"ttlSeconds":\#(number)}"#),
                400, "quantity_out_of_range")
            expectProblem(
                try harness.request(
                    "PUT", "/v1/stock/A/DC1/safety-stock", body: #"{"safetyStock":\#(number)}"#, token: ops),
                400, "quantity_out_of_range")
            expectProblem(
                try harness.request(
                    "PUT", "/v1/channels/web",
                    body: #"{"endpoint":"http://127.0.0.1:9/hook","bufferUnits":\#(number)}"#, token: ops),
                400, "quantity_out_of_range")
            let events = try harness.request(
                "POST", "/v1/events",
                body:
                    #"{"events":[{"id":"d\#(number)","type":"adjust","sku":"A","location":"DC1","delta":\#(number)},{"id":"q\#(number)","type":"sale","sku":"A","location":"DC1","qty":\#(number)}]}"#
            )
            #expect(events.status == 200, "\(events.text)")
            #expect((try events.json()["rejected"] as? [Any])?.count == 2)
        }
        #expect(StockEvent(id: "e", kind: .adjust, sku: "A", location: "DC1", amount: .min).problem != nil)
        #expect(try harness.request("GET", "/healthz", token: nil).status == 200, "still serving")
        #expect(try harness.cell("A", "DC1")?["onHand"] as? Int == 5)
    }

    @Test func everyResponseCarriesXRequestId() throws {
        let harness = try ServiceHarness()
        let requests: [(String, String, String?)] = [
            ("GET", "/healthz", nil), ("GET", "/v1/availability?sku=A", Tokens.all),
            ("GET", "/nope", Tokens.all),
            ("GET", "/v1/availability?sku=A", nil), ("DELETE", "/healthz", nil),
            ("GET", "/v1/stock/A", Tokens.ops),
        ]
        var generated = Set<String>()
        for (method, path, token) in requests {
            let plain = try harness.request(method, path, token: token)
            let id = try #require(plain.header("X-Request-Id"), "\(method) \(path)")
            #expect(!id.isEmpty)
            generated.insert(id)
            let echoed = try harness.request(
                method, path, headers: [("X-Request-Id", "req-\(path.count)-abc")], token: token)
            #expect(echoed.header("X-Request-Id") == "req-\(path.count)-abc", "\(method) \(path)")
        }
        #expect(generated.count == requests.count, "generated ids are unique")
        let tooLong = String(repeating: "r", count: 129)
        let replaced = try harness.request(
            "GET", "/healthz", headers: [("X-Request-Id", tooLong)], token: nil)
        #expect(replaced.header("X-Request-Id").map { !$0.isEmpty && $0 != tooLong } == true)
    }

    @Test func problemsHaveTheRFC9457Shape() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 1)
        let problem = expectProblem(try harness.hold([("A", "DC1", 5)]), 409, "insufficient_stock")
        #expect(problem["title"] as? String == "Conflict")
        let missing = expectProblem(try harness.request("GET", "/v1/stock/B"), 404, "unknown_sku")
        #expect(missing["title"] as? String == "Not Found")
        let bad = expectProblem(try harness.request("GET", "/v1/availability"), 400, "invalid_request")
        #expect(bad["title"] as? String == "Bad Request")
        #expect(bad["lines"] == nil && bad["reservationStatus"] == nil)
    }
}
