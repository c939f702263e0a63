/// An HDR-style latency histogram (after Gil Tene's HdrHistogram): integer values, here
/// microseconds, from 1 to `highestTrackableValue`, kept to `significantDigits` decimal digits.
///
/// Values are bucketed by powers of two; each bucket has `subBucketCount` linear sub-buckets, so
/// every value is stored within 10^-digits of itself (values below `subBucketCount` exactly).
/// With the defaults (3 digits, 1 µs to 1 h) a value of 1,234,567 µs is stored as 1,234,943 at
/// worst, and anything under 2,048 µs exactly. Values above the highest trackable are clamped to
/// it and counted in `clampedCount`.
///
/// The counts array grows on demand up to the index of the largest value recorded, so a
/// histogram of sub-millisecond latencies stays a few kilobytes; the full range at 3 digits is
/// 23,552 counters.
///
/// Thread-safety: a value type; one thread records into its own histogram, and histograms are
/// merged with `add` afterwards (no locks on the recording path).
/// - Complexity: `record` O(1) amortised; `value(atPercentile:)` and `add` O(counters).
public struct LatencyHistogram: Sendable {
    public let significantDigits: Int
    public let highestTrackableValue: Int64
    /// Linear sub-buckets per power-of-two bucket (2048 for 3 digits).
    let subBucketCount: Int64
    let subBucketHalfCountMagnitude: Int
    let subBucketHalfCount: Int
    let subBucketMask: Int64
    /// 64 − subBucketHalfCountMagnitude − 1 (the unit magnitude is 0: the unit is 1).
    let leadingZeroCountBase: Int
    /// The number of counters needed to cover `highestTrackableValue`.
    let countsLength: Int

    private(set) var counts: [UInt64] = []
    public private(set) var totalCount: UInt64 = 0
    public private(set) var minValue: Int64 = .max
    public private(set) var maxValue: Int64 = 0
    /// Sum of the recorded values (before bucketing), for the mean.
    public private(set) var sum: Double = 0
    /// How many values were above `highestTrackableValue` and recorded as it.
    public private(set) var clampedCount: UInt64 = 0

    /// A histogram for values 0...`highestTrackableValue` (default one hour in microseconds).
    /// - Precondition: `significantDigits` in 1...5, `highestTrackableValue` ≥ 2.
    public init(significantDigits: Int = 3, highestTrackableValue: Int64 = 3_600_000_000) {
        precondition((1...5).contains(significantDigits) && highestTrackableValue >= 2)
        self.significantDigits = significantDigits
        self.highestTrackableValue = highestTrackableValue
        var largestSingleUnit: Int64 = 2
        for _ in 0..<significantDigits { largestSingleUnit *= 10 }
        let magnitude = Int(Double(largestSingleUnit).log2Ceil)
        subBucketCount = Int64(1) << magnitude
        subBucketHalfCountMagnitude = magnitude - 1
        subBucketHalfCount = 1 << subBucketHalfCountMagnitude
        subBucketMask = subBucketCount - 1
        leadingZeroCountBase = 64 - subBucketHalfCountMagnitude - 1
        var smallestUntrackable = subBucketCount
        var buckets = 1
        while smallestUntrackable <= highestTrackableValue {
            if smallestUntrackable > Int64.max / 2 {
                buckets += 1
                break
            }
            smallestUntrackable <<= 1
            buckets += 1
        }
        countsLength = (buckets + 1) * subBucketHalfCount
    }

    /// Records `value` (negative values as 0) `count` times.
    @inline(__always)
    public mutating func record(_ value: Int64, count: UInt64 = 1) {
        var v = max(0, value)
        if v > highestTrackableValue {
            v = highestTrackableValue
            clampedCount &+= count
        }
        let index = countsIndex(v)
        if index >= counts.count { grow(to: index) }
        counts[index] &+= count
        totalCount &+= count
        if v < minValue { minValue = v }
        if v > maxValue { maxValue = v }
        sum += Double(v) * Double(count)
    }

    /// Adds every count of `other`, which must have the same geometry.
    public mutating func add(_ other: LatencyHistogram) {
        precondition(other.subBucketCount == subBucketCount && other.countsLength == countsLength)
        guard other.totalCount > 0 else { return }
        if other.counts.count > counts.count { grow(to: other.counts.count - 1) }
        for i in 0..<other.counts.count where other.counts[i] != 0 { counts[i] &+= other.counts[i] }
        totalCount &+= other.totalCount
        minValue = min(minValue, other.minValue)
        maxValue = max(maxValue, other.maxValue)
        sum += other.sum
        clampedCount &+= other.clampedCount
    }

    /// The mean of the recorded values, 0 when empty.
    public var mean: Double { totalCount == 0 ? 0 : sum / Double(totalCount) }

    /// The value at `percentile` (0...100): the smallest recorded value such that at least that
    /// share of the values are ≤ it, reported as the highest value equivalent to its bucket and
    /// never above the largest value recorded. 0 when empty.
    public func value(atPercentile percentile: Double) -> Int64 {
        guard totalCount > 0 else { return 0 }
        let p = percentile.isNaN ? 100 : min(max(percentile, 0), 100)  // UInt64(NaN) would trap
        let rank = max(1, UInt64((p / 100 * Double(totalCount)).rounded(.up)))
        var seen: UInt64 = 0
        for i in 0..<counts.count {
            seen &+= counts[i]
            if seen >= rank {
                return min(highestEquivalentValue(valueFromIndex(i)), maxValue)
            }
        }
        return maxValue
    }

    /// (value, count) for every non-empty counter in increasing order, for distribution charts;
    /// each value is the highest equivalent of its counter.
    public func nonEmptyBuckets() -> [(value: Int64, count: UInt64)] {
        var out: [(value: Int64, count: UInt64)] = []
        for i in 0..<counts.count where counts[i] != 0 {
            out.append((min(highestEquivalentValue(valueFromIndex(i)), maxValue), counts[i]))
        }
        return out
    }

    // MARK: Geometry

    @inline(__always)
    func countsIndex(_ value: Int64) -> Int {
        let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucket = Int(value >> Int64(bucket))
        return (bucket + 1) << subBucketHalfCountMagnitude + (subBucket - subBucketHalfCount)
    }

    func valueFromIndex(_ index: Int) -> Int64 {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        return Int64(subBucket) << Int64(bucket)
    }

    /// The width of the range of values stored in the same counter as `value`.
    func equivalentRange(_ value: Int64) -> Int64 {
        let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucket = value >> Int64(bucket)
        return Int64(1) << Int64(subBucket >= subBucketCount ? bucket + 1 : bucket)
    }

    /// The largest value stored in the same counter as `value`.
    public func highestEquivalentValue(_ value: Int64) -> Int64 {
        let width = equivalentRange(value)
        return (value / width) * width + width - 1
    }

    private mutating func grow(to index: Int) {
        let target = min(countsLength, max(index + 1, counts.count * 2, subBucketHalfCount))
        counts.append(contentsOf: repeatElement(0, count: target - counts.count))
    }
}

extension Double {
    /// ⌈log2(self)⌉ for self ≥ 1.
    fileprivate var log2Ceil: Double {
        var n = 0.0
        var p = 1.0
        while p < self {
            p *= 2
            n += 1
        }
        return n
    }
}
