import ATPUtilities

/// The stream consumer's figures for `/metrics`: entries by outcome, acknowledged, claimed.
///
/// Thread-safety: from any thread (relaxed atomic reads).
extension RedisStreamConsumer: MetricsSource {
    public func writeMetrics(to out: inout PrometheusText) {
        let c = counters
        out.family(
            "atpd_stream_entries_total", "counter", "Redis stream entries, by outcome.",
            [
                ([("outcome", "applied")], c.applied.load(ordering: .relaxed)),
                ([("outcome", "duplicate")], c.duplicate.load(ordering: .relaxed)),
                ([("outcome", "stale")], c.stale.load(ordering: .relaxed)),
                ([("outcome", "rejected")], c.rejected.load(ordering: .relaxed)),
                ([("outcome", "dead_lettered")], c.deadLettered.load(ordering: .relaxed)),
            ])
        out.family(
            "atpd_stream_acked_total", "counter", "Stream entries acknowledged after durability.",
            [
                ([], c.acked.load(ordering: .relaxed))
            ])
        out.family(
            "atpd_stream_claimed_total", "counter", "Stream entries claimed from idle consumers.",
            [
                ([], c.claimed.load(ordering: .relaxed))
            ])
        out.family(
            "atpd_stream_connected", "gauge", "1 while the stream consumer is connected.",
            [
                ([], isConnected ? 1 : 0)
            ])
    }
}
