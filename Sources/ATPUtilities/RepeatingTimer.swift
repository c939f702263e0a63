import Dispatch

/// A repeating timer on its own serial queue, started at most once, that may be released whether
/// or not it was ever started.
///
/// Dispatch traps when a timer source that was never resumed is released; `cancel` (and `deinit`)
/// therefore resume it once when `start` never did, so a service stopped before it became ready,
/// or a store closed before it reached its server, can be freed.
/// Thread-safety: `start` and `cancel` from any thread, any number of times.
public final class RepeatingTimer: @unchecked Sendable {  // the source is set up in init only
    private let source: DispatchSourceTimer
    private let resumed = Locked(false)

    /// A timer that will call `handler` every `intervalMilliseconds`, the first time that long
    /// after this init, once started.
    public init(label: String, intervalMilliseconds: Int, _ handler: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: label))
        let interval = DispatchTimeInterval.milliseconds(intervalMilliseconds)
        source.schedule(deadline: .now() + interval, repeating: interval)
        source.setEventHandler(handler: handler)
    }

    deinit { cancel() }

    /// Starts firing; later calls do nothing.
    public func start() { resumeOnce() }

    /// Stops firing for good (a handler already running finishes).
    public func cancel() {
        source.cancel()
        resumeOnce()
    }

    private func resumeOnce() {
        resumed.withLock { resumed in
            if !resumed { source.resume() }
            resumed = true
        }
    }
}
