import ATPEngine
import ATPPosix
import ATPUtilities
import Synchronization

/// The one seam where a change to the engine becomes durable: the API, the expiry sweep, the
/// stream consumer and channel push all mutate the engine through `commit`.
///
/// `commit` runs the caller's change, which makes its engine calls through `Mutation.record`:
/// the first one enters the store's `MutationGate`; then the change is appended to the store and
/// the gate left — the gate is held from the first engine call to the append. The completion runs once the store has answered:
/// on success the change is durable; on failure the store has already rolled it back in the
/// engine, with everything appended after it (`GroupCommitter`), so a failure answer means that
/// nothing changed anywhere — memory, store, restart or push.
///
/// Channel push reads only acknowledged figures: `readMark` before reading the engine and
/// `settle(since:)` before sending wait for every commit those reads could have seen and say
/// whether any of them was rolled back (two-epoch grace period, as in RCU).
///
/// Thread-safety: every method from any thread; `settle` from one thread at a time (push).
/// Complexity: `commit` adds four atomic adds to the change (none when the store is memory).
public final class DurableEngine: Sendable {
    public let engine: Engine
    /// Where changes become durable; nil for `--store memory` (every change is final at once).
    public let store: (any Store)?
    @usableFromInline let gate: MutationGate?
    private let epoch = Atomic<Int>(0)
    /// Commits in flight that entered an even or an odd epoch.
    private let inFlightEven = Atomic<Int>(0)
    private let inFlightOdd = Atomic<Int>(0)
    private let rollbacks = Atomic<Int>(0)
    private let settling = Locked<UInt8>(0)
    /// Set by a commit that left waking the writer to `wakeWriterIfOwed`.
    private let wakeOwed = Atomic<Bool>(false)

    public typealias Completion = @Sendable (Result<Void, StoreError>) -> Void

    public init(engine: Engine, store: (any Store)?) {
        self.engine = engine
        self.store = store
        gate = store?.mutationGate
    }

    /// Runs `change` and makes what it recorded durable. The gate is entered at the change's
    /// first engine call (`Mutation.record`), so what comes before it — parsing, validation,
    /// authorization — runs outside the gate, and left after the append.
    ///
    /// - Parameter wakingWriter: false to leave waking the store's writer to a
    ///   `wakeWriterIfOwed()` call soon after, on the same thread — an event loop makes it once
    ///   per iteration, so the changes of every request the iteration handled share one batch
    ///   (the writer is not woken for the first while the others are still being parsed).
    /// - Parameter answer: given `change`'s result (still inside the gate, before the append),
    ///   returns the completion to call once the store has answered, on the store's thread. It is
    ///   used only when the returned `pending` is true (something was recorded and the store is
    ///   durable). A failure there means the change was rolled back: answer that nothing changed.
    /// - Returns: what `change` returned, and whether the completion will be called.
    /// - Throws: what `change` throws. A `change` that throws must not have changed the engine;
    ///   if it did record something, that is still made durable (never lost silently).
    @inlinable
    public func commit<R, E: Error>(
        wakingWriter: Bool = true, _ change: (inout Mutation) throws(E) -> R, answer: (R) -> Completion
    ) throws(E) -> (result: R, pending: Bool) {
        var mutation = Mutation(durable: self)
        let outcome = Result<R, E> { () throws(E) in try change(&mutation) }
        guard let epoch = mutation.epoch else { return (try outcome.get(), false) }
        guard let store, !mutation.change.isEmpty else {
            leave(epoch: epoch)
            return (try outcome.get(), false)
        }
        let completion: Completion
        switch outcome {
        case .success(let value): completion = answer(value)
        case .failure: completion = { _ in }
        }
        append(mutation.change, to: store, epoch: epoch, waking: wakingWriter, completion: completion)
        return (try outcome.get(), true)
    }

    /// Wakes the store's writer if a commit made with `wakingWriter: false` left it owed.
    /// - Complexity: one relaxed load when nothing is owed (every loop iteration pays it).
    public func wakeWriterIfOwed() {
        guard let store, wakeOwed.load(ordering: .relaxed) else { return }
        if wakeOwed.exchange(false, ordering: .acquiringAndReleasing) { store.wakeWriter() }
    }

    /// `commit` for changes nobody waits on (the sweep, push's own records), entering the gate at
    /// once. One the store refuses is rolled back like any other, and shows in the store's figures
    /// (`/metrics`, the `changes_rolled_back` log line).
    public func commitUnawaited(_ change: (inout EngineChange) -> Void) {
        _ = commit({ $0.record(change) }, answer: { _ in { _ in } })
    }

    /// Enters the gate and the current epoch (`Mutation.record`, before the first engine call);
    /// returns the epoch. Nothing is entered for the memory store.
    @usableFromInline
    func enter() -> Int {
        guard store != nil else { return 0 }
        gate?.enter()
        return enterEpoch()
    }

    /// Leaves what `enter` entered, for a change that recorded nothing.
    @usableFromInline
    func leave(epoch: Int) {
        guard store != nil else { return }
        gate?.exit()
        exitEpoch(epoch)
    }

    /// Appends (inside the gate), leaves the gate, then wakes the store's writer (or, when not
    /// `waking`, leaves that owed to `wakeWriterIfOwed`).
    @usableFromInline
    func append(
        _ change: EngineChange, to store: any Store, epoch: Int, waking: Bool,
        completion: @escaping Completion
    ) {
        store.appendInsideGate(change) { [self] result in
            if case .failure = result { rollbacks.add(1, ordering: .releasing) }
            exitEpoch(epoch)
            completion(result)
        }
        gate?.exit()
        if waking {
            store.wakeWriter()
        } else {
            wakeOwed.store(true, ordering: .releasing)
        }
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
            ? inFlightEven.load(ordering: .sequentiallyConsistent)
            : inFlightOdd.load(ordering: .sequentiallyConsistent)
    }
}

/// What one `DurableEngine.commit` records into: handlers make each engine call through `record`.
///
/// Thread-safety: a value owned by the committing thread.
public struct Mutation {
    @usableFromInline let durable: DurableEngine
    /// The journal records and undo steps recorded so far.
    public var change = EngineChange()
    /// Set once the gate was entered (the epoch entered with it).
    @usableFromInline var epoch: Int?

    @usableFromInline init(durable: DurableEngine) { self.durable = durable }

    /// Runs one engine call that records into the change; the first enters the gate.
    @inlinable
    public mutating func record<R, E: Error>(_ body: (inout EngineChange) throws(E) -> R) throws(E) -> R {
        if epoch == nil { epoch = durable.enter() }
        return try body(&change)
    }
}
