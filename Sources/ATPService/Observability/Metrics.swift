import ATPUtilities

/// Request counters and latency histograms per route, lock-free.
///
/// Each (route, status) pair and each histogram bucket is its own relaxed atomic, so recording a
/// request is a few uncontended atomic adds and no allocation.
/// Thread-safety: `record` from any thread; `writeMetrics` reads a consistent-enough snapshot.
final class Metrics: MetricsSource {
    /// Status codes with their own counter; any other lands in `otherStatus`.
    static let statuses = [
        200, 201, 204, 400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 431, 500, 501, 503,
    ]
    /// Upper bounds of the latency buckets, in microseconds.
    static let bucketBounds: [Int64] = [
        25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 100_000, 1_000_000,
    ]

    private let counts: AtomicCounterArray
    private let buckets: AtomicCounterArray
    private let sums: AtomicCounterArray
    private var routeCount: Int { Route.allCases.count }
    private var statusSlots: Int { Self.statuses.count + 1 }

    init() {
        let routes = Route.allCases.count
        counts = AtomicCounterArray(count: routes * (Self.statuses.count + 1))
        buckets = AtomicCounterArray(count: routes * (Self.bucketBounds.count + 1))
        sums = AtomicCounterArray(count: routes)
    }

    /// Counts one request. - Complexity: O(statuses + buckets), no allocation.
    @inline(__always)
    func record(route: Route, status: Int, microseconds: Int64) {
        let slot = Self.statuses.firstIndex(of: status) ?? Self.statuses.count
        counts.add(route.rawValue * statusSlots + slot, 1)
        let bucket = Self.bucketBounds.firstIndex { microseconds <= $0 } ?? Self.bucketBounds.count
        buckets.add(route.rawValue * (Self.bucketBounds.count + 1) + bucket, 1)
        sums.add(route.rawValue, Int(microseconds))
    }

    /// The request counters and latency histograms, per route.
    func writeMetrics(to out: inout PrometheusText) {
        out.header("atpd_http_requests_total", "counter", "HTTP requests answered, by route and status.")
        for route in Route.allCases {
            for slot in 0..<statusSlots {
                let value = counts.load(route.rawValue * statusSlots + slot)
                guard value > 0 else { continue }
                let status = slot < Self.statuses.count ? String(Self.statuses[slot]) : "other"
                out.sample(
                    "atpd_http_requests_total", [("route", route.label), ("status", status)],
                    Int64(value))
            }
        }
        out.header(
            "atpd_http_request_duration_seconds", "histogram", "Time from a complete request to its response."
        )
        for route in Route.allCases {
            let base = route.rawValue * (Self.bucketBounds.count + 1)
            var cumulative = 0
            var total = 0
            for i in 0...Self.bucketBounds.count { total += buckets.load(base + i) }
            guard total > 0 else { continue }
            for (i, bound) in Self.bucketBounds.enumerated() {
                cumulative += buckets.load(base + i)
                out.sample(
                    "atpd_http_request_duration_seconds_bucket",
                    [("route", route.label), ("le", PrometheusText.seconds(bound))], Int64(cumulative))
            }
            out.sample(
                "atpd_http_request_duration_seconds_bucket", [("route", route.label), ("le", "+Inf")],
                Int64(total))
            out.sample(
                "atpd_http_request_duration_seconds_sum", [("route", route.label)],
                text: PrometheusText.seconds(Int64(sums.load(route.rawValue))))
            out.sample("atpd_http_request_duration_seconds_count", [("route", route.label)], Int64(total))
        }
    }
}
