import ATPUtilities
import Synchronization

/// The channel views by name, readable without a lock.
///
/// The current views are an immutable snapshot object behind an atomic pointer; a change builds a
/// new snapshot under a mutex and publishes it. Replaced snapshots are kept (not freed) for the
/// registry's lifetime so a reader holding one stays safe; they cost a few hundred bytes per
/// channel change, which happens at admin speed.
/// Thread-safety: all methods from any thread; `channel(named:)` never blocks.
final class ChannelRegistry: @unchecked Sendable {
    private final class Snapshot: Sendable {
        let byName: [String: CompiledChannel]
        init(_ byName: [String: CompiledChannel]) { self.byName = byName }
    }

    private let current: Atomic<UnsafeRawPointer>
    private let writer: Locked<[Snapshot]>
    private let generation = Atomic<Int>(0)

    init() {
        let first = Snapshot([:])
        current = Atomic(UnsafeRawPointer(Unmanaged.passUnretained(first).toOpaque()))
        writer = Locked([first])
    }

    /// The compiled channel named `name`, or nil.
    /// - Complexity: O(name length).
    @inline(__always)
    func channel(named name: String) -> CompiledChannel? {
        snapshot.byName[name]
    }

    /// Every channel, sorted by name.
    var all: [CompiledChannel] { snapshot.byName.values.sorted { $0.view.name < $1.view.name } }

    /// Replaces the channel set by applying `change` to a copy of it; nothing is published when
    /// `change` returns false.
    /// - Returns: what `change` returned.
    @discardableResult
    func update(_ change: (inout [String: CompiledChannel]) -> Bool) -> Bool {
        writer.withLock { kept in
            var byName = snapshot.byName
            guard change(&byName) else { return false }
            let next = Snapshot(byName)
            kept.append(next)
            current.store(UnsafeRawPointer(Unmanaged.passUnretained(next).toOpaque()), ordering: .releasing)
            generation.add(1, ordering: .releasing)
            return true
        }
    }

    /// Incremented after every `update`. - Complexity: O(1), lock-free.
    var version: Int { generation.load(ordering: .acquiring) }

    private var snapshot: Snapshot {
        Unmanaged<Snapshot>.fromOpaque(current.load(ordering: .acquiring)).takeUnretainedValue()
    }
}
