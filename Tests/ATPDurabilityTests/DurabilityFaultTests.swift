import ATPPosix
import ATPRedis
import ATPStore
import ATPTestExpectations
import ATPTestSupport
import Foundation
import Glibc
import Testing

extension Durability {
    /// A failure answer means nothing changed (issue 22): the store refuses writes under load —
    /// Redis full (`maxmemory` + `noeviction`), or the file store's filesystem full — and every
    /// 503 left no trace. In memory right after the fault, after the store recovers, and after an
    /// atpd restart: reserved = the holds answered 201, onHand = the events answered applied,
    /// exactly; retries of the 503'd requests (same keys and ids) are new and apply once; and a
    /// real webhook receiver never saw a figure of a refused change.
    @Suite struct Faults {
        @Test(.timeLimit(.minutes(1))) func fullRedisChangesNothing() throws {
            let redis = try RedisServerProcess(arguments: [
                "--appendonly", "yes", "--appendfsync", "always", "--maxmemory-policy", "noeviction",
            ])
            let admin = try RedisConnection(url: RedisURL(redis.url), commandTimeoutMilliseconds: 5_000)
            let atpd = try AtpdProcess(["--store", redis.url])
            func maxmemory(_ bytes: String) throws {
                let reply = try admin.command(["CONFIG", "SET", "maxmemory", bytes])
                #expect(reply == .status("OK"), "CONFIG SET maxmemory \(bytes): \(reply)")
            }
            try refuseUnderLoad(atpd, label: "redis full") {
                try maxmemory("1")
            } recover: {
                try maxmemory("0")
            }
        }

        @Test(.timeLimit(.minutes(1))) func fullFilesystemChangesNothing() throws {
            let mount = try TmpfsMount(bytes: 8 << 20)
            defer { mount.unmount() }
            let atpd = try AtpdProcess(["--store", "file:\(mount.path)/store"])
            try refuseUnderLoad(atpd, label: "filesystem full") {
                try mount.fill()
            } recover: {
                mount.unfill()
            }
        }

        /// Seeds the load cells and the probe cell P@DC1 (100 units), defines a channel that
        /// pushes to a real receiver, runs the load; `fault` makes the store refuse writes for
        /// about a second, during which the probe sends holds of 30 and +50 events (each must
        /// get a 503), then `recover` lets it write again; then checks the ledger strictly
        /// (no request goes unanswered: every outcome is known), the pushes, the metrics and the
        /// log, retries the 503'd requests, restarts atpd and checks again.
        /// The rollback metrics a fault must move, each a line prefix of `/metrics`.
        static let rolledBackLines = [
            "atpd_store_rolled_back_units_total ", #"atpd_rolled_back_changes_total{kind="hold"} "#,
            #"atpd_rolled_back_changes_total{kind="event"} "#,
            #"atpd_rolled_back_changes_total{kind="idempotency_key"} "#,
        ]

        private func refuseUnderLoad(
            _ atpd: AtpdProcess, label: String, fault: () throws -> Void, recover: () throws -> Void
        ) throws {
            let sink = try WebhookReceiver()
            defer { sink.stop() }
            let cells = Durability.cells
            var client = AtpdClient(atpd)
            let initial = try Durability.seed(client, cells, tag: "fault")
            #expect(
                try client.events([
                    ["id": "probe-seed", "type": "set", "sku": "P", "location": "DC1", "qty": 100]
                ])
                    == EventCounts(applied: 1))
            let channel = try client.send(
                "PUT", "/v1/channels/web",
                json: [
                    "endpoint": sink.url,
                    "locations": ["DC1"],
                    "bufferUnits": 0,
                ])
            #expect(channel.status == 201, "\(label): channel: \(channel.status) \(channel.text)")
            #expect(
                eventually(within: 10_000) { sink.pushed("P").contains(100) },
                "\(label): P=100 was never pushed")

            var plan = LoadPlan(port: atpd.port, cells: cells, tag: "fault")
            plan.maxRequests = 5_000
            plan.milliseconds = 12_000  // stopped below once enough was acknowledged after the fault
            let run = LoadRun(plan)
            run.start()
            MonotonicClock.sleep(milliseconds: 500)

