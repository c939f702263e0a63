import Glibc

/// SplitMix64: a small, fast, seedable generator; every load thread has its own.
///
/// Thread-safety: a value type; one owner. Complexity: O(1) per number.
public struct RandomSource: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<bound (bound > 0), by multiply-shift (bias below 2^-32 here).
    @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: ((next() >> 32) &* UInt64(bound)) >> 32)
    }

    /// A uniform integer in `range`.
    @inline(__always)
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A uniform double in [0, 1).
    @inline(__always)
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}

/// Samples ranks 0..<n with Zipf probabilities ∝ 1/(rank+1)^exponent: rank 0 is the most popular.
///
/// Built once (O(n)) and then shared read-only by every thread: `Sendable`.
/// - Complexity: `sample` O(log n), a binary search over the cumulative distribution.
public struct ZipfSampler: Sendable {
    private let cumulative: [Double]

    public init(count: Int, exponent: Double) {
        precondition(count >= 1)
        var weights = [Double](repeating: 0, count: count)
        var total = 0.0
        for rank in 0..<count {
            total += 1 / pow(Double(rank + 1), exponent)
            weights[rank] = total
        }
        cumulative = weights.map { $0 / total }
    }

    public var count: Int { cumulative.count }

    /// One rank.
    @inline(__always)
    public func sample(_ random: inout RandomSource) -> Int {
        let u = random.unit()
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) >> 1
            if cumulative[mid] > u { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
