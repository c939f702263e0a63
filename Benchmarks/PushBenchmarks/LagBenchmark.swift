import ATPEngine
import ATPHTTP
import ATPService
import Foundation
import Glibc

/// Part 1: propagation lag and throughput of one channel, in one process.
///
/// An atpd `Service` (memory store, loopback port 0) and a `BenchReceiver` (HTTPServer answering
/// 204) run here; one channel `bench` (all locations, no buffer) is defined through
/// `PUT /v1/channels/bench` with a generous limit. Stock changes go straight into the engine
/// (`Engine.apply` of `set` events at DC1), as the API's handler would apply them.
///
/// Every change of sku `s` sets it to `base + seq`, with `seq` counting that sku's changes, and the
/// driver notes the monotonic time right after `apply` returned for each (sku, seq). The receiver
/// notes the monotonic time each request arrives. So each update received identifies the change
/// it carries, and two lags are measured per update:
/// - `lag` (the figure reported): arrival − the oldest change of the sku the receiver did not
///   have yet. This is what `atpd_push_lag_seconds` measures ("from a change to its 2xx", the
///   change being the first unsent one), but end to end: it includes the dispatcher's polling
///   delay and stops when the receiver has the update rather than when the dispatcher has seen
///   the 2xx.
/// - `age`: arrival − when the delivered value was made (how stale the value is on arrival).
/// Only-latest check: per sku the received values must be strictly increasing (never an older
/// value after a newer one), and after each phase the receiver's last value of every sku must
/// equal the engine's channel availability (`Engine.available(sku:channel:)`).
final class LagBenchmark {
    struct Options {
        var skus = 1_000
        var rate = 5_000.0
        var seconds = 3.0
        var samples = 3
        var warmup = 1.0
        var burstSkus = 50_000
        var burstChanges = 200_000
        var idleSeconds = 5.0
        var idleChannels = 50
        var ratePerSecond = 1_000.0
        var burst = 16
        var maxBatch = 100
        var serverThreads = 2
        var receiverThreads = 2
        var settleSeconds = 30.0
    }

    struct Sample {
        var changes = 0
        var updates = 0
        var requests = 0
        var duplicates = 0
        var outOfOrder = 0
        /// From the first change of the phase to the last arrival, microseconds.
        var windowMicros: Int64 = 0
        /// Requests in the busiest 1 s (sliding) window.
        var busiestSecond = 0
        var lag: [Int64] = []
        var age: [Int64] = []
        var metrics = PushMetrics()
        var converged = false
        var engineMismatches = 0
        var skusChecked = 0
        var generateMicros: Int64 = 0
        /// CPU time of the push threads (dispatcher and senders) during the phase, nanoseconds.
        var pushCPUNanoseconds: Int64 = 0

        var updatesPerSecond: Double {
            windowMicros > 0 ? Double(updates) * 1e6 / Double(windowMicros) : .nan
        }
        var requestsPerSecond: Double {
            windowMicros > 0 ? Double(requests) * 1e6 / Double(windowMicros) : .nan
        }
        var updatesPerRequest: Double { requests > 0 ? Double(updates) / Double(requests) : .nan }
        /// Push threads' CPU per update delivered, microseconds.
        var cpuPerUpdate: Double { updates > 0 ? Double(pushCPUNanoseconds) / 1000 / Double(updates) : .nan }
        /// Push threads' CPU over the phase window, in cores.
        var pushCores: Double {
            windowMicros > 0 ? Double(pushCPUNanoseconds) / 1000 / Double(windowMicros) : .nan
        }
    }

    static let base: Int64 = 1_000_000
    static let channel = "bench"

    let options: Options
    let service: Service
    let engine: Engine
    let receiver: BenchReceiver
    let client: ServiceClient
    let totalSkus: Int
    let names: [String]
    /// times[s][seq]: monotonic µs when change `seq` of sku `s` had been applied (seq 0: seed).
    var times: [[Int64]]
    var lastSeq: [Int]
    /// The last seq of each sku the analysis has seen arrive.
    var receivedSeq: [Int]
    /// Receiver hits already analysed.
    var analysed = 0
    var eventCounter = 0
    var random = SystemRandomNumberGenerator()
    private let logFD: Int32

