import ATPTestSupport
import Glibc
import Testing

@testable import ATPLoad

/// The histogram against exact percentiles of known data.
@Suite struct LatencyHistogramTests {
    /// The exact percentile: the smallest value with at least p% of the data at or below it.
    static func exact(_ sorted: [Int64], _ p: Double) -> Int64 {
        let rank = max(1, Int((p / 100 * Double(sorted.count)).rounded(.up)))
        return sorted[rank - 1]
    }

    static let percentiles = [0.0, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100]

    @Test func valuesBelow2048AreExact() {
        var h = LatencyHistogram()
        var values: [Int64] = []
        var random = SeededGenerator(seed: 7)
        for _ in 0..<50_000 {
            let v = Int64.random(in: 1...2_047, using: &random)
            values.append(v)
            h.record(v)
        }
        values.sort()
        for p in Self.percentiles {
            #expect(h.value(atPercentile: p) == Self.exact(values, p), "p\(p)")
        }
        #expect(h.totalCount == 50_000)
        #expect(h.minValue == values.first && h.maxValue == values.last)
    }

    @Test func wideRangeIsWithinThreeSignificantDigits() {
        var h = LatencyHistogram()
        var values: [Int64] = []
        var random = SeededGenerator(seed: 11)
        for _ in 0..<100_000 {
            // Log-uniform from 1 µs to about 1 h.
            let v = pow(10, Double.random(in: 0..<9.55, using: &random))
            values.append(Int64(v))
            h.record(Int64(v))
        }
        values.sort()
        for p in Self.percentiles {
            let exact = Self.exact(values, p)
            let got = h.value(atPercentile: p)
            #expect(got >= exact, "p\(p): \(got) below the exact \(exact)")
            #expect(Double(got - exact) <= Double(exact) / 1_000, "p\(p): \(got) vs exact \(exact)")
        }
        var sum = 0.0
        for v in values { sum += Double(v) }
        #expect(abs(h.mean - sum / Double(values.count)) < 1e-6 * h.mean)
    }

    @Test func knownDistribution() {
        // 1...10,000 once each: p50 is 5,000, p99 9,900, p99.9 9,990 (each within 0.1%).
        var h = LatencyHistogram()
        for v in Int64(1)...10_000 { h.record(v) }
        for (p, exact) in [(50.0, Int64(5_000)), (90, 9_000), (99, 9_900), (99.9, 9_990), (100, 10_000)] {
            let got = h.value(atPercentile: p)
            #expect(got >= exact && got - exact <= exact / 1_000, "p\(p) = \(got)")
        }
        #expect(h.value(atPercentile: 100) == 10_000)
        #expect(h.mean == 5_000.5)
    }

    @Test func mergeEqualsRecordingEverything() {
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        var all = LatencyHistogram()
        var random = SeededGenerator(seed: 3)
        for i in 0..<20_000 {
            let v = Int64.random(in: 1...5_000_000, using: &random)
            if i % 3 == 0 { a.record(v) } else { b.record(v) }
            all.record(v)
        }
        a.add(b)
        for p in Self.percentiles { #expect(a.value(atPercentile: p) == all.value(atPercentile: p)) }
        #expect(a.totalCount == all.totalCount && a.maxValue == all.maxValue && a.minValue == all.minValue)
    }

    @Test func clampsAboveOneHourAndStaysSmallForSmallValues() {
        var h = LatencyHistogram()
        h.record(100)
        #expect(h.counts.count <= 2_048)
        h.record(5_000_000_000)
        #expect(h.clampedCount == 1)
        #expect(h.maxValue == 3_600_000_000)
        #expect(h.counts.count <= h.countsLength)
        #expect(LatencyHistogram().value(atPercentile: 99) == 0)
    }
}
