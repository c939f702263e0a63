import ATPUtilities
import Synchronization

/// Limits and retention periods of an engine.
public struct EngineConfiguration: Sendable {
    /// How long idempotency keys are kept, in milliseconds (API.md: at least 24 hours).
    public var idempotencyRetention: Int64 = 24 * 3_600_000
    /// The most idempotency keys kept; beyond it the oldest are dropped and counted.
    public var idempotencyCapacity = 1_000_000
    /// How long an in-progress idempotency key blocks a retry before it is treated as abandoned.
    public var idempotencyInProgressTimeout: Int64 = 60_000
    /// How long event ids are remembered for dedupe, in milliseconds (at least 24 hours).
    public var eventIDRetention: Int64 = 24 * 3_600_000
    /// The most event ids remembered; beyond it the oldest are dropped and counted.
    public var eventIDCapacity = 10_000_000
    /// How long fulfilled, released and expired reservations stay readable, in milliseconds.
    public var finalReservationRetention: Int64 = 24 * 3_600_000
    /// The most channels; defining one more is refused (`capacity_exhausted`) until one is
    /// removed. Every channel costs push state, metric series and a copy in each channel-set
    /// snapshot.
    public var channelCapacity = 1_000

    public init() {}
}

/// The available-to-promise engine: cells, reservations, idempotency, stock events, channel views.
///
/// Pure Swift: no I/O, no threads of its own; time comes from the injected `WallClock`. Every
/// mutating method returns the `JournalRecord`s that describe its effect; the caller makes them
/// durable before answering a client, and `replay` of those records rebuilds the same state.
///
/// Thread-safety: every method may be called from any thread. Availability reads and the cell
/// accounting of holds are lock-free; reservation records, idempotency keys and event dedupe live
/// in mutex-protected shards.
public final class Engine: Sendable {
    public let configuration: EngineConfiguration
    public let clock: any WallClock
    public let counters = EngineCounters()
    public let inventory: Inventory
    let reservations = ReservationBook()
    public let idempotency: IdempotencyTable
    let events: EventLedger
    let channels = ChannelRegistry()
    let deadLetters = DeadLetterBook()
    private let nextReservation: Atomic<UInt64>
    let replayState = Locked(ReplayState())

    public init(configuration: EngineConfiguration = .init(), clock: any WallClock) {
        self.configuration = configuration
        self.clock = clock
        inventory = Inventory(counters: counters)
        idempotency = IdempotencyTable(configuration: configuration, counters: counters)
        events = EventLedger(configuration: configuration, counters: counters)
        var random = SystemRandomNumberGenerator()
        nextReservation = Atomic(random.next())
    }

    /// Skus whose availability changed since the consumer last drained (single consumer).
    public var changes: ChangeFeed { inventory.changes }

    /// A fresh reservation id (splitmix64's finalizer is a bijection, so distinct counters give
    /// distinct ids).
    func makeReservationID() -> ReservationID {
        var z = nextReservation.add(1, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return ReservationID(raw: z ^ (z >> 31))
    }
}
