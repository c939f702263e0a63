import ATPHTTP
import ATPStore
import ATPUtilities

/// `GET /healthz`, `/readyz`, `/metrics` and `/openapi.json`: the routes for operators.
///
/// Thread-safety: a value holding thread-safe objects; called from every loop thread.
struct OperationsHandler: Sendable {
    /// nil for the memory store (always reachable).
    let store: (any Store)?
    /// What `/metrics` renders, in order: each module's own source.
    let metricsSources: [any MetricsSource]

    /// Alive: answers as long as a loop runs.
    func healthz(_ response: inout HTTPResponse) {
        response.body.appendASCII(#"{"status":"ok"}"#)
    }

    /// Ready: state recovered (`recovered`) and the store reachable.
    func readyz(recovered: Bool, _ response: inout HTTPResponse) throws(APIError) {
        guard recovered, store?.isAvailable ?? true else {
            throw APIError(.notReady, "state is not recovered yet, or the store is unreachable")
        }
        response.body.appendASCII(#"{"status":"ready"}"#)
    }

    /// The Prometheus text exposition (format 0.0.4) of every source.
    /// - Complexity: O(routes + channels + figures).
    func metrics(_ response: inout HTTPResponse) {
        response.contentType = .prometheusText
        var text = PrometheusText()
        for source in metricsSources { source.writeMetrics(to: &text) }
        response.body.append(contentsOf: text.bytes)
    }

    /// The OpenAPI document compiled into the binary.
    func openAPI(_ response: inout HTTPResponse) {
        response.body.append(contentsOf: OpenAPIDocument.bytes)
    }
}
