import ATPEngine
import ATPHTTP
import ATPTestExpectations
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// `Authorization: Bearer` and scopes (API.md "Auth") on every route the router has, with every
/// kind of caller.
@Suite struct AuthAPITests {
    /// API.md's scope of each operation ("none": no token needed), keyed "METHOD /path/template";
    /// HEAD goes with GET. A route the router gains without an entry here fails the walk below.
    static let apiMD: [String: String] = [
        "GET /healthz": "none", "GET /readyz": "none", "GET /metrics": "none", "GET /openapi.json": "none",
        "GET /v1/availability": "read", "POST /v1/availability": "read", "GET /v1/stock/{sku}": "read",
        "PUT /v1/stock/{sku}/{location}/safety-stock": "admin",
        "POST /v1/reservations": "reserve", "GET /v1/reservations/{id}": "read",
        "POST /v1/reservations/{id}/confirm": "reserve", "POST /v1/reservations/{id}/fulfill": "reserve",
        "POST /v1/reservations/{id}/release": "reserve",
        "POST /v1/events": "ingest",
        "GET /v1/channels": "read", "GET /v1/channels/{name}": "read", "PUT /v1/channels/{name}": "admin",
        "DELETE /v1/channels/{name}": "admin", "GET /v1/channels/{name}/dead-letters": "read",
        "POST /v1/channels/{name}/dead-letters/replay": "admin",
    ]

    /// One method of one route, with a request that would take effect if it were let through.
    struct Operation: CustomStringConvertible {
        let route: Route
        let method: String

        /// The `apiMD` key.
        var key: String { "\(method == "HEAD" ? "GET" : method) \(route.label)" }
        var description: String { "\(method) \(route.label)" }

        var path: String {
            var path = route.label.replacingOccurrences(of: "{sku}", with: "A")
                .replacingOccurrences(of: "{location}", with: "DC1")
                .replacingOccurrences(of: "{id}", with: "r_0000000000000001")
                .replacingOccurrences(of: "{name}", with: "web")
            if route == .availability && method != "POST" { path += "?sku=A" }
            return path
        }

        var body: String? {
            switch (route, method) {
            case (.availability, "POST"): #"{"skus":["A"]}"#
            case (.safetyStock, _): #"{"safetyStock":1}"#
            case (.reservations, _): #"{"lines":[{"sku":"A","location":"DC1","qty":1}]}"#
            case (.events, _): #"{"events":[{"id":"e1","type":"set","sku":"A","location":"DC1","qty":5}]}"#
            case (.channel, "PUT"): #"{"endpoint":"http://127.0.0.1:9/hook"}"#
            default: nil
            }
        }
    }

    /// Every method of every route of the router (`Route.allCases`), HEAD included.
    static let operations: [Operation] = Route.allCases.filter { $0 != .unmatched }.flatMap { route in
        route.methods.map { Operation(route: route, method: $0.description) }
    }

    /// `Authorization` values that name no key: each must be 401 on every protected route.
    static let unknownCallers: [String?] = [
        nil, "Bearer not-a-known-token-at-all", "Bearer \(Tokens.wmsSHA256)",
        "Bearer sha256:\(Tokens.wmsSHA256)",
        "Bearer \(Tokens.all)x", "Bearer \(Tokens.all.dropLast())", "Bearer", "Bearer ",
        "Basic \(Tokens.all)",
        Tokens.all, "Token \(Tokens.all)", "",
    ]

    /// A token of each scope alone, and one with every scope.
    static let tokens: [(token: String, scopes: Set<String>)] = [
        (Tokens.reader, ["read"]), (Tokens.reserver, ["reserve"]), (Tokens.wms, ["ingest"]),
        (Tokens.ops, ["admin"]),
        (Tokens.all, ["read", "reserve", "ingest", "admin"]),
    ]

    func send(_ harness: ServiceHarness, _ operation: Operation, authorization: String?) throws -> RawResponse
    {
        let connection = try harness.connect()
        try connection.send(
            ServiceHarness.requestText(
                operation.method, operation.path, body: operation.body,
                headers: authorization.map { [("Authorization", $0)] } ?? [], token: nil))
        return try connection.readResponse(bodyless: operation.method == "HEAD")
    }

