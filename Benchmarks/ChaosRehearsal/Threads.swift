import Dispatch
import Foundation
import Synchronization

/// A flag the main thread sets to stop the load threads early.
///
/// Thread-safety: safe from any thread (an atomic).
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

/// Load threads started together and joined with a bound.
///
/// Thread-safety: `start` and `join` from one thread. Complexity: one thread per `start`.
final class ThreadGroup {
    private let group = DispatchGroup()

    /// Runs `body` on a new thread.
    func start(_ body: @escaping @Sendable () -> Void) {
        group.enter()
        Thread.detachNewThread { [group] in
            body()
            group.leave()
        }
    }

    /// Waits for every thread, at most `seconds`; false if one is still running.
    func join(seconds: Int) -> Bool {
        group.wait(timeout: .now() + .seconds(seconds)) == .success
    }
}

/// Carries a value owned by one thread at a time to the thread that will own it.
struct Handover<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
