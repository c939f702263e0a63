/// One load thread's measurements: a 3-digit latency histogram and status counts per operation
/// kind, plus the current second's figures for the timeline and the progress line.
///
/// Thread-safety: a value type owned by its thread; merged by the runner after the threads end
/// (no locks per request). Complexity: `record` O(1) amortised.
struct ThreadStats {
    /// Index 0 counts transport failures; statuses ≥ 600 are counted at 599.
    static let statusSlots = 600

    var histograms = [LatencyHistogram](repeating: LatencyHistogram(), count: OperationKind.allCases.count)
    var statuses = [[UInt64]](
        repeating: [UInt64](repeating: 0, count: statusSlots), count: OperationKind.allCases.count)
    var second = SecondFigures(second: 0)

    /// Records one measured request that was due in timeline second `secondIndex`.
    @inline(__always)
    mutating func record(
        kind: OperationKind, status: Int, latencyMicroseconds: Int64, secondIndex: Int,
        aggregator: LiveAggregator
    ) {
        histograms[kind.rawValue].record(latencyMicroseconds)
        statuses[kind.rawValue][min(max(status, 0), Self.statusSlots - 1)] &+= 1
        if secondIndex != second.second {
            if second.requests > 0 { aggregator.publish(second) }
            second.reset(to: secondIndex)
        }
        second.add(kind: kind, status: status, latencyMicroseconds: latencyMicroseconds)
    }

    /// Publishes the last partial second.
    mutating func flush(to aggregator: LiveAggregator) {
        if second.requests > 0 { aggregator.publish(second) }
        second.reset(to: second.second)
    }
}

/// True when `status` counts as an error for `kind`: a transport failure, any 5xx, or any 4xx but
/// a hold's 409 (sold out is an answer, not a failure).
@inline(__always)
public func isErrorStatus(_ status: Int, kind: OperationKind) -> Bool {
    if status == 0 || status >= 500 { return true }
    if status >= 400 { return !(kind == .hold && status == 409) }
    return false
}

/// The figures of one second of the run (one thread's share, or all threads' once merged).
/// Thread-safety: a value type.
public struct SecondFigures: Sendable {
    public var second: Int
    public var requests: UInt64 = 0
    public var errors: UInt64 = 0
    public var holdsSucceeded: UInt64 = 0
    /// Holds answered either way (held or sold out).
    public var holdDecisions: UInt64 = 0
    /// Latencies at 2 significant digits (enough for a per-second p99).
    public var histogram = LatencyHistogram(significantDigits: 2)

    public init(second: Int) { self.second = second }

    mutating func reset(to second: Int) { self = SecondFigures(second: second) }

    @inline(__always)
    mutating func add(kind: OperationKind, status: Int, latencyMicroseconds: Int64) {
        requests &+= 1
        if isErrorStatus(status, kind: kind) { errors &+= 1 }
        if kind == .hold {
            if status == 201 { holdsSucceeded &+= 1 }
            if status == 201 || status == 409 { holdDecisions &+= 1 }
        }
        histogram.record(latencyMicroseconds)
    }

    mutating func merge(_ other: SecondFigures) {
        requests &+= other.requests
        errors &+= other.errors
        holdsSucceeded &+= other.holdsSucceeded
        holdDecisions &+= other.holdDecisions
        histogram.add(other.histogram)
    }
}