    init(options: Options) throws {
        self.options = options
        totalSkus = max(options.skus, options.burstSkus)
        names = (0..<totalSkus).map(BenchReceiver.name)
        times = Array(repeating: [], count: totalSkus)
        lastSeq = Array(repeating: 0, count: totalSkus)
        receivedSeq = Array(repeating: 0, count: totalSkus)
        var configuration = ServiceConfiguration()
        configuration.store = .memory
        configuration.listen = .loopback(port: 0)
        configuration.threads = options.serverThreads
        configuration.shutdownGraceMilliseconds = 500
        logFD = open("/dev/null", O_WRONLY)
        service = try Service(configuration: configuration, logFD: logFD)
        service.start()
        engine = service.engine
        client = ServiceClient(address: service.boundAddress)
        receiver = try BenchReceiver(skus: totalSkus, threads: options.receiverThreads)
    }

    func stop() {
        service.shutdown()
        service.wait()
        receiver.stop()
        close(logFD)
    }

    // MARK: Driving changes

    /// Applies one `set` event per entry of `skus` (sku indices) in one `Engine.apply` call and
    /// notes the time for each change.
    func apply(_ skus: [Int]) throws {
        var events: [StockEvent] = []
        events.reserveCapacity(skus.count)
        var seqs: [Int] = []
        seqs.reserveCapacity(skus.count)
        for s in skus {
            lastSeq[s] += 1
            eventCounter += 1
            events.append(
                StockEvent(
                    id: "pb-\(eventCounter)", kind: .set, sku: names[s], location: "DC1",
                    amount: Self.base + Int64(lastSeq[s])))
            seqs.append(lastSeq[s])
        }
        let (outcomes, _) = engine.apply(events)
        let at = monotonicMicros()
        for (i, s) in skus.enumerated() {
            guard outcomes[i] == .applied else {
                throw BenchmarkError("event for \(names[s]) not applied: \(outcomes[i])")
            }
            precondition(times[s].count == seqs[i])
            times[s].append(at)
        }
    }

    /// Seeds every sku at `base` (seq 0).
    func seed() throws {
        var start = 0
        while start < totalSkus {
            let end = min(totalSkus, start + 5_000)
            var events: [StockEvent] = []
            for s in start..<end {
                eventCounter += 1
                events.append(
                    StockEvent(
                        id: "pb-\(eventCounter)", kind: .set, sku: names[s], location: "DC1",
                        amount: Self.base))
            }
            let (outcomes, _) = engine.apply(events)
            let at = monotonicMicros()
            guard outcomes.allSatisfy({ $0 == .applied }) else { throw BenchmarkError("seeding failed") }
            for s in start..<end { times[s] = [at] }
            start = end
        }
    }

    /// `rate` changes a second on random skus of `0..<skus` for `seconds`, in small batches paced
    /// by the clock. Returns the changes made.
    func steady(skus: Int, rate: Double, seconds: Double) throws -> Int {
        let start = monotonicMicros()
        let end = start + Int64(seconds * 1e6)
        var done = 0
        while true {
            let now = monotonicMicros()
            if now >= end { break }
            let due = Int(Double(now - start) * rate / 1e6)
            if due > done {
                try apply((done..<due).map { _ in Int.random(in: 0..<skus, using: &random) })
                done = due
            }
            usleep(200)
        }
        return done
    }

    /// `changes` changes round-robin over `0..<skus` as fast as one thread can apply them, in
    /// batches of 100. Returns the microseconds it took.
    func burst(skus: Int, changes: Int) throws -> Int64 {
        let start = monotonicMicros()
        var i = 0
        while i < changes {
            let n = min(100, changes - i)
            try apply((i..<(i + n)).map { $0 % skus })
            i += n
        }
        return monotonicMicros() - start
    }

    // MARK: Waiting and analysing

    /// Waits until the receiver's latest value of every sku in `0..<skus` is the last one made.
    func waitConverged(skus: Int) -> Bool {
        let expected = (0..<skus).map { Self.base + Int64(lastSeq[$0]) }
        let deadline = monotonicMicros() + Int64(options.settleSeconds * 1e6)
        while monotonicMicros() < deadline {
            let done = receiver.state.withLock { s in
                for i in 0..<skus where s.latest[i] != expected[i] { return false }
                return true
            }
            if done { return true }
            usleep(2_000)
        }
        return false
    }

