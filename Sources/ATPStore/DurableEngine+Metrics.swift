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
        out.family(
            "atpd_store_snapshots_total", "counter", "Snapshots written.", [([], figures.snapshots)]
        )
    }
}
