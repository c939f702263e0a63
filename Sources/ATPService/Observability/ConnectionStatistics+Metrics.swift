import ATPHTTP
import ATPUtilities

/// The HTTP server's connection figures for `/metrics`.
///
/// Thread-safety: from any thread (relaxed atomic reads).
extension ConnectionStatistics: MetricsSource {
    public func writeMetrics(to out: inout PrometheusText) {
        out.family(
            "atpd_open_connections", "gauge", "Open client connections.",
            [([], open.load(ordering: .relaxed))])
        out.family(
            "atpd_refused_connections_total", "counter", "Connections refused at the cap.",
            [([], refused.load(ordering: .relaxed))])
    }
}
