import ATPEngine
import ATPUtilities
import Synchronization

/// The one seam where a change to the engine becomes durable: the API, the expiry sweep, the
/// stream consumer and channel push all mutate the engine through `commit`.
///
/// `commit` enters the store's `MutationGate`, runs the caller's change (which records into an
/// `EngineChange`), appends the change to the store and leaves the gate — the gate is held only
/// around the engine change and the append. The completion runs once the store has answered:
/// on success the change is durable; on failure the store has already rolled it back in the
/// engine, with everything appended after it (`GroupCommitter`), so a failure answer means that
/// nothing changed anywhere — memory, store, restart or push.
///
/// Channel push reads only acknowledged figures: `readMark` before reading the engine and
/// `settle(since:)` before sending wait for every commit those reads could have seen and say
/// whether any of them was rolled back (two-epoch grace period, as in RCU).
///
/// Thread-safety: every method from any thread; `settle` from one thread at a time (push).
/// Complexity: `commit` adds two atomic adds to the change (one when the store is memory).
public final class DurableEngine: Sendable {
    public let engine: Engine
    /// Where changes become durable; nil for `--store memory` (every change is final at once).
    public let store: (any Store)?
    private let gate: MutationGate?
    private let epoch = Atomic<Int>(0)
    /// Commits in flight that entered an even or an odd epoch.
    private let inFlightEven = Atomic<Int>(0)
    private let inFlightOdd = Atomic<Int>(0)
    private let rollbacks = Atomic<Int>(0)
    private let settling = Locked<UInt8>(0)

    public typealias Completion = @Sendable (Result<Void, StoreError>) -> Void

    public init(engine: Engine, store: (any Store)?) {
        self.engine = engine
        self.store = store
        gate = store?.mutationGate
    }

    /// Runs `change` inside the gate and makes what it recorded durable.
    ///
    /// - Parameter answer: given `change`'s result (still inside the gate, before the append),
    ///   returns the completion to call once the store has answered, on the store's thread. It is
    ///   used only when the returned `pending` is true (something was recorded and the store is
    ///   durable). A failure there means the change was rolled back: answer that nothing changed.
    /// - Returns: what `change` returned, and whether the completion will be called.
    /// - Throws: what `change` throws. A `change` that throws must not have changed the engine;
    ///   if it did record something, that is still made durable (never lost silently).
    public func commit<R, E: Error>(
        _ change: (inout EngineChange) throws(E) -> R, answer: (R) -> Completion
    ) throws(E) -> (result: R, pending: Bool) {
        guard let store else {
            var ignored = EngineChange()
            return (try change(&ignored), false)
        }
        gate?.enter()
        let entered = enterEpoch()
        var recorded = EngineChange()
        let outcome = Result<R, E> { () throws(E) in try change(&recorded) }
        guard !recorded.isEmpty else {
            gate?.exit()
            exitEpoch(entered)
            return (try outcome.get(), false)
        }
        let completion: Completion
        switch outcome {
        case .success(let value): completion = answer(value)
        case .failure: completion = { _ in }
        }
        store.append(recorded) { [self] result in
            if case .failure = result { rollbacks.add(1, ordering: .releasing) }
            exitEpoch(entered)
            completion(result)
        }
        gate?.exit()
        return (try outcome.get(), true)
    }

    /// `commit` for changes nobody waits on (the sweep, push's own records). One the store
    /// refuses is rolled back like any other, and shows in the store's figures (`/metrics`, the
    /// `changes_rolled_back` log line).
    public func commitUnawaited(_ change: (inout EngineChange) -> Void) {
        _ = commit(change) { _ in { _ in } }
    }

    // MARK: Acknowledged reads (channel push)

    /// Call before reading figures that will be sent out; pass the mark to `settle(since:)`.
    public func readMark() -> Int { rollbacks.load(ordering: .acquiring) }

    /// Waits until every commit that the reads since `mark` may have seen has completed.
    /// - Returns: true when none of them — nor any other commit since `mark` — was rolled back,
    ///   so the figures read are acknowledged; false to read again.
    /// - Complexity: one atomic add, then waits for the commits in flight (their store round trip).
    public func settle(since mark: Int) -> Bool {
        guard store != nil else { return true }
        settling.withLock { _ in
            let old = epoch.add(1, ordering: .sequentiallyConsistent).oldValue
            var spins = 0
            while inFlight(old) != 0 {
                spins += 1
                if spins < 64 { continue }
                MonotonicClock.sleep(microseconds: spins < 1_000 ? 50 : 1_000)
            }
        }
        return rollbacks.load(ordering: .acquiring) == mark
    }

    /// Counts a commit into the current epoch (re-checked, so a flip in between is never missed).
    private func enterEpoch() -> Int {
        while true {
            let e = epoch.load(ordering: .sequentiallyConsistent)
            count(e, 1)
            if epoch.load(ordering: .sequentiallyConsistent) == e { return e }
            count(e, -1)
        }
    }

    private func exitEpoch(_ e: Int) { count(e, -1) }

    private func count(_ e: Int, _ delta: Int) {
        if e & 1 == 0 {
            inFlightEven.add(delta, ordering: .sequentiallyConsistent)
        } else {
            inFlightOdd.add(delta, ordering: .sequentiallyConsistent)
        }
    }

    private func inFlight(_ e: Int) -> Int {
        e & 1 == 0
            ? inFlightEven.load(ordering: .sequentiallyConsistent) : inFlightOdd.load(ordering: .sequentiallyConsistent)
    }
}
