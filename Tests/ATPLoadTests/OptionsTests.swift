import Testing

@testable import ATPLoad

@Suite struct OptionsTests {
    @Test func durationsAndObjectives() {
        #expect(DurationText.nanoseconds("30s") == 30_000_000_000)
        #expect(DurationText.nanoseconds("500ms") == 500_000_000)
        #expect(DurationText.nanoseconds("2m") == 120_000_000_000)
        #expect(DurationText.nanoseconds("1.5") == 1_500_000_000)
        #expect(DurationText.nanoseconds("-1s") == nil && DurationText.nanoseconds("fast") == nil)
        let slo = ServiceLevelObjective(parsing: "hold.p99.9<20ms")
        #expect(slo?.kind == .hold && slo?.percentile == 99.9 && slo?.limitMicroseconds == 20_000)
        #expect(ServiceLevelObjective(parsing: "p99<5ms")?.kind == nil)
        #expect(ServiceLevelObjective(parsing: "p101<5ms") == nil)
        #expect(
            DurationText.fixed(2.005, digits: 2) == "2.01" || DurationText.fixed(2.005, digits: 2) == "2.00")
        #expect(DurationText.fixed(-0.5, digits: 1) == "-0.5")
    }

    @Test func commandLine() throws {
        guard
            case .run(let o) = try OptionsParser.parse([
                "--target", "http://127.0.0.1:9000", "--rate=5000", "--slo", "p99<5ms", "--slo", "max<1s",
                "--connections", "32", "--threads", "4", "--duration", "10s", "--warmup", "0s",
            ])
        else {
            Issue.record("expected run")
            return
        }
        #expect(o.rate == 5_000 && o.slos.count == 2 && o.threadCount == 4 && o.warmupNanoseconds == 0)
        guard case .help = try OptionsParser.parse(["--help"]) else {
            Issue.record("expected help")
            return
        }
        #expect(throws: LoadError.self) { try OptionsParser.parse(["--bogus"]) }
    }

    /// Durations are bounded (7 days), so warm-up + duration + timeout cannot overflow Int64:
    /// `--warmup 5000000000s --duration 5000000000s` trapped right after seeding.
    @Test func hugeDurationsAreRefused() {
        for option in ["--duration", "--warmup", "--timeout"] {
            #expect(throws: LoadError.self) {
                _ = try OptionsParser.parse(["--target", "http://127.0.0.1:9000", option, "5000000000s"])
            }
        }
        let week = try? OptionsParser.parse([
            "--target", "http://127.0.0.1:9000", "--duration", "168h", "--warmup", "1h",
        ])
        #expect(week != nil, "7 days is allowed")
    }

    @Test func scenarioFile() throws {
        let spec = try ScenarioSpec(
            json: Array(
                """
                {"name":"peak","mix":{"browse":60,"checkout":40},"batch":[2,5],"checkout":{"releaseShare":0.5},
                 "flashSale":{"skus":2,"stockPerSku":10},"skus":50}
                """.utf8))
        #expect(spec.name == "peak" && spec.mix.count == 2 && spec.batchMin == 2 && spec.batchMax == 5)
        #expect(spec.releaseShare == 0.5 && spec.flashSkus == 2 && spec.skus == 50)
        #expect(throws: LoadError.self) { try ScenarioSpec(json: Array(#"{"mix":{"shop":1}}"#.utf8)) }
        #expect(ScenarioSpec.builtIn("holiday-peak")?.mix.count == 4)
    }
}
