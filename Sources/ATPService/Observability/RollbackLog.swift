import ATPEngine
import ATPStore
import ATPUtilities

/// Logs `changes_rolled_back` once per check when batches failed since the previous check: how
/// many batches and units, the changes rolled back by kind, and why the last batch failed. One line
/// per interval, however many requests failed (a flash sale against a full Redis fails thousands a
/// second); the per-change counts are in `/metrics` (`atpd_rolled_back_changes_total{kind}`).
///
/// Thread-safety: `check` from one thread at a time (the sweep timer); the figures are under a lock.
/// Complexity: O(kinds) per check.
final class RollbackLog: Sendable {
    private struct Seen {
        var failedBatches = 0
        var rolledBackUnits = 0
        var kinds = [Int](repeating: 0, count: RolledBackKind.allCases.count)
    }

    private let seen = Locked(Seen())
    private let log: Log

    init(log: Log) { self.log = log }

    /// Compares `store`'s and `engine`'s rollback figures with the last check; logs the difference.
    func check(store: (any Store)?, engine: Engine) {
        guard let statistics = store?.statistics else { return }
        let kinds = RolledBackKind.allCases.map { engine.counters.rolledBack.load($0.rawValue) }
        let previous = seen.withLock { s -> Seen in
            defer {
                s = Seen(
                    failedBatches: statistics.failedBatches, rolledBackUnits: statistics.rolledBackUnits,
                    kinds: kinds)
            }
            return s
        }
        guard statistics.failedBatches > previous.failedBatches else { return }
        var fields: [(String, LogValue)] = [
            ("failedBatches", .int(Int64(statistics.failedBatches - previous.failedBatches))),
            ("units", .int(Int64(statistics.rolledBackUnits - previous.rolledBackUnits))),
        ]
        for kind in RolledBackKind.allCases where kinds[kind.rawValue] > previous.kinds[kind.rawValue] {
            fields.append((kind.label, .int(Int64(kinds[kind.rawValue] - previous.kinds[kind.rawValue]))))
        }
        fields.append(("lastFailure", .string(statistics.lastFailure ?? "")))
        log.error("changes_rolled_back", fields)
    }
}
