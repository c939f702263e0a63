/// A latency objective from the command line: `p99<5ms`, `hold.p99.9<20ms`, `max<1s`.
///
/// Without an operation prefix it applies to all operations together. The statistic is a
/// percentile (`p50`, `p90`, `p99`, `p99.9`, any `pN`), `max` or `mean`.
/// Thread-safety: a value type.
public struct ServiceLevelObjective: Sendable, Equatable, CustomStringConvertible {
    /// nil for all operations.
    public var kind: OperationKind?
    /// The percentile (0...100), or nil for `mean`; 100 is `max`.
    public var percentile: Double?
    public var limitMicroseconds: Int64
    public let description: String

    /// Parses `text`; nil when malformed.
    public init?(parsing text: String) {
        description = text
        guard let lt = text.firstIndex(of: "<") else { return nil }
        var statistic = Substring(text[..<lt])
        guard let limit = DurationText.nanoseconds(String(text[text.index(after: lt)...])) else { return nil }
        limitMicroseconds = limit / 1_000
        kind = nil
        for candidate in OperationKind.allCases where statistic.hasPrefix(candidate.name + ".") {
            kind = candidate
            statistic = statistic.dropFirst(candidate.name.count + 1)
        }
        switch statistic {
        case "max": percentile = 100
        case "mean": percentile = nil
        default:
            guard statistic.first == "p", let p = Double(statistic.dropFirst()), (0...100).contains(p) else {
                return nil
            }
            percentile = p
        }
    }

    /// The measured value for this objective from `histogram`, in microseconds.
    public func measured(in histogram: LatencyHistogram) -> Int64 {
        guard let percentile else { return Int64(histogram.mean.rounded()) }
        return percentile >= 100 ? histogram.maxValue : histogram.value(atPercentile: percentile)
    }
}
