import ATPUtilities
import Synchronization

/// Monotonic counters and gauges the engine keeps for metrics.
///
/// Thread-safety: every field is an atomic, updated with relaxed ordering; readers see each value
/// on its own, not a consistent snapshot of all of them.
public final class EngineCounters: Sendable {
    public let holdsGranted = Atomic<Int>(0)
    public let holdsRefused = Atomic<Int>(0)
    public let eventsApplied = Atomic<Int>(0)
    public let eventsDuplicate = Atomic<Int>(0)
    public let eventsStale = Atomic<Int>(0)
    public let eventsRejected = Atomic<Int>(0)
    /// Applied events that left a cell's on-hand below zero (recorded as sent, and counted here).
    public let negativeOnHandEvents = Atomic<Int>(0)
    /// Cells whose on-hand is below zero now.
    public let negativeOnHandCells = Atomic<Int>(0)
    private let held = Atomic<Int>(0)
    private let confirmed = Atomic<Int>(0)
    private let fulfilled = Atomic<Int>(0)
    private let released = Atomic<Int>(0)
    private let expired = Atomic<Int>(0)
    /// Idempotency keys and event ids dropped before their retention ended because a table was
    /// at its cap.
    public let idempotencyEvictions = Atomic<Int>(0)
    public let eventIDEvictions = Atomic<Int>(0)
    /// Journal records whose predecessors for the same cell were missing at replay.
    public let replayGaps = Atomic<Int>(0)
    /// Records the last recovery set aside instead of replaying (set by the service from the
    /// store's `RecoveryReport`).
    public let recoveryQuarantined = Atomic<Int>(0)
    /// Changes taken back because the store refused them, by `RolledBackKind.rawValue`.
    public let rolledBack = AtomicCounterArray(count: RolledBackKind.allCases.count)

    public init() {}

    /// Reservations in `status` now (final ones until they are purged after retention).
    public func reservations(_ status: ReservationStatus) -> Int {
        switch status {
        case .held: held.load(ordering: .relaxed)
        case .confirmed: confirmed.load(ordering: .relaxed)
        case .fulfilled: fulfilled.load(ordering: .relaxed)
        case .released: released.load(ordering: .relaxed)
        case .expired: expired.load(ordering: .relaxed)
        }
    }

    /// Moves the per-status gauges when a reservation appears, changes status, or is purged.
    func countReservation(from old: ReservationStatus?, to new: ReservationStatus?) {
        if let old { add(-1, to: old) }
        if let new { add(1, to: new) }
    }

    private func add(_ delta: Int, to status: ReservationStatus) {
        switch status {
        case .held: held.add(delta, ordering: .relaxed)
        case .confirmed: confirmed.add(delta, ordering: .relaxed)
        case .fulfilled: fulfilled.add(delta, ordering: .relaxed)
        case .released: released.add(delta, ordering: .relaxed)
        case .expired: expired.add(delta, ordering: .relaxed)
        }
    }
}
