import CLinux
import Glibc

/// A POSIX thread that runs one closure and is then joined (or let go with `detach`) — the one
/// way atpd and atp-load start a thread.
///
/// Foundation's `Thread` cannot be joined, and a store must not return from `close` while its
/// threads still touch its files.
/// Thread-safety: call `join` or `detach` once, from any thread other than this one.
/// Complexity: one `pthread_create` to start, one `pthread_join` to wait.
public final class JoinableThread: @unchecked Sendable {  // `handle` is written once, in init
    private var handle = pthread_t()

    /// Starts a thread that runs `body`, named `name` when given (at most 15 bytes are kept),
    /// with a stack of `stackSize` bytes when given (else the system default).
    public init(name: String? = nil, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
        let created = pthread_create(
            &handle, &attributes,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                if let name = box.name { _ = atpd_set_thread_name(name) }
                box.body()
                return nil
            }, box)
        pthread_attr_destroy(&attributes)
        precondition(created == 0, "pthread_create failed: \(created)")
    }

    /// Blocks until the thread's closure has returned.
    public func join() { pthread_join(handle, nil) }

    /// Lets the thread end on its own; nobody will join it.
    public func detach() { pthread_detach(handle) }

    private final class Box: @unchecked Sendable {  // immutable after init
        let name: String?
        let body: @Sendable () -> Void
        init(name: String?, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
