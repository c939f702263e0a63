import Glibc

/// Runs `body` on a new pthread, which the caller joins with `pthread_join` (tests that need a
/// plain thread, blocking in syscalls, without Dispatch's pool).
///
/// Thread-safety: `body` runs on the new thread; what it shares must be safe to share.
public func startThread(_ body: @escaping () -> Void) -> pthread_t {
    final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    var thread = pthread_t()
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    pthread_create(
        &thread, nil,
        {
            Unmanaged<Box>.fromOpaque($0!).takeRetainedValue().body()
            return nil
        }, box)
    return thread
}
