import ATPTestSupport
import Testing

@testable import ATPLoad

/// The Redis+Lua baseline against a real redis-server: the same scenarios, the same verdict.
@Suite(.serialized) struct RedisBaselineTests {
    @Test func checkoutAndFlashSaleHoldTheInvariants() throws {
        let redis = try RedisServerProcess()
        var options = LoadOptions()
        options.connections = 4
        options.durationNanoseconds = 1_000_000_000
        options.warmupNanoseconds = 0
        options.skus = 50
        options.locations = 2
        let target = try makeTarget(url: redis.url, token: nil, timeoutMilliseconds: 5_000)
        var flash = ScenarioSpec.builtIn("flash-sale")!
        flash.flashStockPerSku = 20
        for spec in [ScenarioSpec.builtIn("checkout")!, flash, ScenarioSpec.builtIn("holiday-peak")!] {
            let result = try LoadRunner(options: options, spec: spec, progress: nil).run(target: target)
            #expect(result.verdict.passed, "\(spec.name): \(result.verdict.violations)")
            #expect(result.errors == 0, "\(spec.name)")
            #expect(result.holdsSucceeded > 0, "\(spec.name)")
            if spec.name == "flash-sale" {
                #expect(result.verdict.flashUnitsHeld == 100 && result.holdsRejected > 0)
            }
        }
    }
}
