import ATPEngine
import ATPHTTP
import ATPPush
import ATPStore
import ATPUtilities

/// Request counters and latency histograms per route, lock-free.
///
/// Each (route, status) pair and each histogram bucket is its own relaxed atomic, so recording a
/// request is a few uncontended atomic adds and no allocation.
/// Thread-safety: `record` from any thread; `render` reads a consistent-enough snapshot.
final class Metrics: Sendable {
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

    /// The Prometheus text exposition (format 0.0.4) of these and the engine's and server's figures.
    func render(
        engine: Engine, server: HTTPServer?, store: (any Store)?, stream: RedisStreamConsumer?,
        push: PushService?,
        into out: inout [UInt8]
    ) {
        out.appendASCII("# HELP atpd_http_requests_total HTTP requests answered, by route and status.\n")
        out.appendASCII("# TYPE atpd_http_requests_total counter\n")
        for route in Route.allCases {
            for slot in 0..<statusSlots {
                let value = counts.load(route.rawValue * statusSlots + slot)
                guard value > 0 else { continue }
                let status = slot < Self.statuses.count ? String(Self.statuses[slot]) : "other"
                sample(
                    &out, "atpd_http_requests_total", [("route", route.label), ("status", status)],
                    Int64(value))
            }
        }
        out.appendASCII(
            "# HELP atpd_http_request_duration_seconds Time from a complete request to its response.\n")
        out.appendASCII("# TYPE atpd_http_request_duration_seconds histogram\n")
        for route in Route.allCases {
            let base = route.rawValue * (Self.bucketBounds.count + 1)
            var cumulative = 0
            var total = 0
            for i in 0...Self.bucketBounds.count { total += buckets.load(base + i) }
            guard total > 0 else { continue }
            for (i, bound) in Self.bucketBounds.enumerated() {
                cumulative += buckets.load(base + i)
                sample(
                    &out, "atpd_http_request_duration_seconds_bucket",
                    [("route", route.label), ("le", seconds(bound))], Int64(cumulative))
            }
            sample(
                &out, "atpd_http_request_duration_seconds_bucket", [("route", route.label), ("le", "+Inf")],
                Int64(total))
            out.appendASCII("atpd_http_request_duration_seconds_sum{route=\"")
            out.append(contentsOf: route.label.utf8)
            out.appendASCII("\"} ")
            out.append(contentsOf: seconds(Int64(sums.load(route.rawValue))).utf8)
            out.append(0x0A)
            sample(&out, "atpd_http_request_duration_seconds_count", [("route", route.label)], Int64(total))
        }
        let c = engine.counters
        family(
            &out, "atpd_recovery_quarantined_records", "gauge",
            "Records the last recovery set aside (undecodable, or refused by today's rules); each was logged.",
            [
                ([], c.recoveryQuarantined.load(ordering: .relaxed))
            ])
        family(
            &out, "atpd_holds_total", "counter", "Reservation attempts, by result.",
            [
                ([("result", "granted")], c.holdsGranted.load(ordering: .relaxed)),
                ([("result", "refused")], c.holdsRefused.load(ordering: .relaxed)),
            ])
        family(
            &out, "atpd_events_total", "counter", "Stock events, by outcome.",
            [
                ([("outcome", "applied")], c.eventsApplied.load(ordering: .relaxed)),
                ([("outcome", "duplicate")], c.eventsDuplicate.load(ordering: .relaxed)),
                ([("outcome", "stale")], c.eventsStale.load(ordering: .relaxed)),
                ([("outcome", "rejected")], c.eventsRejected.load(ordering: .relaxed)),
            ])
        family(
            &out, "atpd_negative_on_hand_events_total", "counter",
            "Events that left a cell's onHand below 0.",
            [
                ([], c.negativeOnHandEvents.load(ordering: .relaxed))
            ])
        family(
            &out, "atpd_cells", "gauge", "Stock cells (sku, location) known.",
            [([], engine.inventory.cellCount)])
        family(
            &out, "atpd_reservations", "gauge", "Reservations in memory, by status.",
            ReservationStatus.allCases.map { ([("status", $0.description)], c.reservations($0)) })
        family(
            &out, "atpd_idempotency_keys", "gauge", "Idempotency keys kept.", [([], engine.idempotency.count)]
        )
        family(
            &out, "atpd_idempotency_evictions_total", "counter",
            "Idempotency keys dropped at the cap before their retention ended.",
            [
                ([], c.idempotencyEvictions.load(ordering: .relaxed))
            ])
        family(&out, "atpd_event_ids", "gauge", "Event ids kept for dedupe.", [([], engine.eventIDCount)])
        family(
            &out, "atpd_event_id_evictions_total", "counter",
            "Event ids dropped at the cap before their retention ended.",
            [
                ([], c.eventIDEvictions.load(ordering: .relaxed))
            ])
        if let store {
            let figures = store.statistics
            family(
                &out, "atpd_store_available", "gauge", "1 while the \(store.kind) store is reachable.",
                [
                    ([], store.isAvailable ? 1 : 0)
                ])
            family(
                &out, "atpd_store_batches_total", "counter", "Group-commit batches made durable.",
                [([], figures.batches)])
            family(
                &out, "atpd_store_records_total", "counter", "Journal records made durable.",
                [([], figures.records)])
            family(
                &out, "atpd_store_failed_batches_total", "counter", "Batches that could not be made durable.",
                [
                    ([], figures.failedBatches)
                ])
            family(
                &out, "atpd_store_rolled_back_units_total", "counter",
                "Changes rolled back because their batch, or one before them, could not be made durable.",
                [
                    ([], figures.rolledBackUnits)
                ])
            family(
                &out, "atpd_rolled_back_changes_total", "counter",
                "Records of rolled-back changes taken back in the engine, by kind.",
                RolledBackKind.allCases.map { ([("kind", $0.label)], c.rolledBack.load($0.rawValue)) })
            family(
                &out, "atpd_store_durable_microseconds_total", "counter",
                "Time spent making batches durable.",
                [
                    ([], figures.durableMicroseconds)
                ])
            family(
                &out, "atpd_store_snapshots_total", "counter", "Snapshots written.", [([], figures.snapshots)]
            )
        }
        if let stream {
            let c = stream.counters
            family(
                &out, "atpd_stream_entries_total", "counter", "Redis stream entries, by outcome.",
                [
                    ([("outcome", "applied")], c.applied.load(ordering: .relaxed)),
                    ([("outcome", "duplicate")], c.duplicate.load(ordering: .relaxed)),
                    ([("outcome", "stale")], c.stale.load(ordering: .relaxed)),
                    ([("outcome", "rejected")], c.rejected.load(ordering: .relaxed)),
                    ([("outcome", "dead_lettered")], c.deadLettered.load(ordering: .relaxed)),
                ])
            family(
                &out, "atpd_stream_acked_total", "counter", "Stream entries acknowledged after durability.",
                [
                    ([], c.acked.load(ordering: .relaxed))
                ])
            family(
                &out, "atpd_stream_claimed_total", "counter", "Stream entries claimed from idle consumers.",
                [
                    ([], c.claimed.load(ordering: .relaxed))
                ])
            family(
                &out, "atpd_stream_connected", "gauge", "1 while the stream consumer is connected.",
                [
                    ([], stream.isConnected ? 1 : 0)
                ])
        }
        if let push { renderPush(push, engine: engine, into: &out) }
        if let server {
            family(
                &out, "atpd_open_connections", "gauge", "Open client connections.",
                [([], server.openConnections)])
            family(
                &out, "atpd_refused_connections_total", "counter", "Connections refused at the cap.",
                [
                    ([], server.refusedConnections)
                ])
        }
    }

