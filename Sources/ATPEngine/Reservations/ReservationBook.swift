import ATPUtilities
import Synchronization

/// A reservation with the cells its lines hold.
struct StoredReservation {
    var reservation: Reservation
    var cells: [CellID]
}

/// Reservation records in 64 mutex-protected shards (by id), each with a deadline heap so that
/// expiring and purging cost what is due, not how many reservations exist.
///
/// Thread-safety: all methods from any thread; each call locks one shard (`sweep` one at a time).
final class ReservationBook: Sendable {
    private final class Shard: Sendable {
        let state = Locked(State())
    }

    struct State {
        var records: [UInt64: StoredReservation] = [:]
        /// Deadlines: a held reservation's expiry, a final one's purge time. Entries whose
        /// reservation changed since are skipped when they come due.
        var deadlines = DeadlineHeap()
    }

    private static let shardCount = 64
    private let shards: [Shard] = (0..<ReservationBook.shardCount).map { _ in Shard() }

    /// Runs `body` with the shard that owns `id` locked.
    func withShard<R>(of id: ReservationID, _ body: (inout State) -> R) -> R {
        shards[Int(id.raw % UInt64(Self.shardCount))].state.withLock { body(&$0) }
    }

    /// Runs `body` with each shard locked in turn.
    func forEachShard(_ body: (inout State) -> Void) {
        for shard in shards { shard.state.withLock { body(&$0) } }
    }

    /// The number of stored reservations (all statuses).
    var count: Int { shards.reduce(0) { total, shard in total + shard.state.withLock { $0.records.count } } }
}
