import ATPEngine
import ATPRedis
import ATPService
import ATPTestSupport
import ATPUtilities
import Synchronization
import Testing

@testable import ATPStore

/// `RedisStreamConsumer` against a real `redis-server`: rules of stock events, dead letters,
/// acknowledgement only after durability, and a consumer that dies between apply and ack.
@Suite struct RedisStreamConsumerTests {
    static let stream = "atp:events"

    /// What the durability callback does: succeed, fail, or never answer (a hung store).
    enum Mode { case succeed, fail, hang }

    /// A store whose behaviour the test switches, recording what it was given; a failed append is
    /// rolled back in the engine, as the real stores do.
    final class Durability: Store, @unchecked Sendable {
        let kind = "scripted"
        let mode: Locked<Mode>
        let records = Locked<[JournalRecord]>([])
        let calls = Atomic<Int>(0)
        let engine = Locked<Engine?>(nil)
        /// The onHand of sku A at DC1 right after each rollback, read on the committing thread:
        /// the consumer retries at once, so a read from the test thread could land mid-attempt.
        let onHandAfterRollback = Locked<[Int64]>([])

        init(_ mode: Mode) { self.mode = Locked(mode) }

        func recover(into engine: Engine) throws(StoreError) -> RecoveryReport { RecoveryReport() }
        var isAvailable: Bool { true }
        var statistics: StoreStatistics { StoreStatistics() }
        func close() {}

        func append(
            _ unit: EngineChange, completion done: @escaping @Sendable (Result<Void, StoreError>) -> Void
        ) {
            calls.add(1, ordering: .relaxed)
            switch mode.withLock({ $0 }) {
            case .succeed:
                self.records.withLock { $0 += unit.records }
                done(.success(()))
            case .fail:
                if let engine = engine.withLock({ $0 }) {
                    engine.rollBack(unit)
                    let onHand = engine.stock(sku: "A")?.locations.first?.onHand ?? 0
                    onHandAfterRollback.withLock { $0.append(onHand) }
                }
                done(.failure(.unavailable("test store down")))
            case .hang: break
            }
        }
    }

    private func consumer(
        _ server: RedisServerProcess, _ engine: Engine, _ durability: Durability, name: String = "c1",
        minIdle: Int = 30_000, claimEvery: Int64 = 5_000
    ) throws -> RedisStreamConsumer {
        var configuration = RedisStreamConfiguration(url: try RedisURL(server.url), stream: Self.stream)
        configuration.consumer = name
        configuration.blockMilliseconds = 100
        configuration.claimMinIdleMilliseconds = minIdle
        configuration.claimIntervalMilliseconds = claimEvery
        durability.engine.withLock { $0 = engine }
        return RedisStreamConsumer(
            configuration: configuration, durable: DurableEngine(engine: engine, store: durability))
    }

    private func add(_ redis: RedisConnection, _ fields: [String]) throws {
        let reply = try redis.command(["XADD", Self.stream, "*"] + fields)
        #expect(reply.string != nil, "XADD answered \(reply)")
    }

    /// The number of entries pending in the group, and per consumer.
    private func pending(_ redis: RedisConnection) throws -> (total: Int64, consumers: [String: Int64]) {
        let reply = try redis.command(["XPENDING", Self.stream, "atpd"])
        let parts = reply.array ?? []
        var consumers: [String: Int64] = [:]
        for pair in parts.count == 4 ? parts[3].array ?? [] : [] {
            if let items = pair.array, let name = items[0].string,
                let count = items[1].string.flatMap({ Int64($0) })
            {
                consumers[name] = count
            }
        }
        return (parts.first?.integer ?? -1, consumers)
    }