    /// Per-channel push figures and the propagation-lag histogram.
    private func renderPush(_ push: PushService, engine: Engine, into out: inout [UInt8]) {
        let channels = push.allCounters
        guard !channels.isEmpty else { return }
        func per(
            _ name: String, _ type: String, _ help: String, _ value: (String, PushChannelCounters) -> Int
        ) {
            family(
                &out, name, type, help,
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
        out.appendASCII("# HELP atpd_push_lag_seconds From a change (as the dispatcher saw it) to its 2xx.\n")
        out.appendASCII("# TYPE atpd_push_lag_seconds histogram\n")
        for (channel, c) in channels {
            var cumulative = 0
            for (i, bound) in PushChannelCounters.lagBounds.enumerated() {
                cumulative += c.lagBuckets.load(i)
                sample(
                    &out, "atpd_push_lag_seconds_bucket", [("channel", channel), ("le", seconds(bound))],
                    Int64(cumulative))
            }
            cumulative += c.lagBuckets.load(PushChannelCounters.lagBounds.count)
            sample(
                &out, "atpd_push_lag_seconds_bucket", [("channel", channel), ("le", "+Inf")],
                Int64(cumulative))
            out.appendASCII("atpd_push_lag_seconds_sum{channel=\"")
            for byte in channel.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            out.appendASCII("\"} ")
            out.append(contentsOf: seconds(Int64(c.lagSumMicroseconds.load(ordering: .relaxed))).utf8)
            out.append(0x0A)
            sample(&out, "atpd_push_lag_seconds_count", [("channel", channel)], Int64(cumulative))
        }
    }

    private func family(
        _ out: inout [UInt8], _ name: String, _ type: String, _ help: String,
        _ samples: [([(String, String)], Int)]
    ) {
        out.append(contentsOf: "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n".utf8)
        for (labels, value) in samples { sample(&out, name, labels, Int64(value)) }
    }

    private func sample(_ out: inout [UInt8], _ name: String, _ labels: [(String, String)], _ value: Int64) {
        out.append(contentsOf: name.utf8)
        if !labels.isEmpty {
            out.append(UInt8(ascii: "{"))
            for (i, (key, text)) in labels.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: key.utf8)
                out.appendASCII("=\"")
                for byte in text.utf8 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                        out.append(UInt8(ascii: "\\"))
                    }
                    out.append(byte)
                }
                out.append(UInt8(ascii: "\""))
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(0x20)
        out.appendDecimal(value)
        out.append(0x0A)
    }

    /// Microseconds as decimal seconds, e.g. 2500 → "0.0025".
    private func seconds(_ micros: Int64) -> String {
        let whole = micros / 1_000_000
        var fraction = String(micros % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }
}
