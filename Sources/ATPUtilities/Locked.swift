import Glibc

/// A value guarded by a pthread mutex.
///
/// The engine uses this instead of `Synchronization.Mutex` because ThreadSanitizer intercepts
/// pthread mutexes but cannot see the futex-based `Mutex` inside the uninstrumented standard
/// library, and would report every critical section as a race.
/// Thread-safety: `withLock` from any thread; not reentrant.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @inline(__always)
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
