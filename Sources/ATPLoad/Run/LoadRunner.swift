import ATPHTTP
import ATPPosix
import ATPUtilities

/// Runs one load test against one target: seeds a fresh catalogue, connects every load
/// connection, drives the event-driven threads (`EventDriver`, connections dealt round-robin)
/// through warm-up and the measured window while printing a progress line once a second and
/// sampling the CPU the client (and `--cpu-pid` processes) used in the window, then merges the
/// threads' histograms and ledgers, reads the stock back and gives the verdict.
///
/// Thread-safety: `run` is called from one thread; it starts and joins the load threads itself.
/// Complexity: O(requests) for the load, O(cells) for seeding and the verdict.
public struct LoadRunner: Sendable {
    public let options: LoadOptions
    public let spec: ScenarioSpec
    /// Where progress lines go (stderr in the command); nil for silence.
    public let progress: (@Sendable (String) -> Void)?

    public init(options: LoadOptions, spec: ScenarioSpec, progress: (@Sendable (String) -> Void)?) {
        self.options = options
        self.spec = spec
        self.progress = options.quiet ? nil : progress
    }

    /// Runs the load against `target`; the verdict reads the stock through `stockReader` (the
    /// target itself unless given: tests pass a double).
    public func run(target: any LoadTarget, stockReader: (any StockReader)? = nil) throws(LoadError)
        -> RunResult
    {
        var random = RandomSource(
            seed: options.seed ?? UInt64(truncatingIfNeeded: MonotonicClock.now()) ^ 0x5_DEEC_E66D)
        let catalogue = Catalogue(
            tag: Catalogue.uniqueTag(), regularSkus: options.skus ?? spec.skus ?? 10_000,
            flashSkus: spec.uses(.flashSale) ? spec.flashSkus : 0,
            locations: options.locations ?? spec.locations ?? 4,
            seedOnHand: spec.seedOnHand, flashStock: spec.flashStockPerSku)
        progress?(
            "atp-load: \(target.description): seeding \(catalogue.cellCount) cells (run tag \(catalogue.tag))"
        )
        try target.prepare(catalogue)
        let zipf = ZipfSampler(count: catalogue.regularSkus, exponent: spec.zipfExponent)
        let runSeconds = Int((options.warmupNanoseconds + options.durationNanoseconds) / 1_000_000_000)
        let longTTL = min(604_800, max(spec.holdTTLSeconds, runSeconds + 300))

        let threadCount = options.threadCount
        let codecs = try target.makeCodecs(catalogue, count: options.connections)
        // Connect every socket before the load starts (as wrk does), so an unreachable target
        // fails here and connection set-up stays out of the measured window.
        var sockets: [Int32] = []
        defer { for fd in sockets where fd >= 0 { Syscall.close(fd) } }
        for _ in 0..<options.connections {
            do {
                sockets.append(
                    try TCPSocket.connect(
                        to: target.address, timeoutMilliseconds: Int32(clamping: options.timeoutMilliseconds))
                )
            } catch {
                throw .target(
                    "\(target.description): connecting load connection \(sockets.count + 1): \(error)")
            }
        }

        let start = MonotonicClock.now() + 100_000_000
        let measureStart = start + options.warmupNanoseconds
        let end = measureStart + options.durationNanoseconds
        // Open loop: each connection has its own schedule at rate / connections, and the
        // connections' first slots are spread evenly over one interval.
        let interval = options.rate.map { 1e9 * Double(options.connections) / Double($0) }
        var groups = [[DriverConnection]](repeating: [], count: threadCount)
        for c in 0..<options.connections {
            let connection = DriverConnection(
                index: groups[c % threadCount].count,
                session: Session(
                    spec: spec, catalogue: catalogue, zipf: zipf, idPrefix: "\(catalogue.tag)-c\(c)-",
                    longTTL: longTTL),
                codec: codecs[c], fd: sockets[c])
            sockets[c] = -1  // the driver owns it now
            connection.firstDue = start + Int64((interval ?? 0) * Double(c) / Double(options.connections))
            groups[c % threadCount].append(connection)
        }
        let aggregator = LiveAggregator()
        var drivers: [EventDriver] = []
        for t in 0..<threadCount {
            let plan = DriverPlan(
                index: t, start: start, measureStart: measureStart, end: end, intervalNanoseconds: interval,
                timeoutNanoseconds: Int64(options.timeoutMilliseconds) * 1_000_000, seed: random.next())
            drivers.append(
                try EventDriver(
                    plan: plan, address: target.address, connections: groups[t],
                    aggregator: aggregator))
        }
        groups = []
        let results = Locked([WorkerResult?](repeating: nil, count: threadCount))
        var threads: [JoinableThread] = []
        for (t, driver) in drivers.enumerated() {
            let owned = Unchecked(driver)
            threads.append(
                JoinableThread(stackSize: 1 << 20) {
                    let result = owned.value.run()
                    results.withLock { $0[t] = result }
                })
        }
        drivers = []
        let cpuFigures = monitor(measureStart: measureStart, end: end, aggregator: aggregator)
        for thread in threads { thread.join() }

        var histograms = [LatencyHistogram](
            repeating: LatencyHistogram(), count: OperationKind.allCases.count)
        var statuses = [[UInt64]](
            repeating: [UInt64](repeating: 0, count: ThreadStats.statusSlots),
            count: OperationKind.allCases.count)
        var ledger = Ledger()
        for result in results.withLock({ $0 }) {
            guard let result else { continue }
            for k in 0..<histograms.count {
                histograms[k].add(result.stats[k])
                for s in 0..<ThreadStats.statusSlots { statuses[k][s] &+= result.statuses[k][s] }
            }
            ledger.merge(result.ledger)
        }
        progress?("atp-load: \(target.description): reading the stock back for the verdict")
        let verdict = InvariantChecker.check(
            readings: try (stockReader ?? target).readCells(catalogue), ledger: ledger,
            catalogue: catalogue)
        return assemble(
            target: target.description, catalogue: catalogue, threads: threadCount,
            histograms: histograms, statuses: statuses, ledger: ledger, verdict: verdict,
            timeline: aggregator.timeline(seconds: Int(options.durationNanoseconds / 1_000_000_000)),
            cpu: cpuFigures)
    }

