import ATPUtilities

/// Collects the per-second figures the load threads publish (each thread once per second, so the
/// lock is taken about threads × seconds times, never per request) into the run's timeline, and
/// keeps a running histogram for the progress line's "p99 so far".
///
/// Thread-safety: `Sendable`; `publish` from any load thread, reads from the monitor thread, all
/// under one `Locked`. Complexity: `publish` O(histogram counters) under the lock.
public final class LiveAggregator: Sendable {
    private struct State {
        var seconds: [Int: SecondFigures] = [:]
        var cumulative = LatencyHistogram(significantDigits: 2)
    }

    private let state = Locked(State())

    public init() {}

    func publish(_ figures: SecondFigures) {
        state.withLock { state in
            state.seconds[figures.second, default: SecondFigures(second: figures.second)].merge(figures)
            state.cumulative.add(figures.histogram)
        }
    }

    /// The merged figures of `second` so far (zeros when nothing arrived), and the p99 of every
    /// latency published so far, in microseconds.
    public func snapshot(second: Int) -> (figures: SecondFigures, p99SoFar: Int64) {
        state.withLock { state in
            (state.seconds[second] ?? SecondFigures(second: second), state.cumulative.value(atPercentile: 99))
        }
    }

    /// Every second from 0 to `count − 1`, zeros where nothing arrived.
    public func timeline(seconds count: Int) -> [SecondFigures] {
        state.withLock { state in
            (0..<max(0, count)).map { state.seconds[$0] ?? SecondFigures(second: $0) }
        }
    }
}
