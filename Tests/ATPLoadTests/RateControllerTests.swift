import Testing

@testable import ATPLoad

/// The open-loop rate controller against a local atpd.
@Suite(.serialized) struct RateControllerTests {
    @Test func keepsTheRateWithinTwoPercentOverFiveSeconds() throws {
        let local = try LocalService()
        defer { local.stop() }
        var options = LoadOptions()
        options.target = local.url
        options.rate = 2_000
        options.connections = 4
        options.durationNanoseconds = 5_000_000_000
        options.warmupNanoseconds = 0
        options.skus = 200
        options.locations = 2
        options.seed = 42
        let runner = LoadRunner(options: options, spec: ScenarioSpec.builtIn("checkout")!, progress: nil)
        let result = try runner.run(
            target: makeTarget(url: local.url, token: nil, timeoutMilliseconds: 5_000))
        let achieved = result.throughput
        #expect(abs(achieved - 2_000) <= 40, "achieved \(achieved) req/s for a target of 2000")
        // Every second of the timeline is on target too (within 5%: one second is a small sample).
        for second in result.timeline {
            #expect(
                abs(Double(second.requests) - 2_000) <= 100, "second \(second.second): \(second.requests)")
        }
        #expect(result.errors == 0)
        #expect(result.verdict.passed, "\(result.verdict.violations)")
        #expect(result.holdsSucceeded > 0)
    }
}
