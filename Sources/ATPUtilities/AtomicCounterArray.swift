import Synchronization

/// A fixed number of `Int` counters, each its own atomic (an array of `Atomic` cannot be an
/// ordinary Swift array, as `Atomic` is not copyable).
///
/// Thread-safety: every method from any thread; relaxed ordering (counters, not synchronization).
public final class AtomicCounterArray: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Atomic<Int>>
    public let count: Int

    public init(count: Int) {
        self.count = count
        storage = .allocate(capacity: count)
        for i in 0..<count { (storage + i).initialize(to: Atomic(0)) }
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    /// Adds `amount` to counter `index`. - Complexity: O(1).
    @inline(__always)
    public func add(_ index: Int, _ amount: Int = 1) {
        precondition(index >= 0 && index < count)
        storage[index].add(amount, ordering: .relaxed)
    }

    /// The current value of counter `index`.
    @inline(__always)
    public func load(_ index: Int) -> Int {
        precondition(index >= 0 && index < count)
        return storage[index].load(ordering: .relaxed)
    }
}
