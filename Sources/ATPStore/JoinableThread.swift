import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pthread that runs one closure and can be waited for with `join`.
///
/// Foundation's `Thread` cannot be joined, and a store must not return from `close` while its
/// threads still touch its files.
/// Thread-safety: `join` once, from any thread other than this one.
final class JoinableThread: @unchecked Sendable {
    private var handle = pthread_t()

    /// Starts a thread named `name` (at most 15 bytes are kept) that runs `body`.
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(name: name, body: body))
        let result = pthread_create(
            &handle, nil,
            { raw in
                let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
                Thread.current.name = String(box.name.utf8.prefix(15))
                box.body()
                return nil
            }, box.toOpaque())
        precondition(result == 0, "pthread_create failed with \(result)")
    }

    /// Blocks until the thread's closure has returned.
    func join() { pthread_join(handle, nil) }

    private final class Box {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