    /// The walk: the router's operations are API.md's and the OpenAPI document's, with the same
    /// scopes; every caller without the scope is refused (401 unknown, 403 known) and changes
    /// nothing; every caller with it gets through.
    @Test func everyRouteWithEveryCallerIsAnsweredAsAPIMDSays() throws {
        #expect(Set(Self.operations.map(\.key)) == Set(Self.apiMD.keys))
        let openAPI = OpenAPIDocumentTests()
        var documented: [String: String] = [:]
        for (name, operation) in try openAPI.operations(try openAPI.document()) {
            documented[name] = operation["x-scope"] as? String ?? "none"
        }
        #expect(documented == Self.apiMD)

        let harness = try ServiceHarness()
        for operation in Self.operations {
            let scope = try #require(Self.apiMD[operation.key], "\(operation) is not in API.md's table")
            guard scope != "none" else { continue }
            for authorization in Self.unknownCallers {
                let response = try send(harness, operation, authorization: authorization)
                #expect(
                    response.status == 401,
                    "\(operation) with \(authorization ?? "no token"): \(response.status)")
                #expect(response.header("WWW-Authenticate") == "Bearer", "\(operation)")
                if operation.method != "HEAD" { expectProblem(response, 401, "unauthorized") }
            }
            for (token, scopes) in Self.tokens where !scopes.contains(scope) {
                let response = try send(harness, operation, authorization: "Bearer \(token)")
                #expect(response.status == 403, "\(operation) with \(scopes): \(response.status)")
                #expect(response.header("WWW-Authenticate") == nil, "\(operation)")
                if operation.method != "HEAD" {
                    let problem = expectProblem(response, 403, "forbidden")
                    #expect(
                        (problem["detail"] as? String)?.contains(scope) == true,
                        "\(operation): \(response.text)")
                }
            }
        }
        // None of the refused requests took effect.
        expectProblem(try harness.request("GET", "/v1/stock/A"), 404, "unknown_sku")
        expectProblem(try harness.request("GET", "/v1/channels/web"), 404, "unknown_channel")
        #expect(try harness.metric("atpd_events_total{outcome=\"applied\"}") == 0)

        for operation in Self.operations {
            let scope = Self.apiMD[operation.key] ?? "?"
            let callers =
                scope == "none"
                ? Self.unknownCallers + Self.tokens.map { "Bearer \($0.token)" }
                : Self.tokens.filter { $0.scopes.contains(scope) }.map { "Bearer \($0.token)" }
            for authorization in callers {
                let response = try send(harness, operation, authorization: authorization)
                #expect(
                    ![401, 403].contains(response.status), "\(operation) with \(authorization ?? "none")")
                if scope == "none" { #expect(response.status == 200, "\(operation)") }
            }
        }
        // And the allowed ones did their work.
        #expect(try harness.request("GET", "/v1/stock/A").status == 200)
        #expect(try harness.metric("atpd_events_total{outcome=\"applied\"}") == 1)
    }

    /// A caller without the scope is refused before its body is looked at: not 415, not 400.
    @Test func authComesBeforeTheBody() throws {
        let harness = try ServiceHarness()
        for (token, status) in [(nil, 401), (Tokens.reader, 403)] as [(String?, Int)] {
            let wrongType = try harness.request(
                "POST", "/v1/events", body: "id=e1", token: token,
                contentType: "application/x-www-form-urlencoded")
            #expect(wrongType.status == status, "\(wrongType.text)")
            let notJSON = try harness.request("PUT", "/v1/channels/web", body: "{", token: token)
            #expect(notJSON.status == status, "\(notJSON.text)")
        }
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

    @Test func withoutAKeyFileEverythingIsOpenOnLoopback() throws {
        let harness = try ServiceHarness(keys: false)
        for operation in Self.operations {
            let response = try send(harness, operation, authorization: nil)
            #expect(![401, 403].contains(response.status), "\(operation): \(response.text)")
        }
        #expect(try harness.request("GET", "/v1/stock/A", token: nil).status == 200)
    }
}
