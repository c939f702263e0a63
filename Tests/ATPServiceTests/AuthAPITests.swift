import ATPEngine
import ATPHTTP
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// `Authorization: Bearer` and scopes (API.md "Auth").
@Suite struct AuthAPITests {
    /// One request of each protected route, with the scope it needs.
    struct ProtectedRoute: CustomStringConvertible {
        var method: String
        var path: String
        var body: String?
        var scope: String
        var description: String { "\(method) \(path)" }
    }

    static let routes: [ProtectedRoute] = [
        ProtectedRoute(method: "GET", path: "/v1/availability?sku=A", scope: "read"),
        ProtectedRoute(method: "POST", path: "/v1/availability", body: #"{"skus":["A"]}"#, scope: "read"),
        ProtectedRoute(method: "GET", path: "/v1/stock/A", scope: "read"),
        ProtectedRoute(method: "GET", path: "/v1/reservations/r_0000000000000001", scope: "read"),
        ProtectedRoute(method: "GET", path: "/v1/channels", scope: "read"),
        ProtectedRoute(method: "GET", path: "/v1/channels/web", scope: "read"),
        ProtectedRoute(method: "GET", path: "/v1/channels/web/dead-letters", scope: "read"),
        ProtectedRoute(
            method: "POST", path: "/v1/reservations",
            body: #"{"lines":[{"sku":"A","location":"DC1","qty":1}]}"#,
            scope: "reserve"),
        ProtectedRoute(method: "POST", path: "/v1/reservations/r_0000000000000001/confirm", scope: "reserve"),
        ProtectedRoute(method: "POST", path: "/v1/reservations/r_0000000000000001/fulfill", scope: "reserve"),
        ProtectedRoute(method: "POST", path: "/v1/reservations/r_0000000000000001/release", scope: "reserve"),
        ProtectedRoute(
            method: "POST", path: "/v1/events",
            body: #"{"events":[{"id":"e1","type":"set","sku":"A","location":"DC1","qty":5}]}"#,
            scope: "ingest"),
        ProtectedRoute(
            method: "PUT", path: "/v1/stock/A/DC1/safety-stock", body: #"{"safetyStock":1}"#, scope: "admin"),
        ProtectedRoute(
            method: "PUT", path: "/v1/channels/web", body: #"{"endpoint":"http://127.0.0.1:9/hook"}"#,
            scope: "admin"),
        ProtectedRoute(method: "DELETE", path: "/v1/channels/gone", scope: "admin"),
        ProtectedRoute(method: "POST", path: "/v1/channels/web/dead-letters/replay", scope: "admin"),
    ]

    /// The tokens of the key file and the scopes each has.
    static let tokens: [(token: String, scopes: Set<String>)] = [
        (Tokens.reader, ["read"]), (Tokens.shop, ["read", "reserve"]), (Tokens.wms, ["ingest"]),
        (Tokens.ops, ["admin"]), (Tokens.all, ["read", "reserve", "ingest", "admin"]),
    ]

    func send(
        _ harness: ServiceHarness, _ route: ProtectedRoute, token: String?, headers: [(String, String)] = []
    )
        throws -> RawResponse
    {
        try harness.request(route.method, route.path, body: route.body, headers: headers, token: token)
    }

    @Test func missingOrUnknownTokenIs401WithWWWAuthenticate() throws {
        let harness = try ServiceHarness()
        for route in Self.routes {
            for token in [
                nil, "not-a-known-token-at-all", Tokens.wmsSHA256, "sha256:\(Tokens.wmsSHA256)", "",
            ] {
                let response = try send(harness, route, token: token)
                expectProblem(response, 401, "unauthorized")
                #expect(response.header("WWW-Authenticate") == "Bearer", "\(route)")
            }
            for header in ["Basic \(Tokens.all)", "Bearer", "Bearer  ", Tokens.all, "Token \(Tokens.all)"] {
                let response = try send(harness, route, token: nil, headers: [("Authorization", header)])
                expectProblem(response, 401, "unauthorized")
                #expect(response.header("WWW-Authenticate") == "Bearer")
            }
        }
        // Nothing was done by the refused requests.
        expectProblem(try harness.request("GET", "/v1/stock/A"), 404, "unknown_sku")
    }

    @Test func aKnownTokenWithoutTheScopeIs403OnEveryRoute() throws {
        let harness = try ServiceHarness()
        for route in Self.routes {
            for (token, scopes) in Self.tokens where !scopes.contains(route.scope) {
                let response = try send(harness, route, token: token)
                let problem = expectProblem(response, 403, "forbidden")
                #expect(
                    (problem["detail"] as? String)?.contains(route.scope) == true,
                    "\(route): \(response.text)")
                #expect(response.header("WWW-Authenticate") == nil)
            }
        }
        expectProblem(try harness.request("GET", "/v1/stock/A"), 404, "unknown_sku")
        expectProblem(try harness.request("GET", "/v1/channels/web"), 404, "unknown_channel")
    }

    @Test func aTokenWithTheScopeGetsThrough() throws {
        let harness = try ServiceHarness()
        for route in Self.routes {
            for (token, scopes) in Self.tokens where scopes.contains(route.scope) {
                let response = try send(harness, route, token: token)
                #expect(![401, 403].contains(response.status), "\(route) with \(scopes): \(response.text)")
            }
        }
        // Some of them did their work.
        #expect(try harness.request("GET", "/v1/stock/A").status == 200)
        #expect(try harness.request("GET", "/v1/channels/web", token: Tokens.reader).status == 200)
    }

    @Test func sha256TokensWorkAndTheSchemeIsCaseInsensitive() throws {
        let harness = try ServiceHarness()
        let body = #"{"events":[{"id":"e1","type":"set","sku":"A","location":"DC1","qty":5}]}"#
        let response = try harness.request("POST", "/v1/events", body: body, token: Tokens.wms)
        #expect(response.status == 200, "\(response.text)")
        #expect(try response.json()["applied"] as? Int == 1)
        let lower = try harness.request(
            "GET", "/v1/availability?sku=A", headers: [("Authorization", "bearer \(Tokens.reader)")],
            token: nil)
        #expect(lower.status == 200)
        let upper = try harness.request(
            "GET", "/v1/availability?sku=A", headers: [("authorization", "BEARER \(Tokens.reader)")],
            token: nil)
        #expect(upper.status == 200)
        #expect(try upper.availabilityItems().first?.available == 5)
    }

    @Test func operationsEndpointsNeedNoToken() throws {
        let harness = try ServiceHarness()
        for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
            #expect(try harness.request("GET", path, token: nil).status == 200, "\(path)")
            #expect(
                try harness.request("GET", path, token: "garbage-token-xxxxxxxx").status == 200, "\(path)")
            #expect(try harness.request("GET", path, token: Tokens.wms).status == 200, "\(path)")
        }
    }

    @Test func withoutAKeyFileEverythingIsOpenOnLoopback() throws {
        let harness = try ServiceHarness(keys: false)
        for route in Self.routes {
            let response = try send(harness, route, token: nil)
            #expect(![401, 403].contains(response.status), "\(route): \(response.text)")
        }
        #expect(try harness.request("GET", "/v1/stock/A", token: nil).status == 200)
    }
}
