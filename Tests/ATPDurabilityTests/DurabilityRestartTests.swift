import ATPHTTP
import ATPTestSupport
import Foundation
import Testing

/// End-to-end durability of the real `atpd` binary (issue 4): a child process per test, killed,
/// stopped and restarted on the same data. The suites run one at a time (they load the machine).
@Suite(.serialized) struct Durability {}

extension Durability {
    /// A mixed workload, SIGTERM, restart on the same data: the API shows exactly the same state,
    /// and idempotency keys, event ids and sequence marks survived.
    @Suite struct Restart {
        @Test(.timeLimit(.minutes(1))) func fileStoreRestartsWithTheSameState() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let atpd = try AtpdProcess(["--store", "file:\(directory.path)"])
            try checkRestart(atpd, label: "file") {}
        }

        @Test(.timeLimit(.minutes(1))) func redisStoreRestartsWithTheSameState() throws {
            let redis = try RedisServerProcess(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
            let atpd = try AtpdProcess(["--store", redis.url])
            // Redis is restarted too, while atpd is down: its append-only file is reloaded.
            try checkRestart(atpd, label: "redis") { try redis.restart() }
        }

        /// Runs the workload, stops atpd with SIGTERM (exit 0), calls `between`, starts atpd
        /// again and compares.
        private func checkRestart(_ atpd: AtpdProcess, label: String, between: () throws -> Void) throws {
            var client = AtpdClient(atpd)
            let state = try Workload.run(client)
            let before = try client.dump(skus: Workload.skus, reservations: state.reservations)
            try atpd.terminate()
            try between()
            try atpd.start()
            client = AtpdClient(atpd)
            let after = try client.dump(skus: Workload.skus, reservations: state.reservations)
            for path in before.keys.sorted() {
                #expect(
                    after[path] == before[path],
                    "\(label): \(path) changed across the restart:\nbefore \(before[path] ?? "")\nafter  \(after[path] ?? "")"
                )
            }
            #expect(before.count == after.count)

            // The idempotent create replays its stored answer, with the same id.
            let replay = try client.hold(
                Workload.idempotentLines, key: Workload.idempotencyKey, reference: "cart-6")
            #expect(
                replay.status == 201 && replay.header("Idempotent-Replayed") == "true",
                "\(label): idempotent retry after restart: \(replay.status) \(replay.text)")
            #expect((try? replay.json())?["id"] as? String == state.idempotentID, "\(label): \(replay.text)")
            // Every event id is a duplicate; a stale seq is stale; neither changes anything.
            let again = try client.events(Workload.events)
            #expect(
                again == EventCounts(duplicate: Workload.events.count),
                "\(label): events sent again: \(again)")
            let stale = try client.events([
                [
                    "id": "fid-stale", "source": "wms-1", "seq": 11, "type": "set", "sku": "A",
                    "location": "DC1", "qty": 999,
                ]
            ])
            #expect(stale == EventCounts(stale: 1), "\(label): an old seq after restart: \(stale)")
            let unchanged = try client.dump(skus: Workload.skus, reservations: state.reservations)
            #expect(unchanged == before, "\(label): a replay, a duplicate or a stale event changed the state")
            // The marks are not too strict: the next seq applies.
            let next = try client.events([
                [
                    "id": "fid-next", "source": "wms-1", "seq": 13, "type": "adjust", "sku": "A",
                    "location": "DC1", "delta": 1,
                ]
            ])
            #expect(next == EventCounts(applied: 1), "\(label): the next seq after restart: \(next)")
            try atpd.terminate()
        }
    }

    /// The restart workload: every kind of mutation atpd journals.
    enum Workload {
        static let skus = ["A", "B", "C é/x"]
        static let idempotencyKey = "fid-idem-1"
        static let idempotentLines = [("A", "DC1", 1)]
        static var events: [[String: Any]] {
            [
                [
                    "id": "fid-1", "source": "wms-1", "seq": 10, "type": "set", "sku": "A", "location": "DC1",
                    "qty": 100,
                ],
                [
                    "id": "fid-2", "source": "wms-1", "seq": 11, "type": "adjust", "sku": "A",
                    "location": "DC1", "delta": -2,
                    "reason": "damaged",
                ],
                [
                    "id": "fid-3", "source": "wms-1", "seq": 5, "type": "set", "sku": "A",
                    "location": "STORE-7", "qty": 10,
                ],
                [
                    "id": "fid-4", "source": "pos-7", "type": "sale", "sku": "A", "location": "STORE-7",
                    "qty": 2,
                ],
                [
                    "id": "fid-5", "source": "pos-7", "type": "return", "sku": "A", "location": "STORE-7",
                    "qty": 1,
                ],
                [
                    "id": "fid-6", "source": "wms-1", "seq": 12, "type": "set", "sku": "B", "location": "DC1",
                    "qty": 40,
                ],
                [
                    "id": "fid-7", "type": "set", "sku": "C é/x", "location": "DC 2", "qty": 5,
                    "at": "2026-11-20T10:00:00Z",
                ],
            ]
        }

        struct State {
            var reservations: [String]
            var idempotentID: String
        }

        /// Drives the workload; returns the reservation ids.
        static func run(_ c: AtpdClient) throws -> State {
            let applied = try c.events(events)
            #expect(applied == EventCounts(applied: events.count), "workload events: \(applied)")
            // A hold that expires while the rest runs (the sweep journals the expiry).
            let expiring = c.heldID(try c.hold([("A", "DC1", 1)], reference: "expires", ttl: 1))
            let safety = try c.send("PUT", "/v1/stock/B/DC1/safety-stock", json: ["safetyStock": 3])
            #expect(safety.status == 200, "safety stock: \(safety.text)")

            let held = c.heldID(try c.hold([("A", "DC1", 2), ("B", "DC1", 1)], reference: "cart-1"))
            let confirmed = c.heldID(try c.hold([("A", "STORE-7", 1)]))
            try c.transition(confirmed, "confirm")
            let fulfilled = c.heldID(try c.hold([("B", "DC1", 4)], reference: "cart-3"))
            try c.transition(fulfilled, "confirm")
            try c.transition(fulfilled, "fulfill")
            let released = c.heldID(try c.hold([("A", "DC1", 3)]))
            try c.transition(released, "release")
            let shipped = c.heldID(try c.hold([("C é/x", "DC 2", 2)]))
            try c.transition(shipped, "fulfill")
            let cancelled = c.heldID(try c.hold([("B", "DC1", 2)]))
            try c.transition(cancelled, "confirm")
            try c.transition(cancelled, "release")
            let first = try c.hold(idempotentLines, key: idempotencyKey, reference: "cart-6")
            let idempotent = c.heldID(first)
            let retry = try c.hold(idempotentLines, key: idempotencyKey, reference: "cart-6")
            #expect(
                retry.header("Idempotent-Replayed") == "true" && retry.body == first.body,
                "retry: \(retry.text)")

            var web: [String: Any] = [
                "endpoint": "http://127.0.0.1:9/hook", "locations": ["DC1", "STORE-7"], "bufferUnits": 2,
                "ratePerSecond": 5, "burst": 5, "maxBatch": 100, "maxAttempts": 8,
            ]
            #expect(try c.send("PUT", "/v1/channels/web", json: web).status == 201)
            #expect(
                try c.send("PUT", "/v1/channels/all", json: ["endpoint": "http://127.0.0.1:9/all"]).status
                    == 201)
            #expect(
                try c.send("PUT", "/v1/channels/gone", json: ["endpoint": "http://127.0.0.1:9/gone"]).status
                    == 201)
            web["bufferUnits"] = 1  // redefined: 200
            #expect(try c.send("PUT", "/v1/channels/web", json: web).status == 200)
            let removed = try c.send("DELETE", "/v1/channels/gone")
            #expect(removed.status == 204, "delete channel: \(removed.status) \(removed.text)")

            // Bounded wait for the sweep to expire the short hold. A read shows `expired` as soon
            // as the time has passed; its unit returns (and the expiry is journaled) only when the
            // sweep runs, so wait for A@DC1 to hold only cart-1's 2 units and cart-6's 1.
            func swept() throws -> Bool {
                try c.reservationStatus(expiring) == "expired" && c.stock("A")["DC1"]?.reserved == 3
            }
            let wasSwept = try eventually(within: 5_000, every: 50) { try swept() }
            let cells = try c.stock("A")
            #expect(wasSwept, "the 1 s hold was not swept within 5 s: \(cells)")
            let ids = [expiring, held, confirmed, fulfilled, released, shipped, cancelled, idempotent]
            return State(reservations: ids, idempotentID: idempotent)
        }
    }
}
