/// The measurements of one run against one target: what the reports and the verdict print.
///
/// Thread-safety: a value type.
public struct RunResult: Sendable {
    /// One operation kind's figures.
    public struct KindResult: Sendable {
        public var kind: OperationKind
        public var histogram: LatencyHistogram
        /// (status, count) in increasing status order; status 0 is a transport failure.
        public var statuses: [(status: Int, count: UInt64)]
        public var count: UInt64 { histogram.totalCount }
        public var errors: UInt64 {
            statuses.reduce(0) { $0 + (isErrorStatus($1.status, kind: kind) ? $1.count : 0) }
        }
    }

    /// An objective and how the run fared.
    public struct SLOResult: Sendable {
        public var objective: ServiceLevelObjective
        public var measuredMicroseconds: Int64
        public var passed: Bool { measuredMicroseconds <= objective.limitMicroseconds }
    }

    public var target: String
    public var scenario: String
    public var connections: Int
    public var threads: Int
    public var rate: Int?
    public var skus: Int
    public var locations: Int
    public var durationSeconds: Double
    public var warmupSeconds: Double
    public var kinds: [KindResult]
    /// All kinds together.
    public var overall: LatencyHistogram
    public var timeline: [SecondFigures]
    public var holdsSucceeded: Int
    public var holdsRejected: Int
    public var holdsAmbiguous: Int
    public var verdict: InvariantChecker.Verdict
    public var slos: [SLOResult]
    /// CPU used in the measured window by the load client itself (first) and each `--cpu-pid`.
    public var cpu: [CPUFigure] = []

    public var requests: UInt64 { overall.totalCount }
    public var errors: UInt64 { kinds.reduce(0) { $0 + $1.errors } }
    public var throughput: Double { Double(requests) / durationSeconds }
    /// Hold requests answered (held or sold out) per second, in the measured window.
    public var holdsPerSecond: Double {
        let holds = kinds.first { $0.kind == .hold }
        let answered =
            holds?.statuses.reduce(0) { $0 + ($1.status == 201 || $1.status == 409 ? $1.count : 0) } ?? 0
        return Double(answered) / durationSeconds
    }
    /// Successful holds per second, in the measured window.
    public var successfulHoldsPerSecond: Double {
        Double(kinds.first { $0.kind == .hold }?.statuses.first { $0.status == 201 }?.count ?? 0)
            / durationSeconds
    }
    public var passed: Bool { verdict.passed && slos.allSatisfy(\.passed) }

    /// The histogram of `kind`, or the overall one when nil.
    public func histogram(_ kind: OperationKind?) -> LatencyHistogram {
        guard let kind else { return overall }
        return kinds.first { $0.kind == kind }?.histogram ?? LatencyHistogram()
    }
}