    /// Prints one line per measured second, a quarter second after it ends. Returns the CPU
    /// each watched process (and this one) used from `measureStart` to `end`.
    private func monitor(measureStart: Int64, end: Int64, aggregator: LiveAggregator) -> [CPUFigure] {
        if let progress, options.warmupNanoseconds > 0 {
            progress(
                "atp-load: warming up for \(DurationText.fixed(Double(options.warmupNanoseconds) / 1e9, digits: 1))s"
            )
        }
        var cpu = CPUWindow(watching: options.cpuPIDs)
        MonotonicClock.sleep(until: measureStart)
        cpu.begin()
        var figures: [CPUFigure]?
        var second = 0
        while let progress {
            let wake = measureStart + Int64(second + 1) * 1_000_000_000 + 250_000_000
            if wake > end + 250_000_000 { break }
            if wake > end && figures == nil {
                MonotonicClock.sleep(until: end)
                figures = cpu.end()
            }
            MonotonicClock.sleep(until: wake)
            let (current, p99SoFar) = aggregator.snapshot(second: second)
            var line = "atp-load: [\(second + 1)s] \(current.requests) req/s"
            if current.holdDecisions > 0 {
                line += ", holds \(current.holdsSucceeded) ok / \(current.holdDecisions) answered"
            }
            line +=
                ", errors \(current.errors), p99 \(DurationText.describe(microseconds: current.histogram.value(atPercentile: 99)))"
            line += " (so far \(DurationText.describe(microseconds: p99SoFar)))"
            progress(line)
            second += 1
        }
        if let figures { return figures }
        MonotonicClock.sleep(until: end)
        return cpu.end()
    }

    private func assemble(
        target: String, catalogue: Catalogue, threads: Int, histograms: [LatencyHistogram],
        statuses: [[UInt64]],
        ledger: Ledger, verdict: InvariantChecker.Verdict, timeline: [SecondFigures], cpu: [CPUFigure]
    ) -> RunResult {
        var overall = LatencyHistogram()
        var kinds: [RunResult.KindResult] = []
        for kind in OperationKind.allCases where histograms[kind.rawValue].totalCount > 0 {
            overall.add(histograms[kind.rawValue])
            let counts = statuses[kind.rawValue].enumerated().filter { $0.element > 0 }.map {
                (status: $0.offset, count: $0.element)
            }
            kinds.append(.init(kind: kind, histogram: histograms[kind.rawValue], statuses: counts))
        }
        var result = RunResult(
            target: target, scenario: spec.name, connections: options.connections, threads: threads,
            rate: options.rate, skus: catalogue.regularSkus, locations: catalogue.locations,
            durationSeconds: Double(options.durationNanoseconds) / 1e9,
            warmupSeconds: Double(options.warmupNanoseconds) / 1e9, kinds: kinds, overall: overall,
            timeline: timeline, holdsSucceeded: ledger.holdsSucceeded, holdsRejected: ledger.holdsRejected,
            holdsAmbiguous: ledger.holdsAmbiguous, verdict: verdict, slos: [], cpu: cpu)
        result.slos = options.slos.map { slo in
            .init(objective: slo, measuredMicroseconds: slo.measured(in: result.histogram(slo.kind)))
        }
        return result
    }
}

/// Carries non-`Sendable` values (a driver and its connections) to the thread that will own them
/// from then on.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
