import ATPHTTP
import ATPRedis
import ATPStore
import ATPTestSupport
import Foundation
import Testing

extension Durability {
    /// `--events-stream`: entries XADDed to a stream atpd consumes end up in the stock with the
    /// rules of `POST /v1/events`; a malformed one goes to `<stream>:dead`; after kill -9 and a
    /// restart, the same entries added again change nothing.
    @Suite struct Stream {
        static let entries: [[String]] = [
            [
                "id", "st-1", "source", "wms-1", "seq", "1", "type", "set", "sku", "SA", "location", "DC1",
                "qty", "50",
            ],
            [
                "id", "st-2", "source", "wms-1", "seq", "2", "type", "adjust", "sku", "SA", "location", "DC1",
                "delta", "-5",
            ],
            // The same id again: a duplicate, whatever it says.
            [
                "id", "st-1", "source", "wms-1", "seq", "3", "type", "set", "sku", "SA", "location", "DC1",
                "qty", "999",
            ],
            // Out of order: seq 1 after seq 2 of the same source and cell is stale.
            [
                "id", "st-3", "source", "wms-1", "seq", "1", "type", "set", "sku", "SA", "location", "DC1",
                "qty", "777",
            ],
            // Malformed: no such type.
            ["id", "st-4", "type", "teleport", "sku", "SA", "location", "DC1", "qty", "1"],
            [
                "id", "st-5", "source", "wms-1", "seq", "3", "type", "set", "sku", "SB", "location", "DC1",
                "qty", "7",
            ],
            ["id", "st-6", "type", "sale", "sku", "SB", "location", "DC1", "qty", "2"],
        ]

        @Test(.timeLimit(.minutes(1))) func streamEventsSurviveKill9AndRedeliveryChangesNothing() throws {
            let redis = try RedisServerProcess(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
            let atpd = try AtpdProcess(["--store", redis.url, "--events-stream", "wms"])
            let connection = try RedisConnection(url: try RedisURL(redis.url))
            var client = AtpdClient(atpd)

            var ids = try Self.entries.map { try Self.add(connection, $0) }
            try Self.waitForAcks(client, ids.count, atpd)
            var figures = try Self.onHand(client)
            #expect(figures == ["SA": 45, "SB": 5], "stock from the stream: \(figures)")
            #expect(
                try Self.counts(client) == [
                    "applied": 4, "duplicate": 1, "stale": 1, "rejected": 1, "dead_lettered": 1,
                ])
            var dead = try Self.deadLetters(connection)
            #expect(dead.count == 1, "dead letters: \(dead)")
            if let letter = dead.first {
                #expect(letter["id"] == "st-4" && letter["dead-entry"] == ids[4], "dead letter \(letter)")
                #expect(
                    letter["dead-code"] == "invalid_event" && letter["dead-reason"]?.contains("type") == true,
                    "dead letter \(letter)")
            }

            atpd.kill9()
            try atpd.start()
            client = AtpdClient(atpd)
            figures = try Self.onHand(client)
            #expect(figures == ["SA": 45, "SB": 5], "stock after kill -9 and restart: \(figures)")
            // Every entry again (new stream ids, same events), then one new event as a marker.
            ids = try Self.entries.map { try Self.add(connection, $0) }
            ids.append(
                try Self.add(
                    connection,
                    ["id", "st-7", "type", "adjust", "sku", "SB", "location", "DC1", "delta", "1"]))
            try Self.waitForAcks(client, ids.count, atpd)
            figures = try Self.onHand(client)
            #expect(figures == ["SA": 45, "SB": 6], "stock after the entries were added again: \(figures)")
            let counts = try Self.counts(client)
            #expect(
                counts["applied"] == 1 && counts["rejected"] == 1
                    && (counts["duplicate"] ?? 0) + (counts["stale"] ?? 0) == 6,
                "outcomes after the restart: \(counts)")
            dead = try Self.deadLetters(connection)
            #expect(dead.count == 2 && dead.last?["id"] == "st-4", "dead letters: \(dead)")
            try atpd.terminate()
        }

        /// `XADD wms * fields…`; the entry's id.
        private static func add(_ redis: RedisConnection, _ fields: [String]) throws -> String {
            let reply = try redis.command(["XADD", "wms", "*"] + fields)
            return try #require(reply.string, "XADD answered \(reply)")
        }

        /// Waits (at most 10 s) until atpd has acknowledged `count` entries since it started.
        private static func waitForAcks(_ client: AtpdClient, _ count: Int, _ atpd: AtpdProcess) throws {
            _ = try eventually(within: 10_000, every: 20) {
                try metric(client, "atpd_stream_acked_total") ?? 0 >= count
            }
            let acked = try metric(client, "atpd_stream_acked_total") ?? 0
            #expect(
                acked == count,
                "atpd acknowledged \(acked) of \(count) stream entries within 10 s:\n\(atpd.stderrTail)")
        }

        /// On-hand at DC1 of SA and SB.
        private static func onHand(_ client: AtpdClient) throws -> [String: Int] {
            var out: [String: Int] = [:]
            for sku in ["SA", "SB"] { out[sku] = try client.stock(sku)["DC1"]?.onHand }
            return out
        }

        /// `atpd_stream_entries_total` by outcome.
        private static func counts(_ client: AtpdClient) throws -> [String: Int] {
            var out: [String: Int] = [:]
            for outcome in ["applied", "duplicate", "stale", "rejected", "dead_lettered"] {
                out[outcome] = try metric(client, "atpd_stream_entries_total{outcome=\"\(outcome)\"}")
            }
            return out
        }

        private static func metric(_ client: AtpdClient, _ sample: String) throws -> Int? {
            let text = try client.send("GET", "/metrics").text
            for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
                return Int(line.dropFirst(sample.count + 1))
            }
            return nil
        }

        /// The entries of `wms:dead` as field dictionaries, oldest first.
        private static func deadLetters(_ redis: RedisConnection) throws -> [[String: String]] {
            let reply = try redis.command(["XRANGE", "wms:dead", "-", "+"])
            return (reply.array ?? []).map { entry in
                let flat = entry.array?.last?.array?.compactMap(\.string) ?? []
                var fields: [String: String] = [:]
                for i in stride(from: 0, to: flat.count - 1, by: 2) { fields[flat[i]] = flat[i + 1] }
                return fields
            }
        }
    }
}
