import ATPEngine
import ATPHTTP
import ATPPosix
import ATPRedis
import ATPStore
import ATPTestExpectations
import ATPTestSupport
import Foundation
import Testing

extension Durability {
    /// No input may crash atpd, and nothing once accepted may crash it at the next start (issue
    /// 21): a real `atpd` process, its journal or Redis written to by hand.
    @Suite struct PoisonInput {
        /// The reproduction: a channel with `ratePerSecond` 1e-300 used to be accepted, trap the
        /// push thread on the next stock change (SIGILL), and trap again at every start.
        @Test(.timeLimit(.minutes(1))) func aTinyChannelRateIsRefusedAndTheSlowestAllowedIsHarmless() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let atpd = try AtpdProcess(["--store", "file:\(directory.path)"])
            let client = AtpdClient(atpd)
            for rate in [1e-300, 0.0002, Double.leastNonzeroMagnitude] {
                let refused = try client.send(
                    "PUT", "/v1/channels/tiny",
                    json: ["endpoint": "http://127.0.0.1:9/hook", "ratePerSecond": rate, "burst": 1])
                let problem = expectProblem(refused, 400, "invalid_request")
                #expect(
                    (problem["detail"] as? String)?.contains("ratePerSecond must be at least 1/3600") == true,
                    "\(rate): \(refused.text)")
            }
            // The slowest rate allowed: one request an hour. Its bucket's only token goes to the
            // first push; the stock changes after it wait about an hour, and nothing traps.
            let slowest = try client.send(
                "PUT", "/v1/channels/slow",
                json: [
                    "endpoint": "http://127.0.0.1:9/hook", "ratePerSecond": 1.0 / 3600, "burst": 1,
                    "breakerCooldownSeconds": 0.001,
                ])
            #expect(slowest.status == 201, "\(slowest.text)")
            for i in 0..<5 {
                let counts = try client.events([
                    ["id": "poison-\(i)", "type": "set", "sku": "A", "location": "DC1", "qty": 10 + i]
                ])
                #expect(counts == EventCounts(applied: 1))
                MonotonicClock.sleep(milliseconds: 20)
            }
            #expect(try client.send("GET", "/healthz").status == 200, "atpd died: \(atpd.stderrTail)")
            try atpd.terminate()
            try atpd.start()
            let restarted = AtpdClient(atpd)
            let channel = try restarted.send("GET", "/v1/channels/slow")
            #expect(channel.status == 200, "\(channel.text)")
            #expect(channel.text.contains(#""ratePerSecond":0.0002777777777777778"#), "\(channel.text)")
            #expect(try restarted.send("GET", "/v1/channels/tiny").status == 404)
            try atpd.terminate()
        }

        /// A journal with records today's code refuses (a channel an older version accepted, a
        /// hostile cell) and bytes that do not decode: atpd reaches ready, replays the rest, logs
        /// each set-aside record with its offset and counts them in `/metrics`.
        @Test(.timeLimit(.minutes(1))) func fileJournalQuarantinesWhatItCannotReplay() throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            var old = ChannelDelivery(endpoint: "http://127.0.0.1:9/hook", ratePerSecond: 1e-300, burst: 1)
            old.maxBatch = 10
            var journal: [UInt8] = []
            JournalFrame.append([Self.event("ok-1", qty: 7)], to: &journal)
            JournalFrame.append([.channelDefined(ChannelView(name: "tiny", delivery: old))], to: &journal)
            JournalFrame.append(
                [
                    .cellSnapshot(
                        CellSnapshotRecord(
                            sku: "H", location: "DC1", onHand: 1 << 62, version: 1, safetyStock: 1 << 40))
                ],
                to: &journal)
            // One checksummed frame: a record of garbage bytes, then a good record.
            Self.appendFrame(
                records: [[0xEE, 0x01, 0x02], Self.event("ok-2", sku: "B", qty: 3).encoded], to: &journal)
            try Data(journal).write(
                to: URL(fileURLWithPath: directory.path + "/journal-0000000000000001.log"))

            let atpd = try AtpdProcess(["--store", "file:\(directory.path)"])
            let client = AtpdClient(atpd)
            #expect(try client.send("GET", "/readyz").status == 200)
            #expect(try client.stock("A")["DC1"]?.onHand == 7)
            #expect(try client.stock("B")["DC1"]?.onHand == 3)
            #expect(try client.send("GET", "/v1/stock/H").status == 404, "the hostile cell was not replayed")
            #expect(try client.send("GET", "/v1/channels/tiny").status == 404)
            let metrics = try client.send("GET", "/metrics").text
            #expect(metrics.contains("\natpd_recovery_quarantined_records 3\n"), "\(metrics.prefix(600))")
            let log = atpd.stderrTail
            #expect(log.components(separatedBy: "record_quarantined").count - 1 == 3, "\(log)")
            #expect(log.contains("ratePerSecond must be at least 1/3600"), "\(log)")
            #expect(log.contains("does not decode"), "\(log)")
            #expect(log.contains("journal-0000000000000001.log offset "), "\(log)")
            // What replayed is served and journaled as usual, and a restart is clean.
            #expect(try client.events([Self.eventJSON("ok-3", qty: 8)]) == EventCounts(applied: 1))
            try atpd.terminate()
            try atpd.start()
            #expect(try AtpdClient(atpd).stock("A")["DC1"]?.onHand == 8)
            try atpd.terminate()
        }

        /// Hostile and undecodable entries written straight into Redis: atpd reaches ready, loads
        /// every good key and reports each bad one by its key.
        @Test(.timeLimit(.minutes(1))) func redisRecoveryQuarantinesHostileKeys() throws {
            let redis = try RedisServerProcess()
            let connection = try RedisConnection(url: try RedisURL(redis.url))
            let tiny = ChannelDelivery(endpoint: "http://127.0.0.1:9/hook", ratePerSecond: 1e-300, burst: 1)
            let badReservation = Reservation(
                id: ReservationID(raw: 7), status: .held,
                lines: [ReservationLine(sku: "A", location: "DC1", qty: 1 << 50)],
                createdAt: Timestamp(milliseconds: 0), expiresAt: Timestamp(milliseconds: 1 << 50),
                updatedAt: Timestamp(milliseconds: 0), reference: nil)
            let commands: [[[UInt8]]] = [
                ["HSET", "atp:cell:A", "DC1", "9 1 0"].map { Array($0.utf8) },
                ["HSET", "atp:cell:A", "DC2", "lots"].map { Array($0.utf8) },
                ["HSET", "atp:cell:C", "DC1", "1 1 99999999999"].map { Array($0.utf8) },
                [
                    Array("HSET".utf8), Array("atp:channels".utf8), Array("tiny".utf8),
                    JournalRecord.channelDefined(ChannelView(name: "tiny", delivery: tiny)).encoded,
                ],
                [Array("HSET".utf8), Array("atp:channels".utf8), Array("junk".utf8), [0xEE, 0x00]],
                [
                    Array("SET".utf8), Array("atp:res:r_0000000000000007".utf8),
                    JournalRecord.reservationSnapshot(badReservation).encoded,
                ],
                ["SET", "atp:evt:x", "yesterday"].map { Array($0.utf8) },
                // A time near Int64.max: `at + retention` would overflow in the id table.
                ["SET", "atp:evt:y", "9223372036854775000"].map { Array($0.utf8) },
            ]
            for command in commands {
                let reply = try connection.command(command)
                #expect(!reply.isError, "\(reply)")
            }
            let atpd = try AtpdProcess(["--store", redis.url])
            let client = AtpdClient(atpd)
            #expect(try client.send("GET", "/readyz").status == 200)
            let a = try client.stock("A")
            #expect(a["DC1"]?.onHand == 9 && a["DC1"]?.reserved == 0, "\(a)")
            #expect(a["DC2"] == nil)
            #expect(try client.send("GET", "/v1/stock/C").status == 404)
            #expect(try client.send("GET", "/v1/channels/tiny").status == 404)
            let metrics = try client.send("GET", "/metrics").text
            #expect(metrics.contains("\natpd_recovery_quarantined_records 7\n"), "\(metrics.prefix(600))")
            let log = atpd.stderrTail
            for place in [
                "redis key atp:cell:A field DC2", "redis key atp:cell:C field DC1",
                "redis key atp:channels field tiny",
                "redis key atp:channels field junk", "redis key atp:res:r_0000000000000007",
                "redis key atp:evt:x",
                "redis key atp:evt:y",
            ] {
                #expect(log.contains(place), "\(place) not in \(log)")
            }
            try atpd.terminate()
        }

        private static func event(_ id: String, sku: String = "A", qty: Int64) -> JournalRecord {
            .stockEvent(
                StockEventRecord(
                    event: StockEvent(id: id, kind: .set, sku: sku, location: "DC1", amount: qty),
                    at: Timestamp(milliseconds: 1_800_000_000_000), version: 1))
        }

        private static func eventJSON(_ id: String, qty: Int) -> [String: Any] {
            ["id": id, "type": "set", "sku": "A", "location": "DC1", "qty": qty]
        }

        /// A checksummed frame of raw record bytes (each shorter than 128 bytes).
        private static func appendFrame(records: [[UInt8]], to buffer: inout [UInt8]) {
            var payload: [UInt8] = [JournalFrame.format, UInt8(records.count)]
            for record in records {
                payload.append(UInt8(record.count))
                payload += record
            }
            let crc = payload.withUnsafeBytes { CRC32C.checksum($0) }
            for value in [UInt32(payload.count), crc] {
                withUnsafeBytes(of: value.littleEndian) { buffer += $0 }
            }
            buffer += payload
        }
    }
}
