import Testing

@testable import ATPService

/// `Router.match` on its own: every route's template, percent-decoded parameters, and what is
/// no route at all.
@Suite struct RouterTests {
    func match(_ path: String) throws -> RouteMatch? {
        var bytes = Array(path.utf8)
        return try bytes.withUnsafeMutableBytes { raw throws(APIError) in
            try Router.match(UnsafeRawBufferPointer(raw))
        }
    }

    /// Each route's label is its template; filled in with sample parameters it matches that route.
    @Test(arguments: Route.allCases.filter { $0 != .unmatched })
    func everyTemplateMatchesItsRoute(_ route: Route) throws {
        let path = route.label.replacingOccurrences(of: "{sku}", with: "SKU-1")
            .replacingOccurrences(of: "{location}", with: "DC1")
            .replacingOccurrences(of: "{id}", with: "r_0123456789abcdef")
            .replacingOccurrences(of: "{name}", with: "web")
        let found = try #require(try match(path), "\(path) matched nothing")
        #expect(found.route == route, "\(path) matched \(found.route)")
        if route.label.contains("{") { #expect(!found.first.isEmpty) }
        if route == .safetyStock { #expect((found.first, found.second) == ("SKU-1", "DC1")) }
    }

    @Test func parametersArePercentDecoded() throws {
        let found = try #require(try match("/v1/stock/A%2FB%20%C3%A9/DC%201/safety-stock"))
        #expect(found.route == .safetyStock)
        #expect(found.first == "A/B é" && found.second == "DC 1")
        // `+` is a plus in a path (only a query string turns it into a space).
        #expect(try match("/v1/channels/a+b")?.first == "a+b")
    }

    @Test(arguments: [
        "", "/", "/v1", "/v1/", "/v1/stock", "/v1/stock/", "/v1/stock//DC1/safety-stock", "/healthz/",
        "/v2/events", "/v1/events/x", "/v1/reservations/r_1/cancel", "/v1/channels/web/dead-letters/x",
        "/V1/events", "/openapi.yaml",
    ])
    func otherPathsMatchNothing(_ path: String) throws {
        #expect(try match(path) == nil, "\(path)")
    }

    @Test(arguments: ["/v1/stock/%", "/v1/stock/%zz", "/v1/stock/%C3", "/v1/channels/%FF"])
    func badPercentEncodingIsA400(_ path: String) {
        let error = #expect(throws: APIError.self) { try match(path) }
        #expect(error?.status == 400 && error?.code == "invalid_request", "\(path)")
    }
}
