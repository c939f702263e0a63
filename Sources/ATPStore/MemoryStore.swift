import ATPEngine
import Synchronization

/// A store that keeps nothing: for tests, benchmarks and deployments that accept losing state on
/// restart.
///
/// `append` calls its completion at once, synchronously on the caller's thread, with success —
/// not on a store thread as the `Store` protocol describes for durable stores; callers must not
/// hold a lock the completion takes. `recover` finds nothing and only calls
/// `engine.finishReplay()`. Statistics count each append as a batch of one unit.
/// Thread-safety: every method from any thread.
/// - Complexity: O(1) per append.
public final class MemoryStore: Store {
    public let kind = "memory"
    private let batches = Atomic<Int>(0)
    private let records = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)

    public init() {}

    public func recover(into engine: Engine) throws(StoreError) -> RecoveryReport {
        var report = RecoveryReport()
        report.gaps = engine.finishReplay()
        return report
    }

    public func append(
        _ unit: EngineChange, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void
    ) {
        batches.add(1, ordering: .relaxed)
        records.add(unit.records.count, ordering: .relaxed)
        completion(.success(()))
    }

    /// Always true: there is no backend to lose.
    public var isAvailable: Bool { true }

    public var statistics: StoreStatistics {
        var s = StoreStatistics()
        s.batches = batches.load(ordering: .relaxed)
        s.records = records.load(ordering: .relaxed)
        return s
    }

    public func close() { closed.store(true, ordering: .relaxed) }
}
