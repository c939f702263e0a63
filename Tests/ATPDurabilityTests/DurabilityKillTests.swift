import ATPHTTP
import ATPTestSupport
import Foundation
import Testing

extension Durability {
    /// atpd is SIGKILLed while 8 clients send holds and stock events; after a restart every
    /// acknowledged mutation is there, and nothing that was never possibly acknowledged.
    @Suite struct Kill {
        @Test(.timeLimit(.minutes(1))) func fileStoreKeepsEveryAcknowledgedMutation() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let atpd = try AtpdProcess(["--store", "file:\(directory.path)"])
            try crashUnderLoad(atpd, label: "file kill -9") {}
        }

        @Test(.timeLimit(.minutes(1))) func redisStoreKeepsEveryAcknowledgedMutation() throws {
            let redis = try RedisServerProcess(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
            let atpd = try AtpdProcess(["--store", redis.url])
            // The machine goes down: Redis is SIGKILLed too and reloads its append-only file.
            try crashUnderLoad(atpd, label: "redis kill -9") {
                redis.kill()
                try redis.restart()
            }
        }

        /// Seeds the cells, runs the load, SIGKILLs atpd once enough is acknowledged, calls
        /// `between`, restarts atpd and checks the ledger (then retries the unanswered requests
        /// and checks the exact totals).
        private func crashUnderLoad(_ atpd: AtpdProcess, label: String, between: () throws -> Void) throws {
            let cells = Durability.cells
            var client = AtpdClient(atpd)
            let initial = try Durability.seed(client, cells, tag: "kill")
            let run = LoadRun(LoadPlan(port: atpd.port, cells: cells, tag: "kill"))
            run.start()
            // Crash once a couple of thousand mutations are acknowledged (at most 1.5 s in).
            _ = eventually(within: 1_500) { run.acknowledged() >= 2_000 }
            atpd.kill9()
            #expect(run.join(), "\(label): a load thread did not stop")
            #expect(run.transportFailures.isEmpty, "\(label): \(run.transportFailures)")
            var ledger = LoadLedger(cells: cells, initial: initial, run: run)
            print("\(label): \(ledger.summary)")
            #expect(ledger.unexpected.isEmpty, "\(label): unexpected answers \(ledger.unexpected.prefix(5))")
            #expect(
                ledger.acknowledgedHolds.count > 20 && ledger.acknowledgedBatches.count > 20,
                "\(label): too little was acknowledged before the kill: \(ledger.summary)")

            try between()
            try atpd.start()
            client = AtpdClient(atpd)
            try ledger.verify(client, label)
            try ledger.settle(client, label)
            try atpd.terminate()
        }
    }

    /// The cells of the load tests: 4 skus at 2 locations.
    static let cells = ["S0", "S1", "S2", "S3"].flatMap { sku in
        ["DC1", "DC2"].map { CellKey(sku: sku, location: $0) }
    }

    /// Sets every cell's on-hand to a value large enough that no hold of the load is refused;
    /// returns them.
    static func seed(_ client: AtpdClient, _ cells: [CellKey], tag: String) throws -> [CellKey: Int] {
        var initial: [CellKey: Int] = [:]
        var events: [[String: Any]] = []
        for (i, cell) in cells.enumerated() {
            initial[cell] = 100_000 + i
            events.append([
                "id": "seed-\(tag)-\(i)", "type": "set", "sku": cell.sku, "location": cell.location,
                "qty": 100_000 + i,
            ])
        }
        let counts = try client.events(events)
        #expect(counts == EventCounts(applied: cells.count), "seeding: \(counts)")
        return initial
    }
}
