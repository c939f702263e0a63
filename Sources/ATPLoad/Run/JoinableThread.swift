import Glibc

/// A POSIX thread running one closure, joined with `join()`.
///
/// Thread-safety: `start`/`join` from the creating thread only. Complexity: one thread each.
final class JoinableThread: @unchecked Sendable {  // `thread` is written once, before join
    private var thread = pthread_t()

    /// Starts `body` on a new thread with a 1 MiB stack.
    init(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 1 << 20)
        let created = pthread_create(
            &thread, &attributes,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                box.body()
                return nil
            }, box)
        pthread_attr_destroy(&attributes)
        precondition(created == 0, "pthread_create failed: \(created)")
    }

    /// Waits for the closure to return.
    func join() {
        pthread_join(thread, nil)
    }

    private final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
