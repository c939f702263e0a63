import ATPEngine
import ATPPosix
import ATPUtilities
import Dispatch
import Glibc
import Synchronization

/// Where a `GroupCommitter`'s writer thread sends each batch.
///
/// Thread-safety: both methods are called on the writer thread only, one at a time.
protocol GroupCommitBackend: AnyObject, Sendable {
    /// Called just before `write` with the same batch, while the committer's `MutationGate` (if
    /// any) is closed: the place to read the engine's current values.
    func prepare(_ units: [EngineChange])

    /// Makes every unit of the batch durable, each whole or not at all, and returns only then.
    ///
    /// On a throw the committer rolls back every unit of the batch and every unit queued behind
    /// it, then fails them all; the backend must leave nothing of the batch durable (truncate,
    /// or write the rolled-back state over it: `rolledBack`).
    func write(_ units: [EngineChange]) throws(StoreError)

    /// Called after a failed batch (`units`, which `write` threw `error` for) has been rolled back
    /// in the engine, with the gate still closed: the engine holds the state to make durable again.
    func rolledBack(_ units: [EngineChange], after error: StoreError)

    /// Runs after a batch's completions have been called: the place for housekeeping such as
    /// rotating segments, while no batch is in flight.
    func didFinishBatch()
}

extension GroupCommitBackend {
    func prepare(_ units: [EngineChange]) {}
    func rolledBack(_ units: [EngineChange], after error: StoreError) {}
    func didFinishBatch() {}
}

/// Group commit: many producers append units, one writer thread makes them durable in batches.
///
/// `append` takes the lock only to enqueue, then signals the writer's condition variable. The writer takes
/// everything queued, hands it to the backend as one batch (one `write` + `fsync`, or one
/// pipeline), then calls each unit's completion in append order with the batch's result. Units
/// appended while a write is in progress share the next one.
///
/// Failure policy — a failure answer means that nothing changed: if the backend throws, the
/// writer closes the gate, takes every unit queued behind the batch (their changes may build on
/// the failed ones), rolls all of them back in the engine newest first (`Engine.rollBack`), lets
/// the backend undo its side (`rolledBack`), opens the gate, and only then fails every one of
/// their completions. `failedBatches` and `rolledBackUnits` count them; later batches are
/// attempted as usual. The committer never retries a unit: its client retries.
///
/// The writer closes the `MutationGate` while it takes the queued units and `prepare`s them, so
/// the batch is a cut: every engine change made so far is in it or in an earlier batch. The same
/// cut makes the rollback exact: no mutation is between its engine change and its `append`.
///
/// Thread-safety: `append`, `kick` and `statistics` from any thread; `start`, `close` and `abandon` once
/// each, from one controlling thread — never from a completion, which runs on the writer thread
/// they join. Completions must not block the writer for long (park the response, wake its loop).
final class GroupCommitter: Sendable {
    typealias Completion = @Sendable (Result<Void, StoreError>) -> Void

    private enum Phase {
        case notStarted, running, closing, abandoned, closed
    }

    private struct Queue {
        var units: [EngineChange] = []
        var completions: [Completion] = []
        var phase = Phase.notStarted
        /// A batch is wanted even if no unit is queued (`kick`).
        var kicked = false
        /// Set by `abandon`: queued units were dropped.
        var wasAbandoned = false

        var hasWork: Bool { !units.isEmpty || kicked }
    }

    private let backend: any GroupCommitBackend
    private let gate: MutationGate?
    private let name: String
    private let queue = ConditionLock(Queue())
    private let thread = Locked<JoinableThread?>(nil)
    /// The engine that failed units are rolled back in; set by `start`.
    private let engine = Locked<Engine?>(nil)

    private let batchCount = Atomic<Int>(0)
    private let unitCount = Atomic<Int>(0)
    private let recordCount = Atomic<Int>(0)
    private let failedCount = Atomic<Int>(0)
    private let rolledBackCount = Atomic<Int>(0)
    private let rollbackGenerations = Atomic<Int>(0)
    private let durableMicros = Atomic<Int>(0)
    /// Batches by units per batch: bucket i counts batches of at most `batchBounds[i]` units (and
    /// more than the bound before); the last, batches larger than every bound.
    private let batchSizes = AtomicCounterArray(count: GroupCommitter.batchBounds.count + 1)
    private let lastFailure = Locked<String?>(nil)