            try fault()
            // Wait for the load to be refused, then probe P on its own connection while the store
            // refuses. A small write can still fit (the file journal's last page has room), so an
            // attempt may be acknowledged; every acknowledged state of P is kept in `probe`.
            let faulted = AtpdProcess.now()
            #expect(
                eventually(within: 5_000) { run.unavailable(after: faulted) > 0 },
                "\(label): the load was not refused after the fault")
            var probe = ProbeCell()
            // At least a second and 10 probes, and until a change of every kind was rolled back:
            // between the store's probes (every 250 ms) mutations fail fast without reaching it,
            // so which kinds a refused batch held is luck on a loaded machine (bounded: 6 s).
            let faultEnds = AtpdProcess.now() + 1_000
            let faultLimit = AtpdProcess.now() + 6_000
            var n = 0
            func everyKindRolledBack() throws -> Bool {
                let metrics = try client.send("GET", "/metrics").text
                return Self.rolledBackLines.allSatisfy { line in
                    (metrics.split(separator: "\n").first { $0.hasPrefix(line) }.flatMap {
                        Int($0.dropFirst(line.count))
                    } ?? 0) > 0
                }
            }
            while AtpdProcess.now() < faultLimit,
                try AtpdProcess.now() < faultEnds || n < 10 || !everyKindRolledBack()
            {
                try probe.hold(client, qty: 30, key: "probe-hold-\(n)")
                try probe.adjust(client, delta: 50, id: "probe-ev-\(n)")
                n += 1
                MonotonicClock.sleep(milliseconds: 20)
            }
            #expect(
                probe.refusedHolds.count > n / 2 && probe.refusedEvents.count > n / 2,
                "\(label): the probe was refused \(probe.refusedHolds.count) + \(probe.refusedEvents.count) times of \(n) + \(n)"
            )
            let stockDuringFault = try client.stock("P")["DC1"]
            #expect(
                stockDuringFault == probe.figures,
                "\(label): P during the fault: \(stockDuringFault.map(\.description) ?? "missing"), acknowledged \(probe.figures)"
            )
            try recover()
            let recovered = AtpdProcess.now()

            // Writes are accepted again within a few seconds (the Redis probe runs every 250 ms).
            #expect(
                try eventually(within: 5_000) {
                    try probe.hold(client, qty: 1, key: "probe-after-\(AtpdProcess.now())")
                },
                "\(label): no hold was acknowledged after the fault")
            let last = probe.figures.available
            #expect(
                eventually(within: 10_000) { sink.pushed("P").contains(Int64(last)) },
                "\(label): P=\(last) was never pushed")
            _ = eventually(within: 6_000, every: 10) { run.acknowledged(after: recovered) >= 500 }
            run.stop()
            #expect(run.join(), "\(label): a load thread did not stop")

            // No receiver ever saw a figure of a refused change: only acknowledged states of P.
            let pushed = Set(sink.pushed("P").map { Int($0) })
            #expect(
                pushed.isSubset(of: probe.acknowledged),
                "\(label): P pushed \(pushed.sorted()), acknowledged \(probe.acknowledged.sorted())")

            var ledger = LoadLedger(cells: cells, initial: initial, run: run)
            print(
                "\(label): \(ledger.summary); probe refused \(probe.refusedHolds.count) holds, \(probe.refusedEvents.count) events"
            )
            #expect(run.transportFailures.isEmpty, "\(label): \(run.transportFailures)")
            #expect(ledger.unexpected.isEmpty, "\(label): unexpected answers \(ledger.unexpected.prefix(5))")
            #expect(!ledger.holds.contains { $0.outcome == .unanswered }, "\(label): a hold went unanswered")
            #expect(
                !ledger.batches.contains { $0.outcome == .unanswered }, "\(label): a batch went unanswered")
            #expect(
                ledger.holds.contains { $0.outcome.isUnavailable }
                    && ledger.batches.contains { $0.outcome.isUnavailable },
                "\(label): the load got no 503: \(ledger.summary)")
            #expect(
                (ledger.holds.map(\.outcome) + ledger.batches.map(\.outcome)).allSatisfy {
                    !$0.isUnavailable || $0 == .unavailable(retryAfter: true)
                }, "\(label): a 503 without Retry-After")
            // Exact (nothing is uncertain): reserved = holds answered 201, onHand = acknowledged events.
            try ledger.verify(client, "\(label), in memory after the fault")

            let metrics = try client.send("GET", "/metrics").text
            for line in Self.rolledBackLines {
                let value = metrics.split(separator: "\n").first { $0.hasPrefix(line) }.flatMap {
                    Int($0.dropFirst(line.count))
                }
                #expect((value ?? 0) > 0, "\(label): \(line)is \(value.map(String.init) ?? "missing")")
            }
            #expect(
                eventually(within: 5_000) { atpd.stderrTail.contains(#""event":"changes_rolled_back""#) },
                "\(label): no changes_rolled_back log line: \(atpd.stderrTail.suffix(600))")

            try ledger.settle(client, label)
            // The probe's 503'd keys and ids were forgotten: sent again, they are new. (Events
            // first: on the file store some probe holds may have been acknowledged during the
            // fault, so the units for a retried hold of 30 may be there only after them.)
            for id in probe.refusedEvents.prefix(3) {
                #expect(
                    try client.events([
                        ["id": id, "type": "adjust", "sku": "P", "location": "DC1", "delta": 50]
                    ])
                        == EventCounts(applied: 1), "\(label): \(id) again")
                probe.figures.onHand += 50
            }
            for key in probe.refusedHolds.prefix(3) where probe.figures.onHand - probe.figures.reserved >= 30
            {
                let again = try client.hold([("P", "DC1", 30)], key: key)
                #expect(
                    again.status == 201 && again.header("Idempotent-Replayed") != "true",
                    "\(label): \(key) again: \(again.text)")
                probe.figures.reserved += 30
            }
            probe.figures.available = probe.figures.onHand - probe.figures.reserved
            let settled = try client.stock("P")["DC1"]
            #expect(
                settled == probe.figures,
                "\(label): P \(settled.map(\.description) ?? "missing"), expected \(probe.figures)")

            try atpd.terminate()
            try atpd.start()
            client = AtpdClient(atpd)
            try ledger.verify(client, "\(label), after an atpd restart")
            let restarted = try client.stock("P")["DC1"]
            #expect(
                restarted == probe.figures,
                "\(label): P after the restart \(restarted.map(\.description) ?? "missing")")
            try atpd.terminate()
        }
    }
}