    /// Waits (at most 2 s) until the dispatcher has counted as sent every update the receiver got,
    /// so that the metrics cover the same deliveries; returns the metrics then.
    func settledMetrics(updatesExpected: Int) throws -> PushMetrics {
        let deadline = monotonicMicros() + 2_000_000
        var m = try client.pushMetrics(channel: Self.channel)
        while m.updatesSent < updatesExpected && monotonicMicros() < deadline {
            usleep(5_000)
            m = try client.pushMetrics(channel: Self.channel)
        }
        return m
    }

    /// Analyses the hits that arrived since the previous call (all of them belong to the phase
    /// that started at `start`).
    func analyse(start: Int64, changes: Int, skus: Int) -> Sample {
        var out = Sample()
        out.changes = changes
        let hits = receiver.hits(from: analysed)
        analysed += hits.count
        out.requests = hits.count
        var arrivals: [Int64] = []
        arrivals.reserveCapacity(hits.count)
        for hit in hits {
            arrivals.append(hit.at)
            for (sku, value) in zip(hit.skus, hit.values) {
                let s = Int(sku)
                let seq = Int(value - Self.base)
                out.updates += 1
                guard s < totalSkus, seq >= 0, seq < times[s].count else {
                    out.outOfOrder += 1
                    continue
                }
                if seq == receivedSeq[s] {
                    out.duplicates += 1
                    continue
                }
                if seq < receivedSeq[s] {
                    out.outOfOrder += 1
                    continue
                }
                out.age.append(hit.at - times[s][seq])
                out.lag.append(hit.at - times[s][receivedSeq[s] + 1])
                receivedSeq[s] = seq
            }
        }
        out.lag.sort()
        out.age.sort()
        arrivals.sort()
        if let last = arrivals.last { out.windowMicros = last - start }
        var lo = 0
        for (hi, t) in arrivals.enumerated() {
            while t - arrivals[lo] >= 1_000_000 { lo += 1 }
            out.busiestSecond = max(out.busiestSecond, hi - lo + 1)
        }
        // Final state against the engine's own figure for the channel.
        out.skusChecked = skus
        for s in 0..<skus {
            let engineValue = engine.available(sku: names[s], channel: Self.channel)
            let received = receiver.state.withLock { $0.latest[s] }
            if engineValue != received || received != Self.base + Int64(lastSeq[s]) {
                out.engineMismatches += 1
            }
        }
        return out
    }

    /// Runs one phase: `drive` makes the changes (returning how many), then waits for
    /// convergence and analyses.
    func phase(skus: Int, _ drive: () throws -> (changes: Int, micros: Int64)) throws -> Sample {
        let before = try client.pushMetrics(channel: Self.channel)
        let cpuBefore = Self.pushThreadNanoseconds()
        let start = monotonicMicros()
        let (changes, micros) = try drive()
        let converged = waitConverged(skus: skus)
        let cpuAfter = Self.pushThreadNanoseconds()
        var sample = analyse(start: start, changes: changes, skus: skus)
        sample.converged = converged
        sample.generateMicros = micros
        sample.pushCPUNanoseconds = cpuAfter.reduce(0) { $0 + $1.value - (cpuBefore[$1.key] ?? 0) }
        sample.metrics = try settledMetrics(updatesExpected: before.updatesSent + sample.updates).since(
            before)
        return sample
    }

    /// schedstat nanoseconds of every push thread (`atp-push`, `atp-push-sender`) by thread id.
    static func pushThreadNanoseconds() -> [String: Int64] {
        var out: [String: Int64] = [:]
        for tid in ThreadCPU.threads(named: "atp-push") + ThreadCPU.threads(named: "atp-push-sender") {
            out[tid] = ThreadCPU.read(tid: tid).nanoseconds
        }
        return out
    }

    // MARK: Idle

