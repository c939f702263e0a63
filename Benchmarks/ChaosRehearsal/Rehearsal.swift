import ATPHTTP
import ATPLoad
import ATPPosix
import ATPRedis
import ATPStore
import ATPUtilities
import Glibc

/// `ChaosRehearsal drive`: the client side of the chaos rehearsal, from seeding to the verdict.
///
/// 1. Seeds the catalogue, sets safety stock and defines the channel through the API.
/// 2. Runs the load threads (HTTP workers, the stream feeder, the stock sampler) for the
///    duration, after creating `startedFile` so the script starts its fault schedule.
/// 3. Waits for the script's `end` line (every fault undone), then for `/readyz`.
/// 4. Re-sends what is uncertain, re-adds unanswered stream entries, waits for the stream to
///    drain, and sends every stream event id once over HTTP to learn its fate.
/// 5. Reads the stock, sends every applied HTTP event id again, reads every held hold.
/// 6. Replays dead letters and waits for the channel to converge.
/// Every wait is bounded; the script bounds the whole.
/// Thread-safety: runs on the main thread; starts and joins its load threads.
struct Rehearsal {
    let options: Options
    let catalogue = Catalogue()
    let tag: String
    let link: AtpdLink
    /// When the rehearsal started (monotonic ns), for the progress lines.
    let started = MonotonicClock.now()

    init(options: Options) throws {
        try options.require([
            ("--target", options.target), ("--redis", options.redis), ("--stream", options.stream),
            ("--webhook", options.webhook), ("--secret", options.secret), ("--fault-log", options.faultLog),
            ("--started-file", options.startedFile), ("--receiver-log", options.receiverLog),
        ])
        guard let endpoint = HTTPEndpoint(url: options.target) else {
            throw RehearsalError("--target: not http://IPv4:port")
        }
        self.options = options
        let token = getenv("ATP_CHAOS_TOKEN").map { String(cString: $0) }
        link = AtpdLink(endpoint: endpoint, token: token)
        tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    }

    private func note(_ text: String) {
        let seconds = Int((MonotonicClock.now() - started) / 1_000_000_000)
        StandardError.write("ChaosRehearsal: [\(seconds)s] \(text)\n")
    }

    /// Runs the rehearsal; true when every check passed.
    func run() throws -> Bool {
        let redisURL = try RedisURL(options.redis)
        try Setup.waitReady(link, seconds: 30)
        try Setup.prepare(
            link, catalogue: catalogue, tag: tag, webhook: options.webhook, secret: options.secret)
        note(
            "seeded \(catalogue.cells.count) cells, channel \(Catalogue.channel) → \(options.webhook) (tag \(tag))"
        )
        var (ledger, sampler, stuck) = load(redisURL)

        note("load over; waiting for the fault schedule to end")
        var findings = Findings(
            catalogue: catalogue,
            faults: FaultLog.waitForEnd(path: options.faultLog, seconds: options.faultTimeoutSeconds))
        findings.stuckThreads = stuck
        findings.samples = sampler.samples
        findings.sampleViolations = sampler.violations
        try Setup.waitReady(link, seconds: 30)

        note("re-sending what was not acknowledged")
        let settler = Settler(link: link)
        settler.settleHolds(&ledger.holds)
        settler.settleEvents(&ledger.events)
        let group = StreamGroup(url: redisURL, stream: options.stream)
        findings.streamReAdded = reAdd(&ledger.stream, group)
        let drainStart = MonotonicClock.now()
        let drainDeadline = drainStart + Int64(options.drainTimeoutSeconds) * 1_000_000_000
        while !group.isDrained() && MonotonicClock.now() < drainDeadline {
            MonotonicClock.sleep(nanoseconds: 250_000_000)
        }
        findings.drained = group.isDrained()
        findings.drainSeconds = Double(MonotonicClock.now() - drainStart) / 1e9
        findings.ledger = ledger
        note("stream drained: \(findings.drained); reading everything back")
        readBack(&findings)

        note("waiting for the channel to converge")
        findings.convergeLimit = options.convergeTimeoutSeconds
        findings.convergence = Convergence(link: link, skus: catalogue.skus, receiverLog: options.receiverLog)
            .wait(seconds: options.convergeTimeoutSeconds)
        if !options.ledgerOut.isEmpty { try LedgerDump.write(findings, to: options.ledgerOut) }
        return report(findings)
    }