/// The probe cell P@DC1 (seeded with 100), changed by one client at a time: what it must show,
/// and every availability it has had in an acknowledged state.
struct ProbeCell {
    var figures = CellFigures(onHand: 100, reserved: 0, safetyStock: 0, available: 100)
    var acknowledged: Set<Int> = [100]
    var refusedHolds: [String] = []
    var refusedEvents: [String] = []

    /// Holds `qty` of P; true when acknowledged (201). A 503 is recorded as refused.
    @discardableResult
    mutating func hold(_ client: AtpdClient, qty: Int, key: String) throws -> Bool {
        let answer = try client.hold([("P", "DC1", qty)], key: key)
        switch answer.status {
        case 201: change(reserved: qty)
        case 409 where answer.text.contains("insufficient_stock"):
            break  // acknowledged holds took the units: nothing changed
        case 503:
            refusedHolds.append(key)
            Self.expectNothingChanged(answer, key)
        default: Issue.record("probe hold \(key): \(answer.status) \(answer.text)")
        }
        return answer.status == 201
    }

    /// Adjusts P's on-hand by `delta`; a 503 is recorded as refused.
    mutating func adjust(_ client: AtpdClient, delta: Int, id: String) throws {
        let answer = try client.send(
            "POST", "/v1/events",
            json: ["events": [["id": id, "type": "adjust", "sku": "P", "location": "DC1", "delta": delta]]])
        switch answer.status {
        case 200 where (try? EventCounts(answer)) == EventCounts(applied: 1): change(onHand: delta)
        case 503:
            refusedEvents.append(id)
            Self.expectNothingChanged(answer, id)
        default: Issue.record("probe event \(id): \(answer.status) \(answer.text)")
        }
    }

    /// A fault answer is a `store_unavailable` problem (503) with `Retry-After` whose detail says
    /// nothing changed.
    private static func expectNothingChanged(_ answer: RawResponse, _ what: String) {
        let problem = expectProblem(answer, 503, "store_unavailable")
        #expect(answer.header("Retry-After") != nil, "probe \(what): \(answer.text)")
        #expect(
            (problem["detail"] as? String)?.contains("nothing was changed") == true,
            "probe \(what): \(answer.text)")
    }

    private mutating func change(onHand: Int = 0, reserved: Int = 0) {
        figures.onHand += onHand
        figures.reserved += reserved
        figures.available = figures.onHand - figures.reserved
        acknowledged.insert(figures.available)
    }
}

/// A tmpfs of a fixed size that the test mounts (root only) on a fresh directory, and a filler
/// file that takes all of its free space.
///
/// Thread-safety: one thread at a time.
final class TmpfsMount {
    let path: String
    private var mounted = false

    init(bytes: Int) throws {
        let directory = try TemporaryDirectory()
        path = directory.path
        let status = Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", path])
        guard status == 0 else {
            directory.remove()
            throw AtpdProcessError(
                description: "mount -t tmpfs \(path) failed (\(status)): the test needs root")
        }
        mounted = true
    }

    deinit { unmount() }

    /// Writes `filler` until the filesystem is full (ENOSPC).
    func fill() throws {
        let fd = open(path + "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw AtpdProcessError(description: "open filler: errno \(errno)") }
        defer { close(fd) }
        let block = [UInt8](repeating: 0xA5, count: 4_096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        guard errno == ENOSPC else {
            throw AtpdProcessError(description: "filling the tmpfs: errno \(errno)")
        }
    }

    /// Deletes the filler: the space is free again.
    func unfill() { unlink(path + "/filler") }

    /// Unmounts (lazily, should atpd still have a file open) and removes the directory.
    func unmount() {
        guard mounted else { return }
        mounted = false
        _ = Self.run("/bin/umount", ["-l", path])
        rmdir(path)
    }

    /// Runs a command to its end: its exit status, -1 when it could not start or was killed.
    private static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        ChildProcess.run(executable, arguments) ?? -1
    }
}