    /// Upper bounds of the batch-size histogram's buckets, in units (changes) per batch.
    static let batchBounds = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    /// A committer that writes through `backend`; nothing is accepted before `start`.
    /// - Parameters:
    ///   - gate: closed while each batch is taken and prepared (see `MutationGate`).
    ///   - name: the writer thread's name (at most 15 bytes are kept).
    init(backend: any GroupCommitBackend, gate: MutationGate? = nil, name: String = "atp-store") {
        self.backend = backend
        self.gate = gate
        self.name = name
    }

    /// Starts the writer thread; units appended from now on are written, and rolled back in
    /// `engine` when they fail (nil only in tests of the committer itself).
    func start(engine: Engine?) {
        self.engine.withLock { $0 = engine }
        let started = queue.withLock { q -> Bool in
            guard q.phase == .notStarted else { return false }
            q.phase = .running
            return true
        }
        guard started else { return }
        let thread = JoinableThread(name: name) { [self] in run() }
        self.thread.withLock { $0 = thread }
    }

    /// Queues `unit`; `completion` runs on the writer thread once the unit's batch is durable (or
    /// failed). Units complete in the order they were appended.
    ///
    /// Before `start` or after `close` the completion runs at once, on the caller's thread, with
    /// `.unavailable`.
    /// - Parameter waking: false to leave waking the writer to a `wake()` call soon after (from
    ///   inside the gate: see `Store.appendInsideGate`).
    /// - Complexity: O(1) amortized; the lock is held for two array appends.
    func append(_ unit: EngineChange, waking: Bool = true, completion: @escaping Completion) {
        let accepted = queue.withLock { q -> Bool in
            guard q.phase == .running else { return false }
            q.units.append(unit)
            q.completions.append(completion)
            return true
        }
        if accepted {
            if waking { wake() }
        } else {
            engine.withLock { $0 }?.rollBack(unit)
            completion(.failure(.unavailable("the store is not open")))
        }
    }

    /// Wakes the writer if it waits (cheap while it is busy: no syscall when nobody waits).
    func wake() { queue.signal() }

    /// Makes the writer run a batch soon even if nothing is queued (a backend with work of its
    /// own, such as a repair owed to Redis, does it in `prepare` and `write`).
    func kick() {
        queue.withLock { $0.kicked = true }
        queue.signal()
    }

    /// Writes everything queued, then stops and joins the writer thread. Appends that arrive
    /// meanwhile fail with `.unavailable`.
    func close() { stop(.closing) }

    /// Stops without writing what is queued (a simulated crash): the batch in flight finishes,
    /// queued units fail with `.unavailable`, and the writer thread is joined.
    func abandon() { stop(.abandoned) }

    /// Figures so far: batches, records, failed batches and time spent in `write`.
    var statistics: StoreStatistics {
        var s = StoreStatistics()
        s.batches = batchCount.load(ordering: .relaxed)
        s.records = recordCount.load(ordering: .relaxed)
        s.failedBatches = failedCount.load(ordering: .relaxed)
        s.rolledBackUnits = rolledBackCount.load(ordering: .relaxed)
        s.durableMicroseconds = durableMicros.load(ordering: .relaxed)
        s.batchSizes = (0..<batchSizes.count).map { batchSizes.load($0) }
        s.batchSizeBounds = Self.batchBounds
        s.unitsInBatches = unitCount.load(ordering: .relaxed)
        s.lastFailure = lastFailure.withLock { $0 }
        return s
    }

    /// Incremented after each rollback has finished (a snapshot taken across one is discarded).
    var rollbackGeneration: Int { rollbackGenerations.load(ordering: .acquiring) }

