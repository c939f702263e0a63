import ATPUtilities

/// Channel push's figures for `/metrics`: per channel pending, sent, failures, dead letters,
/// breaker, and the propagation-lag histogram.
///
/// Thread-safety: from any thread (relaxed atomic reads; the channel list is copied under its lock).
extension PushService: MetricsSource {
    public func writeMetrics(to out: inout PrometheusText) {
        let channels = allCounters
        guard !channels.isEmpty else { return }
        func per(
            _ name: String, _ type: String, _ help: String, _ value: (String, PushChannelCounters) -> Int
        ) {
            out.family(
                name, type, help,
                channels.map { ([("channel", $0.channel)], value($0.channel, $0.counters)) })
        }
        per("atpd_push_pending", "gauge", "Skus with an update waiting, by channel.") {
            $1.pending.load(ordering: .relaxed)
        }
        per("atpd_push_sent_total", "counter", "Webhook requests answered 2xx.") {
            $1.sent.load(ordering: .relaxed)
        }
        per("atpd_push_updates_sent_total", "counter", "Updates delivered.") {
            $1.updatesSent.load(ordering: .relaxed)
        }
        per("atpd_push_failed_attempts_total", "counter", "Webhook attempts that failed.") {
            $1.failedAttempts.load(ordering: .relaxed)
        }
        per("atpd_push_throttled_total", "counter", "Webhook attempts answered 429 or 503.") {
            $1.throttled.load(ordering: .relaxed)
        }
        per("atpd_push_dead_letters", "gauge", "Dead letters kept.") { name, _ in
            engine.deadLetterCount(channel: name)
        }
        per("atpd_push_breaker_state", "gauge", "Circuit breaker: 0 closed, 1 open, 2 half open.") {
            $1.breaker.load(ordering: .relaxed)
        }
        per("atpd_push_disabled", "gauge", "1 once the endpoint answered 410.") {
            $1.disabled.load(ordering: .relaxed) ? 1 : 0
        }
        out.header(
            "atpd_push_lag_seconds", "histogram", "From a change (as the dispatcher saw it) to its 2xx.")
        for (channel, c) in channels {
            var cumulative = 0
            for (i, bound) in PushChannelCounters.lagBounds.enumerated() {
                cumulative += c.lagBuckets.load(i)
                out.sample(
                    "atpd_push_lag_seconds_bucket",
                    [("channel", channel), ("le", PrometheusText.seconds(bound))],
                    Int64(cumulative))
            }
            cumulative += c.lagBuckets.load(PushChannelCounters.lagBounds.count)
            out.sample(
                "atpd_push_lag_seconds_bucket", [("channel", channel), ("le", "+Inf")],
                Int64(cumulative))
            out.sample(
                "atpd_push_lag_seconds_sum", [("channel", channel)],
                text: PrometheusText.seconds(Int64(c.lagSumMicroseconds.load(ordering: .relaxed))))
            out.sample("atpd_push_lag_seconds_count", [("channel", channel)], Int64(cumulative))
        }
    }
}