    /// The load phase; the merged ledger, the sampler, and whether a thread failed to stop.
    private func load(_ redisURL: RedisURL) -> (Ledger, StockSampler, Bool) {
        var random = RandomSource(seed: options.seed ?? UInt64.random(in: 0...UInt64.max))
        let deadline = MonotonicClock.now() + Int64(options.durationSeconds) * 1_000_000_000
        let stop = StopFlag()
        let threads = ThreadGroup()
        let workers = (0..<options.workers).map { i in
            HTTPWorker(
                index: i, catalogue: catalogue, link: AtpdLink(endpoint: link.endpoint, token: link.token),
                tag: tag, seed: random.next())
        }
        let feeder = StreamFeeder(
            group: StreamGroup(url: redisURL, stream: options.stream), catalogue: catalogue, tag: tag,
            seed: random.next())
        let sampler = StockSampler(
            link: AtpdLink(endpoint: link.endpoint, token: link.token), skus: catalogue.skus)
        for worker in workers {
            let owned = Handover(worker)
            threads.start { owned.value.run(until: deadline, stop: stop) }
        }
        let ownedFeeder = Handover(feeder)
        threads.start { ownedFeeder.value.run(until: deadline, stop: stop) }
        let ownedSampler = Handover(sampler)
        threads.start { ownedSampler.value.run(until: deadline, stop: stop) }
        close(open(options.startedFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644))
        note(
            "load running for \(options.durationSeconds) s: \(options.workers) HTTP workers, stream feeder, sampler"
        )
        let joined = threads.join(seconds: options.durationSeconds + 20)
        if !joined {
            stop.set()
            _ = threads.join(seconds: 10)
        }
        var ledger = Ledger()
        for worker in workers { ledger.merge(worker.ledger) }
        ledger.merge(feeder.ledger)
        return (ledger, sampler, !joined)
    }

    /// `XADD`s again every entry whose first `XADD` went unanswered; how many.
    private func reAdd(_ records: inout [StreamRecord], _ group: StreamGroup) -> Int {
        var count = 0
        for i in records.indices {
            guard case .unanswered = records[i].added, let redis = group.live(),
                let reply = try? redis.send(.xadd(group.stream, fields: records[i].event.streamFields)),
                let entry = reply.string
            else { continue }
            records[i].added = .acknowledged(entry)
            count += 1
        }
        return count
    }

    /// Step 5, and the stream events' fates (step 4's probes).
    private func readBack(_ findings: inout Findings) {
        let prober = Prober(link: link)
        var probed = findings.ledger.stream.compactMap { record -> EventRecord? in
            guard case .acknowledged = record.added, record.event.intent != .duplicate else { return nil }
            return record.event
        }
        let streamAnswers = prober.eventAnswers(probed)
        for i in probed.indices {
            Settler.judge(&probed[i], answer: streamAnswers[i])
            probed[i].resentAnswer = streamAnswers[i]
            // A fresh entry applied only now was never applied by the stream consumer.
            if probed[i].intent == .new && streamAnswers[i] == "applied" { probed[i].asDesigned = false }
        }
        findings.streamProbes = Array(zip(probed, streamAnswers))
        findings.stock = StockReader.read(link, skus: catalogue.skus)
        let applied = findings.ledger.events.filter { $0.intent == .new && $0.fate == .applied }
        findings.eventProbes = Array(zip(applied, prober.eventAnswers(applied)))
        let held = findings.ledger.holds.filter(\.isHeld)
        findings.holdStatuses = Array(zip(held, prober.reservationStatuses(held.map { $0.id! })))
    }

    /// Prints the two tables; true when every check passed.
    private func report(_ findings: Findings) -> Bool {
        let checks = Checks.all(findings)
        var table = Table("check", "expected", "observed", "result")
        for c in checks { table.add(c.name, c.expected, c.observed, c.passed ? "PASS" : "FAIL") }
        var summary = Table("what happened", "count")
        for (what, count) in Summary.rows(findings) { summary.add(what, count) }
        let failed = checks.filter { !$0.passed }.count
        print("\n## Checks\n\n" + table.rendered)
        print("\n## What happened\n\n" + summary.rendered)
        print(
            failed == 0
                ? "\nverdict: PASS (\(checks.count) checks)"
                : "\nverdict: FAIL (\(failed) of \(checks.count) checks failed)")
        return failed == 0
    }
}
