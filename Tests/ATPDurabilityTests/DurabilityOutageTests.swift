import ATPHTTP
import ATPPosix
import ATPTestSupport
import ATPUtilities
import Foundation
import Synchronization
import Testing

extension Durability {
    /// redis-server (appendfsync always) is killed (SIGKILL) under load, in the middle of a batch,
    /// and started again a second later: mutations meanwhile get 503 `store_unavailable` with
    /// `Retry-After`, `/readyz` says 503, reads keep answering; afterwards every acknowledged
    /// mutation is there and no 503'd one (even the batch Redis may have applied before it died:
    /// atpd repairs it from the rolled-back engine), and a retried 503 takes effect exactly once,
    /// before and after an atpd restart.
    @Suite struct Outage {
        /// What a reader thread saw: status of GET /v1/stock, and of GET /readyz with the
        /// monotonic ms just before it was sent and once it was answered.
        final class Probe: Sendable {
            let samples = Locked<[(stock: Int, ready: Int, sent: Int64, answered: Int64)]>([])
            let stopping = Atomic<Bool>(false)
            let done = DispatchSemaphore(value: 0)
        }

        @Test(.timeLimit(.minutes(1))) func redisOutageRefusesMutationsAndLosesNothing() throws {
            let redis = try RedisServerProcess(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
            let atpd = try AtpdProcess(["--store", redis.url])
            let cells = Durability.cells
            var client = AtpdClient(atpd)
            let initial = try Durability.seed(client, cells, tag: "outage")
            var plan = LoadPlan(port: atpd.port, cells: cells, tag: "outage")
            plan.maxRequests = 5_000
            plan.milliseconds = 10_000  // stopped below once enough was acknowledged after the outage
            let run = LoadRun(plan)
            let probe = Probe()
            JoinableThread(name: "outage-probe") { [port = atpd.port] in Self.read(port: port, probe) }
                .detach()
            run.start()

            MonotonicClock.sleep(milliseconds: 700)
            redis.kill()  // SIGKILL: in the middle of a batch (8 clients keep one in flight)
            let down = AtpdProcess.now()
            MonotonicClock.sleep(milliseconds: 1_000)
            let upAgain = AtpdProcess.now()
            try redis.restart()
            let up = AtpdProcess.now()
            // Load on until atpd has reconnected (its backoff reaches 2 s) and acknowledged more.
            _ = eventually(within: 6_000, every: 10) { run.acknowledged(after: up) >= 500 }
            run.stop()
            #expect(run.join(), "a load thread did not stop")
            probe.stopping.store(true, ordering: .relaxed)
            #expect(probe.done.wait(timeout: .now() + 10) == .success, "the reader thread did not stop")

            var ledger = LoadLedger(cells: cells, initial: initial, run: run)
            let attempts =
                ledger.holds.map { (outcome: $0.outcome, sent: $0.sentAt, answered: $0.answeredAt) }
                + ledger.batches.map { (outcome: $0.outcome, sent: $0.sentAt, answered: $0.answeredAt) }
            let unavailable = attempts.filter { $0.outcome.isUnavailable }
            #expect(run.transportFailures.isEmpty, "\(run.transportFailures)")
            #expect(ledger.unexpected.isEmpty, "unexpected answers: \(ledger.unexpected.prefix(5))")
            #expect(!attempts.contains { $0.outcome == .unanswered }, "atpd left requests unanswered")
            #expect(!unavailable.isEmpty, "no mutation was refused during the outage")
            #expect(
                unavailable.allSatisfy { $0.outcome == .unavailable(retryAfter: true) },
                "a 503 without Retry-After")
            let acknowledged = attempts.filter { $0.outcome.isAcknowledged }
            #expect(
                acknowledged.contains { $0.answered < down }, "nothing was acknowledged before the outage")
            #expect(acknowledged.contains { $0.sent > up }, "nothing was acknowledged after the outage")
            let during = acknowledged.filter { $0.sent > down && $0.answered < upAgain }
            #expect(
                during.isEmpty, "\(during.count) mutations sent while redis-server was down were acknowledged"
            )
            // From the first 503 a client received (atpd knew) and redis-server's exit, until it
            // was started again, atpd cannot reach Redis: it refuses every mutation at once,
            // and /readyz says 503.
            let known = max(down, unavailable.map(\.answered).min() ?? down)

            let samples = probe.samples.withLock { $0 }
            #expect(
                samples.allSatisfy { $0.stock == 200 },
                "a read failed: \(samples.filter { $0.stock != 200 }.prefix(3))")
            let outage = samples.filter { $0.sent > known && $0.answered < upAgain }
            #expect(
                !outage.isEmpty && outage.allSatisfy { $0.ready == 503 },
                "/readyz during the outage: \(outage.map(\.ready))")
            // Ready again within a few seconds of Redis coming back (the reconnect backoff is ≤ 2 s).
            _ = eventually(within: 5_000, every: 20) { (try? client.send("GET", "/readyz").status) == 200 }
            #expect(try client.send("GET", "/readyz").status == 200, "/readyz after the outage")

            print("redis outage: \(ledger.summary)")
            try ledger.verify(client, "after the outage")
            // The client retries its 503'd requests (as Retry-After asks): each takes effect once.
            try ledger.settle(client, "retries after the outage")
            try atpd.terminate()
            try atpd.start()
            client = AtpdClient(atpd)
            try ledger.verify(client, "after the outage and an atpd restart")
            try atpd.terminate()
        }

        /// Reads a stock cell and `/readyz` every 10 ms until told to stop (or 15 s).
        private static func read(port: UInt16, _ probe: Probe) {
            defer { probe.done.signal() }
            let client = AtpdClient(port: port)
            let deadline = AtpdProcess.now() + 15_000
            while !probe.stopping.load(ordering: .relaxed) && AtpdProcess.now() < deadline {
                let stock = (try? client.send("GET", "/v1/stock/S0").status) ?? -1
                let sent = AtpdProcess.now()
                let ready = (try? client.send("GET", "/readyz").status) ?? -1
                probe.samples.withLock { $0.append((stock, ready, sent, AtpdProcess.now())) }
                MonotonicClock.sleep(milliseconds: 10)
            }
        }
    }
}