    /// Waits until every unit appended before this call has completed. False if they may not
    /// all be durable: the wait's own empty unit failed, or the committer was abandoned (queued
    /// units dropped) or never started. A `close` meanwhile drains the queue, so it counts as done.
    /// Never call it from the writer thread or from inside the gate.
    func barrier() -> Bool {
        let done = DispatchSemaphore(value: 0)
        let succeeded = Atomic<Bool>(false)
        let phase = queue.withLock { q -> Phase in
            guard q.phase == .running else { return q.phase }
            q.units.append(EngineChange())
            q.completions.append { result in
                if case .success = result { succeeded.store(true, ordering: .relaxed) }
                done.signal()
            }
            return q.phase
        }
        switch phase {
        case .running:
            queue.signal()
            done.wait()
            return succeeded.load(ordering: .relaxed)
        case .closing, .closed:
            return queue.withLock(waitingUntil: { $0.phase == .closed }, { !$0.wasAbandoned })
        case .notStarted, .abandoned:
            return false
        }
    }

    /// Units written (successfully or not) so far.
    var units: Int { unitCount.load(ordering: .relaxed) }

    // MARK: Internals

    private func stop(_ phase: Phase) {
        let dropped = queue.withLock { q -> (units: [EngineChange], completions: [Completion]) in
            if q.phase == .notStarted { q.phase = .closed }
            guard q.phase == .running else { return ([], []) }
            q.phase = phase
            guard phase == .abandoned else { return ([], []) }
            q.wasAbandoned = true
            q.kicked = false
            defer { (q.units, q.completions) = ([], []) }
            return (q.units, q.completions)
        }
        queue.broadcast()
        if !dropped.units.isEmpty { engine.withLock { $0 }?.rollBack(dropped.units) }
        for completion in dropped.completions {
            completion(.failure(.unavailable("the store was abandoned")))
        }
        let thread = self.thread.withLock { t -> JoinableThread? in
            defer { t = nil }
            return t
        }
        thread?.join()
        queue.withLock { $0.phase = .closed }
        queue.broadcast()  // barriers wait for it
        engine.withLock { $0 = nil }  // the engine may hold what holds this committer
    }

    /// The writer loop: wait for units, write them as one batch, complete them in order.
    private func run() {
        var units: [EngineChange] = []
        var completions: [Completion] = []
        let engine = self.engine.withLock { $0 }
        while true {
            let ready = { (q: Queue) in q.hasWork || q.phase != .running }
            // No work: closing (drained), or abandoned.
            guard queue.withLock(waitingUntil: ready, { $0.hasWork }) else { return }
            gate?.closeYielding()
            let stop = queue.withLock { q -> Bool in
                if !q.hasWork { return true }  // abandoned meanwhile
                q.kicked = false
                swap(&q.units, &units)
                swap(&q.completions, &completions)
                return false
            }
            if !stop { backend.prepare(units) }
            gate?.open()
            if stop { return }
            let started = Int(MonotonicClock.microseconds())
            var result: Result<Void, StoreError> = .success(())
            do throws(StoreError) {
                try backend.write(units)
            } catch {
                result = .failure(error)
                lastFailure.withLock { $0 = error.description }
                failedCount.add(1, ordering: .relaxed)
            }
            durableMicros.add(Int(MonotonicClock.microseconds()) - started, ordering: .relaxed)
            batchCount.add(1, ordering: .relaxed)
            unitCount.add(units.count, ordering: .relaxed)
            batchSizes.add(Self.batchBounds.firstIndex { units.count <= $0 } ?? Self.batchBounds.count)
            recordCount.add(units.reduce(0) { $0 + $1.records.count }, ordering: .relaxed)
            if case .failure(let error) = result { rollBack(&units, &completions, after: error, in: engine) }
            for completion in completions { completion(result) }
            units.removeAll(keepingCapacity: true)
            completions.removeAll(keepingCapacity: true)
            backend.didFinishBatch()
        }
    }

    /// Rolls back the failed batch `units` and every unit queued behind it (adding those to
    /// `units` and `completions`, to be failed too), with the gate closed.
    private func rollBack(
        _ units: inout [EngineChange], _ completions: inout [Completion], after error: StoreError,
        in engine: Engine?
    ) {
        gate?.close()
        let failed = units.count
        queue.withLock { q in
            units.append(contentsOf: q.units)
            completions.append(contentsOf: q.completions)
            q.units.removeAll(keepingCapacity: true)
            q.completions.removeAll(keepingCapacity: true)
        }
        engine?.rollBack(units)
        backend.rolledBack(Array(units[..<failed]), after: error)
        gate?.open()
        rolledBackCount.add(units.count, ordering: .relaxed)
        rollbackGenerations.add(1, ordering: .releasing)
    }
}