    @Test func appliesEventsByTheRulesAndDeadLettersTheBadOnes() throws {
        let server = try RedisServerProcess()
        let redis = try redis(server)
        let engine = Engine(clock: ManualClock())
        let durability = Durability(.succeed)
        // Written before the consumer exists: a group created at `0` reads them.
        try add(
            redis,
            [
                "id", "w-1", "source", "wms-1", "seq", "10", "type", "set", "sku", "A", "location", "DC1",
                "qty", "100", "reason", "cycle_count", "at", "2026-11-25T10:00:00Z",
            ])
        try add(
            redis,
            [
                "id", "w-2", "source", "wms-1", "seq", "11", "type", "adjust", "sku", "A", "location", "DC1",
                "delta", "-2",
            ])
        try add(
            redis,
            [
                "id", "w-2", "source", "wms-1", "seq", "12", "type", "adjust", "sku", "A", "location", "DC1",
                "delta", "-2",
            ])  // duplicate id
        try add(
            redis,
            [
                "id", "w-0", "source", "wms-1", "seq", "9", "type", "set", "sku", "A", "location", "DC1",
                "qty", "1",
            ])  // stale
        try add(redis, ["id", "bad-1", "type", "set", "sku", "A", "location", "DC1"])  // no qty
        let c = try consumer(server, engine, durability)
        c.start()
        defer { c.stop() }
        try add(
            redis,
            [
                "id", "p-1", "source", "pos-7", "type", "sale", "sku", "A", "location", "DC1", "qty", "3",
                "source", "",
            ])  // source twice
        try add(redis, ["id", "p-2", "type", "sale", "sku", "A", "location", "DC1", "qty", "3"])
        try add(
            redis,
            [
                "id", "p-3", "type", "return", "sku", "A", "location", "DC1", "qty", "1", "seq", "", "extra",
                "ignored",
            ])
        try add(redis, ["id", "bad-2", "type", "refill", "sku", "A", "location", "DC1", "qty", "1"])
        // Refused by the engine:
        try add(redis, ["id", "bad-3", "type", "adjust", "sku", "A", "location", "DC1", "delta", "0"])
        try add(redis, ["id", "bad-4", "type", "set", "sku", "A", "location", "DC1", "qty", "2000000000"])

        #expect(eventually { c.counters.acked.load(ordering: .relaxed) == 11 })
        #expect(c.counters.applied.load(ordering: .relaxed) == 4)
        #expect(c.counters.duplicate.load(ordering: .relaxed) == 1)
        #expect(c.counters.stale.load(ordering: .relaxed) == 1)
        #expect(c.counters.rejected.load(ordering: .relaxed) == 5)
        #expect(c.counters.deadLettered.load(ordering: .relaxed) == 5)
        #expect(engine.stock(sku: "A")?.locations.first?.onHand == 96)
        #expect(durability.records.withLock { $0.count } == 4)
        #expect(try pending(redis).total == 0)
        #expect(c.isConnected)

        let dead = try #require(try redis.command(["XRANGE", Self.stream + ":dead", "-", "+"]).array)
        #expect(dead.count == 5)
        var reasons: [String: (code: String, reason: String)] = [:]
        for entry in dead {
            let flat = (entry.array?[1].array ?? []).compactMap(\.string)
            let fields = Dictionary(
                stride(from: 0, to: flat.count, by: 2).map { (flat[$0], flat[$0 + 1]) },
                uniquingKeysWith: { a, _ in a })
            reasons[fields["id"] ?? "?"] = (fields["dead-code"] ?? "", fields["dead-reason"] ?? "")
            #expect(fields["dead-entry"] != nil && fields["dead-consumer"] == "c1")
        }
        #expect(reasons["bad-1"]?.reason == "qty is required for set")
        #expect(reasons["p-1"]?.reason == "field source is given twice")
        #expect(reasons["bad-2"]?.code == "invalid_event")
        #expect(reasons["bad-3"]?.code == "invalid_event")
        #expect(reasons["bad-4"]?.code == "quantity_out_of_range")
    }

