import ATPUtilities

/// The engine's figures for `/metrics`: holds, events, reservations, keys, recovery.
///
/// Thread-safety: from any thread (relaxed atomic reads and one lock per shard for the counts).
/// Complexity: O(shards).
extension Engine: MetricsSource {
    public func writeMetrics(to out: inout PrometheusText) {
        let c = counters
        out.family(
            "atpd_recovery_quarantined_records", "gauge",
            "Records the last recovery set aside (undecodable, or refused by today's rules); each was logged.",
            [
                ([], c.recoveryQuarantined.load(ordering: .relaxed))
            ])
        out.family(
            "atpd_holds_total", "counter", "Reservation attempts, by result.",
            [
                ([("result", "granted")], c.holdsGranted.load(ordering: .relaxed)),
                ([("result", "refused")], c.holdsRefused.load(ordering: .relaxed)),
            ])
        out.family(
            "atpd_events_total", "counter", "Stock events, by outcome.",
            [
                ([("outcome", "applied")], c.eventsApplied.load(ordering: .relaxed)),
                ([("outcome", "duplicate")], c.eventsDuplicate.load(ordering: .relaxed)),
                ([("outcome", "stale")], c.eventsStale.load(ordering: .relaxed)),
                ([("outcome", "rejected")], c.eventsRejected.load(ordering: .relaxed)),
            ])
        out.family(
            "atpd_negative_on_hand_events_total", "counter",
            "Events that left a cell's onHand below 0.",
            [
                ([], c.negativeOnHandEvents.load(ordering: .relaxed))
            ])
        out.family(
            "atpd_cells", "gauge", "Stock cells (sku, location) known.",
            [([], inventory.cellCount)])
        out.family(
            "atpd_reservations", "gauge", "Reservations in memory, by status.",
            ReservationStatus.allCases.map { ([("status", $0.description)], c.reservations($0)) })
        out.family(
            "atpd_idempotency_keys", "gauge", "Idempotency keys kept.", [([], idempotency.count)]
        )
        out.family(
            "atpd_idempotency_evictions_total", "counter",
            "Idempotency keys dropped at the cap before their retention ended.",
            [
                ([], c.idempotencyEvictions.load(ordering: .relaxed))
            ])
        out.family("atpd_event_ids", "gauge", "Event ids kept for dedupe.", [([], eventIDCount)])
        out.family(
            "atpd_event_id_evictions_total", "counter",
            "Event ids dropped at the cap before their retention ended.",
            [
                ([], c.eventIDEvictions.load(ordering: .relaxed))
            ])
    }
}