    /// CPU of the `atp-push` dispatcher thread over `idleSeconds` with nothing changing.
    func idle() -> (percent: Double, tickPercent: Double, wakeupsPerSecond: Double, threads: Int) {
        let tids = ThreadCPU.threads(named: "atp-push")
        let a = tids.reduce(ThreadCPU()) { $0 + ThreadCPU.read(tid: $1) }
        let t0 = monotonicMicros()
        usleep(UInt32(options.idleSeconds * 1e6))
        let b = tids.reduce(ThreadCPU()) { $0 + ThreadCPU.read(tid: $1) }
        let elapsed = Double(monotonicMicros() - t0) / 1e6
        let d = b - a
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (
            Double(d.nanoseconds) / 1e9 / elapsed * 100, Double(d.ticks) / hz / elapsed * 100,
            Double(d.voluntarySwitches) / elapsed, tids.count
        )
    }

    // MARK: Run

    func channelJSON(locations: [String]? = nil) -> String {
        let loc =
            locations.map { #","locations":["# + $0.map { "\"\($0)\"" }.joined(separator: ",") + "]" } ?? ""
        return
            #"{"endpoint":"http://127.0.0.1:\#(receiver.port)/hook","ratePerSecond":\#(options.ratePerSecond),"burst":\#(options.burst),"maxBatch":\#(options.maxBatch),"maxAttempts":8\#(loc)}"#
    }

    func run() throws {
        let o = options
        emit(
            "PushBenchmarks lag: one channel (ratePerSecond \(fmt(o.ratePerSecond, 0)), burst \(o.burst), maxBatch \(o.maxBatch)); atpd Service in-process (memory store, \(o.serverThreads) loop threads); receiver HTTPServer (\(o.receiverThreads) threads, 204); \(ProcessInfo.processInfo.activeProcessorCount) CPUs; loadavg \(loadAverage())"
        )
        try seed()

        // Idle dispatcher, no channel at all.
        let idle0 = idle()
        emit(
            "idle dispatcher, 0 channels, \(fmt(o.idleSeconds, 0)) s: atp-push thread \(fmt(idle0.percent, 2))% of a core (schedstat; /proc stat ticks: \(fmt(idle0.tickPercent, 2))%), \(fmt(idle0.wakeupsPerSecond, 0)) wakeups/s"
                + (idle0.threads == 1 ? "" : "  [found \(idle0.threads) atp-push threads]"))

        // Define the channel; its full resync of every sku is the first delivery.
        let resyncStart = monotonicMicros()
        try client.defineChannel(Self.channel, channelJSON())
        guard waitConverged(skus: totalSkus) else { throw BenchmarkError("initial resync did not converge") }
        let resync = analyse(start: resyncStart, changes: totalSkus, skus: totalSkus)
        emit(
            "initial resync of \(totalSkus) skus: \(resync.updates) updates in \(resync.requests) requests, \(ms(Double(resync.windowMicros))) ms (\(fmt(resync.updatesPerSecond, 0)) updates/s)"
        )

        // Warm-up (analysed, not reported).
        if o.warmup > 0 {
            _ = try phase(skus: o.skus) { (try steady(skus: o.skus, rate: o.rate, seconds: o.warmup), 0) }
        }

        emit("")
        emit(
            "steady: \(fmt(o.rate, 0)) changes/s on \(o.skus) skus for \(fmt(o.seconds, 1)) s per sample; lag = change applied -> update at the receiver (oldest unsent change of the sku); age = value made -> arrival"
        )
        var steadySamples: [Sample] = []
        for i in 1...o.samples {
            let s = try phase(skus: o.skus) {
                (try steady(skus: o.skus, rate: o.rate, seconds: o.seconds), 0)
            }
            steadySamples.append(s)
            report("  sample \(i)", s)
        }

        emit("")
        emit(
            "burst: \(o.burstChanges) changes round-robin over \(o.burstSkus) skus, as fast as one thread applies them; per sample"
        )
        var burstSamples: [Sample] = []
        for i in 1...o.samples {
            let s = try phase(skus: o.burstSkus) {
                let micros = try burst(skus: o.burstSkus, changes: o.burstChanges)
                return (o.burstChanges, micros)
            }
            burstSamples.append(s)
            report("  sample \(i)", s)
        }

        // Idle again: the bench channel plus idle ones (a location no sku has: no traffic).
        for i in 1..<max(1, o.idleChannels) {
            try client.defineChannel(String(format: "idle-%02d", i), channelJSON(locations: ["NOWHERE"]))
        }
        usleep(100_000)
        let idleN = idle()
        let channelsNow = max(1, o.idleChannels)

        emit("")
        emit("summary (medians of \(o.samples) samples)")
        emit(
            pad("", 34) + pad("lag p50 ms", 12) + pad("lag p99 ms", 12) + pad("age p50 ms", 12)
                + pad("metric p50 ms", 15)
                + pad("metric p99 ms", 15) + pad("metric mean", 13) + pad("updates/s", 12) + pad("req/s", 9)
                + pad("upd/req", 9)
                + pad("push CPU", 10) + "us CPU/upd")
        summary("steady \(fmt(o.rate, 0))/s on \(o.skus) skus", steadySamples)
        summary("burst \(o.burstChanges) on \(o.burstSkus) skus", burstSamples)
        let all = steadySamples + burstSamples
        emit(
            "only latest values: out-of-order \(all.reduce(0) { $0 + $1.outOfOrder }), duplicates \(all.reduce(0) { $0 + $1.duplicates }), final state = engine for \(all.filter { $0.converged && $0.engineMismatches == 0 }.count)/\(all.count) samples (skus checked per sample: steady \(o.skus), burst \(o.burstSkus)); receiver malformed bodies \(receiver.state.withLock { $0.malformed })"
        )
        emit(
            "busiest 1 s at the receiver: \(all.map(\.busiestSecond).max() ?? 0) requests (limit burst + rate = \(o.burst + Int(o.ratePerSecond)))"
        )
        emit(
            "idle dispatcher: 0 channels \(fmt(idle0.percent, 2))% of a core, \(fmt(idle0.wakeupsPerSecond, 0)) wakeups/s; \(channelsNow) idle channels \(fmt(idleN.percent, 2))% of a core (ticks \(fmt(idleN.tickPercent, 2))%), \(fmt(idleN.wakeupsPerSecond, 0)) wakeups/s"
        )
    }

    func report(_ label: String, _ s: Sample) {
        let gen = s.generateMicros > 0 ? " (made in \(ms(Double(s.generateMicros))) ms)" : ""
        emit(
            "\(label): \(s.changes) changes\(gen) -> \(s.updates) updates in \(s.requests) requests over \(ms(Double(s.windowMicros))) ms = \(fmt(s.updatesPerSecond, 0)) updates/s, \(fmt(s.requestsPerSecond, 0)) req/s, \(fmt(s.updatesPerRequest, 1)) upd/req; lag p50 \(ms(quantile(s.lag, 0.5))) p99 \(ms(quantile(s.lag, 0.99))) max \(ms(Double(s.lag.last ?? 0))) ms; age p50 \(ms(quantile(s.age, 0.5))) p99 \(ms(quantile(s.age, 0.99))) ms; metric p50 \(bucketLabel(s.metrics.quantileMilliseconds(0.5))) p99 \(bucketLabel(s.metrics.quantileMilliseconds(0.99))) mean \(fmt(s.metrics.meanMilliseconds, 2)) ms (n=\(s.metrics.count)); push threads \(fmt(s.pushCores, 3)) cores, \(fmt(s.cpuPerUpdate, 2)) us CPU/update; converged \(s.converged ? "yes" : "NO"), engine mismatches \(s.engineMismatches)/\(s.skusChecked), out-of-order \(s.outOfOrder), dup \(s.duplicates)"
        )
    }

    func summary(_ label: String, _ samples: [Sample]) {
        func m(_ f: (Sample) -> Double) -> Double { median(samples.map(f)) }
        emit(
            pad(label, 34) + pad(ms(m { quantile($0.lag, 0.5) }), 12)
                + pad(ms(m { quantile($0.lag, 0.99) }), 12)
                + pad(ms(m { quantile($0.age, 0.5) }), 12)
                + pad(bucketLabel(m { $0.metrics.quantileMilliseconds(0.5) }), 15)
                + pad(bucketLabel(m { $0.metrics.quantileMilliseconds(0.99) }), 15)
                + pad(fmt(m { $0.metrics.meanMilliseconds }, 2), 13) + pad(fmt(m(\.updatesPerSecond), 0), 12)
                + pad(fmt(m(\.requestsPerSecond), 0), 9) + pad(fmt(m(\.updatesPerRequest), 1), 9)
                + pad(fmt(m(\.pushCores), 3), 10) + fmt(m(\.cpuPerUpdate), 2))
    }
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(
        separator: " ") ?? "?"
}
