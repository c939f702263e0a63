import Glibc
import Synchronization

/// Keeps a store's batch builder from reading the engine while a mutation is between its engine
/// change and the `append` of its records.
///
/// A store that writes the engine's *current* values (`RedisStore`) must read them at a cut where
/// every change in the engine has its records appended: otherwise a newer change rides along in
/// an older batch, and after a crash Redis holds its effect without its event id or idempotency
/// key — a retry would apply it twice. Mutations `enter` before changing the engine and `exit`
/// after appending; the writer thread `close`s the gate, takes the queued units, reads the engine,
/// and `open`s it again (for microseconds per batch; the round trip to Redis happens after).
/// The same cut makes rolling a failed batch back exact (`GroupCommitter`), so every durable
/// store has a gate; `DurableEngine.commit` is the only code that enters it.
///
/// Mutations do not exclude each other: entering is one atomic add while the gate is open.
/// Entering must not nest, and nothing may wait for the writer while inside.
/// Thread-safety: `enter`/`exit` from any thread; `close`/`open` from one thread (the writer).
public final class MutationGate: Sendable {
    /// Mutations in flight, plus `closedBit` while the writer holds the gate.
    private let state = Atomic<Int>(0)
    private static let closedBit = 1 << 40

    public init() {}

    /// Waits while the gate is closed, then counts this mutation in.
    /// - Complexity: one atomic add when open.
    public func enter() {
        while true {
            let before = state.add(1, ordering: .acquiring).oldValue
            if before & Self.closedBit == 0 { return }
            state.subtract(1, ordering: .relaxed)
            var spins = 0
            while state.load(ordering: .relaxed) & Self.closedBit != 0 { Self.pause(&spins) }
        }
    }

    /// Counts this mutation out (after its `append`).
    public func exit() { state.subtract(1, ordering: .releasing) }

    /// Runs `body` inside the gate.
    public func pass<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        enter()
        defer { exit() }
        return try body()
    }

    /// Stops new mutations and waits until those in flight have exited.
    func close() {
        state.bitwiseOr(Self.closedBit, ordering: .acquiringAndReleasing)
        var spins = 0
        while state.load(ordering: .acquiring) != Self.closedBit { Self.pause(&spins) }
    }

    /// Closes the gate if no mutation is in flight; false (gate untouched) otherwise.
    func tryClose() -> Bool {
        state.compareExchange(expected: 0, desired: Self.closedBit, ordering: .acquiringAndReleasing)
            .exchanged
    }

    /// Closes the gate, preferring not to block a mutation in flight: while one is, it yields
    /// the core to it (up to `attempts` times) instead of shutting out its thread's next
    /// mutation, then closes as `close` does.
    func closeYielding(attempts: Int = 4) {
        for _ in 0..<attempts {
            if tryClose() { return }
            sched_yield()
        }
        close()
    }

    /// Lets mutations in again.
    func open() { state.bitwiseAnd(~Self.closedBit, ordering: .releasing) }

    /// Spins briefly, then yields the core (two cores may be shared with the thread waited for).
    private static func pause(_ spins: inout Int) {
        spins += 1
        if spins > 64 { sched_yield() }
    }
}
