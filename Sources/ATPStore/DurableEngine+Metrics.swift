import ATPEngine
import ATPUtilities

/// The store's figures for `/metrics` (none for the memory store): batches, records, failures,
/// rollbacks, snapshots.
///
/// Thread-safety: from any thread (the store's statistics are a snapshot).
extension DurableEngine: MetricsSource {
    public func writeMetrics(to out: inout PrometheusText) {
        guard let store else { return }
        let figures = store.statistics
        out.family(
            "atpd_store_available", "gauge", "1 while the \(store.kind) store is reachable.",
            [
                ([], store.isAvailable ? 1 : 0)
            ])
        out.family(
            "atpd_store_batches_total", "counter", "Group-commit batches made durable.",
            [([], figures.batches)])
        out.family(
            "atpd_store_records_total", "counter", "Journal records made durable.",
            [([], figures.records)])
        out.family(
            "atpd_store_failed_batches_total", "counter", "Batches that could not be made durable.",
            [
                ([], figures.failedBatches)
            ])
        out.family(
            "atpd_store_rolled_back_units_total", "counter",
            "Changes rolled back because their batch, or one before them, could not be made durable.",
            [
                ([], figures.rolledBackUnits)
            ])
        out.family(
            "atpd_rolled_back_changes_total", "counter",
            "Records of rolled-back changes taken back in the engine, by kind.",
            RolledBackKind.allCases.map {
                ([("kind", $0.label)], engine.counters.rolledBack.load($0.rawValue))
            })
        out.family(
            "atpd_store_durable_microseconds_total", "counter",
            "Time spent making batches durable.",
            [
                ([], figures.durableMicroseconds)
            ])
        if figures.batchSizes.count == figures.batchSizeBounds.count + 1 {
            out.header(
                "atpd_store_batch_units", "histogram",
                "Changes per group-commit batch (one batch is one write + fsync, or one Redis pipeline).")
            var cumulative = 0
            for (i, bound) in figures.batchSizeBounds.enumerated() {
                cumulative += figures.batchSizes[i]
                out.sample("atpd_store_batch_units_bucket", [("le", String(bound))], Int64(cumulative))
            }
            cumulative += figures.batchSizes[figures.batchSizeBounds.count]
            out.sample("atpd_store_batch_units_bucket", [("le", "+Inf")], Int64(cumulative))
            out.sample("atpd_store_batch_units_sum", [], Int64(figures.unitsInBatches))
            out.sample("atpd_store_batch_units_count", [], Int64(cumulative))
        }
        out.family(
            "atpd_store_snapshots_total", "counter", "Snapshots written.", [([], figures.snapshots)]
        )
    }
}
