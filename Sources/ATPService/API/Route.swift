import ATPHTTP
import ATPPosix

/// Every route of API.md; the raw value indexes per-route metrics.
enum Route: Int, CaseIterable, Sendable {
    case healthz, readyz, metrics, openAPI
    case availability, stock, safetyStock
    case reservations, reservation, confirm, fulfill, release
    case events
    case channels, channel, deadLetters, deadLetterReplay
    /// No route matched (404), kept for metrics.
    case unmatched

    /// The `route` label in metrics: the path template.
    var label: String {
        switch self {
        case .healthz: "/healthz"
        case .readyz: "/readyz"
        case .metrics: "/metrics"
        case .openAPI: "/openapi.json"
        case .availability: "/v1/availability"
        case .stock: "/v1/stock/{sku}"
        case .safetyStock: "/v1/stock/{sku}/{location}/safety-stock"
        case .reservations: "/v1/reservations"
        case .reservation: "/v1/reservations/{id}"
        case .confirm: "/v1/reservations/{id}/confirm"
        case .fulfill: "/v1/reservations/{id}/fulfill"
        case .release: "/v1/reservations/{id}/release"
        case .events: "/v1/events"
        case .channels: "/v1/channels"
        case .channel: "/v1/channels/{name}"
        case .deadLetters: "/v1/channels/{name}/dead-letters"
        case .deadLetterReplay: "/v1/channels/{name}/dead-letters/replay"
        case .unmatched: "unmatched"
        }
    }

    /// The methods the route answers (HEAD goes with GET).
    var methods: [HTTPMethod] {
        switch self {
        case .healthz, .readyz, .metrics, .openAPI, .stock, .reservation, .channels, .deadLetters:
            [.get, .head]
        case .availability: [.get, .head, .post]
        case .safetyStock: [.put]
        case .reservations, .confirm, .fulfill, .release, .events, .deadLetterReplay: [.post]
        case .channel: [.get, .head, .put, .delete]
        case .unmatched: []
        }
    }

    /// The scope a request with `method` needs (API.md "Auth"), or nil when it needs no token:
    /// reads need `read`, reservation changes `reserve`, events `ingest`, and safety stock,
    /// channel changes and dead-letter replay `admin`.
    func scope(for method: HTTPMethod) -> Scopes? {
        switch self {
        case .healthz, .readyz, .metrics, .openAPI, .unmatched: nil
        case .availability, .stock, .reservation, .channels, .deadLetters: .read
        case .reservations, .confirm, .fulfill, .release: .reserve
        case .events: .ingest
        case .safetyStock, .deadLetterReplay: .admin
        case .channel: method == .get || method == .head ? .read : .admin
        }
    }

    /// Health, readiness, metrics and the API description: answered even while recovering.
    var isOperational: Bool {
        switch self {
        case .healthz, .readyz, .metrics, .openAPI: true
        default: false
        }
    }

    /// The `Allow` header value.
    var allowHeader: String {
        methods.map(\.description).joined(separator: ", ")
    }
}

/// A matched route with its percent-decoded path parameters (at most two).
struct RouteMatch {
    var route: Route
    var first: String = ""
    var second: String = ""
}

/// Matches request paths to routes.
///
/// Thread-safety: stateless. - Complexity: O(path length).
enum Router {
    /// The route for `path` (still percent-encoded), or nil when none matches; throws when a path
    /// parameter is not valid percent-encoded UTF-8.
    static func match(_ path: UnsafeRawBufferPointer) throws(APIError) -> RouteMatch? {
        // The hot path first: no splitting for the availability route.
        if path.equals("/v1/availability") { return RouteMatch(route: .availability) }
        guard path.count >= 1 else { return nil }
        // The segments, on the stack: no route has more than `maxSegments`.
        return try withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: maxSegments) {
            storage throws(APIError) in
            var count = 0
            var start = 1
            for i in 1...path.count where i == path.count || path[i] == UInt8(ascii: "/") {
                guard count < maxSegments else { return nil }
                storage[count] = UnsafeRawBufferPointer(rebasing: path[start..<i])
                count += 1
                start = i + 1
            }
            let segments = UnsafeBufferPointer(rebasing: storage[..<count])
            // No route has an empty segment: `/v1/stock/` has no sku, it is not a malformed one.
            if segments.contains(where: { $0.isEmpty }) { return nil }
            return try match(segments)
        }
    }

    /// The most segments a route has (`/v1/stock/{sku}/{location}/safety-stock`).
    private static let maxSegments = 5

    private static func match(_ segments: UnsafeBufferPointer<UnsafeRawBufferPointer>) throws(APIError)
        -> RouteMatch?
    {
        func literal(_ i: Int, _ text: StaticString) -> Bool { segments[i].equals(text) }
        func parameter(_ i: Int) throws(APIError) -> String {
            guard !segments[i].isEmpty, let value = PercentDecoding.string(segments[i], plusIsSpace: false)
            else {
                throw .invalidRequest("path segment \(i + 1) is not valid percent-encoded UTF-8")
            }
            return value
        }
        switch segments.count {
        case 1:
            if literal(0, "healthz") { return RouteMatch(route: .healthz) }
            if literal(0, "readyz") { return RouteMatch(route: .readyz) }
            if literal(0, "metrics") { return RouteMatch(route: .metrics) }
            if literal(0, "openapi.json") { return RouteMatch(route: .openAPI) }
            return nil
        case 2 where literal(0, "v1"):
            if literal(1, "reservations") { return RouteMatch(route: .reservations) }
            if literal(1, "events") { return RouteMatch(route: .events) }
            if literal(1, "channels") { return RouteMatch(route: .channels) }
            return nil
        case 3 where literal(0, "v1"):
            if literal(1, "stock") { return RouteMatch(route: .stock, first: try parameter(2)) }
            if literal(1, "reservations") { return RouteMatch(route: .reservation, first: try parameter(2)) }
            if literal(1, "channels") { return RouteMatch(route: .channel, first: try parameter(2)) }
            return nil
        case 4 where literal(0, "v1") && literal(1, "reservations"):
            let route: Route? =
                literal(3, "confirm")
                ? .confirm
                : literal(3, "fulfill")
                    ? .fulfill
                    : literal(3, "release") ? .release : nil
            return try route.map { route throws(APIError) in RouteMatch(route: route, first: try parameter(2))
            }
        case 4 where literal(0, "v1") && literal(1, "channels") && literal(3, "dead-letters"):
            return RouteMatch(route: .deadLetters, first: try parameter(2))
        case 5 where literal(0, "v1") && literal(1, "stock") && literal(4, "safety-stock"):
            return RouteMatch(route: .safetyStock, first: try parameter(2), second: try parameter(3))
        case 5
        where literal(0, "v1") && literal(1, "channels") && literal(3, "dead-letters") && literal(4, "replay"):
            return RouteMatch(route: .deadLetterReplay, first: try parameter(2))
        default:
            return nil
        }
    }
}