    @Test func acknowledgesOnlyAfterTheRecordsAreDurable() throws {
        let server = try RedisServerProcess()
        let redis = try redis(server)
        let engine = Engine(clock: ManualClock())
        let durability = Durability(.fail)
        // Added before the consumer starts, so that one XREADGROUP takes all three: while their
        // records are not durable, the consumer reads nothing new.
        for i in 0..<3 {
            try add(redis, ["id", "e\(i)", "type", "adjust", "sku", "A", "location", "DC1", "delta", "5"])
        }
        let c = try consumer(server, engine, durability)
        c.start()
        defer { c.stop() }
        #expect(eventually { durability.calls.load(ordering: .relaxed) >= 2 })
        // Each failed commit was rolled back: nothing counts as applied, the engine is unchanged.
        #expect(c.counters.applied.load(ordering: .relaxed) == 0)
        let afterRollback = durability.onHandAfterRollback.withLock { $0 }
        #expect(afterRollback.count >= 2 && afterRollback.allSatisfy { $0 == 0 }, "\(afterRollback)")
        #expect(c.counters.acked.load(ordering: .relaxed) == 0)
        #expect(c.counters.errors.load(ordering: .relaxed) >= 1)
        #expect(c.lastError?.contains("test store down") == true)
        let stuck = try pending(redis)
        #expect(stuck.total == 3)
        #expect(stuck.consumers == ["c1": 3])

        durability.mode.withLock { $0 = .succeed }
        #expect(eventually { c.counters.acked.load(ordering: .relaxed) == 3 })
        #expect(try pending(redis).total == 0)
        #expect(durability.records.withLock { $0.count } == 3)
        #expect(engine.stock(sku: "A")?.locations.first?.onHand == 15)
    }

    @Test func anotherConsumerClaimsWhatADeadOneLeftPending() throws {
        let server = try RedisServerProcess()
        let redis = try redis(server)
        let engine = Engine(clock: ManualClock())
        for i in 0..<4 {
            try add(redis, ["id", "e\(i)", "type", "adjust", "sku", "A", "location", "DC1", "delta", "2"])
        }
        let hung = Durability(.hang)
        let first = try consumer(server, engine, hung, name: "dies")
        first.start()
        #expect(eventually { hung.calls.load(ordering: .relaxed) == 1 })
        // It "crashes" between apply and ack: its durability never answers, and it is stopped.
        #expect(first.stop(timeoutMilliseconds: 2_000))
        #expect(try pending(redis).consumers == ["dies": 4])
        let state = canonicalDump(engine, skus: ["A"])

        let durability = Durability(.succeed)
        let second = try consumer(
            server, engine, durability, name: "takes-over", minIdle: 200, claimEvery: 100)
        second.start()
        defer { second.stop() }
        #expect(eventually { second.counters.acked.load(ordering: .relaxed) == 4 })
        #expect(second.counters.claimed.load(ordering: .relaxed) >= 4)
        #expect(second.counters.duplicate.load(ordering: .relaxed) == 4)
        #expect(second.counters.applied.load(ordering: .relaxed) == 0)
        #expect(try pending(redis).total == 0)
        #expect(canonicalDump(engine, skus: ["A"]) == state)
        #expect(engine.stock(sku: "A")?.locations.first?.onHand == 8)
    }

    @Test func reconnectsAfterTheServerRestarts() throws {
        let server = try RedisServerProcess(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
        let engine = Engine(clock: ManualClock())
        let c = try consumer(server, engine, Durability(.succeed))
        c.start()
        defer { c.stop() }
        try add(
            try redis(server), ["id", "before", "type", "set", "sku", "A", "location", "DC1", "qty", "5"])
        #expect(eventually { c.counters.acked.load(ordering: .relaxed) == 1 })

        server.kill()
        #expect(eventually { !c.isConnected })
        try server.restart()
        try add(
            try redis(server), ["id", "after", "type", "sale", "sku", "A", "location", "DC1", "qty", "2"])
        #expect(eventually(within: 10_000) { c.counters.acked.load(ordering: .relaxed) == 2 })
        #expect(engine.stock(sku: "A")?.locations.first?.onHand == 3)
        #expect(c.counters.errors.load(ordering: .relaxed) >= 1)
    }

    @Test func stopIsBounded() throws {
        let server = try RedisServerProcess()
        let c = try consumer(server, Engine(clock: ManualClock()), Durability(.succeed))
        c.start()
        #expect(eventually { c.isConnected })
        let started = ContinuousClock.now
        #expect(c.stop(timeoutMilliseconds: 3_000))
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(c.stop())  // a second stop is harmless
    }
}
