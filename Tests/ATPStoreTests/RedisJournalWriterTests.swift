import ATPEngine
import ATPRedis
import ATPTestSupport
import Testing

@testable import ATPStore

/// `RedisJournalWriter` against a real `redis-server`: a mixed workload written and recovered,
/// all-or-nothing batches, a server killed and restarted, key expiries, and refusals.
@Suite struct RedisJournalWriterTests {
    static let skus = ["A", "B", "C", "Ü-ñ"]

    private func writer(_ server: RedisServerProcess, _ engine: Engine, waitForFsync: Bool = false) throws
        -> RedisJournalWriter
    {
        RedisJournalWriter(
            url: try RedisURL(server.url), prefix: "atp:", waitForFsync: waitForFsync, engine: engine,
            configuration: engine.configuration)
    }

    /// Recovers a fresh engine (on `clock`) from `server`.
    private func recovered(_ server: RedisServerProcess, clock: ManualClock) throws -> (
        Engine, RecoveryReport
    ) {
        let engine = Engine(clock: clock)
        let report = try writer(server, engine).recover(into: engine)
        return (engine, report)
    }

    /// Runs a workload of every record kind on `engine`, writing each batch with `write`.
    private func mixedWorkload(
        _ engine: Engine, _ clock: ManualClock, write: ([[JournalRecord]]) throws -> Void
    ) throws {
        try write([
            [try engine.define(ChannelView(name: "web", locations: ["DC1", "STORE-7"], bufferUnits: 2))],
            [try engine.define(ChannelView(name: "all"))],
            [try engine.define(ChannelView(name: "gone", bufferUnits: 1))],
        ])
        try write([[engine.removeChannel(named: "gone")!]])
        let seeded = engine.apply([
            event("wms-1-1", .set, "A", "DC1", 100, source: "wms-1", seq: 1),
            event("wms-1-2", .adjust, "A", "DC1", -2, source: "wms-1", seq: 2),
            event("pos-7-5", .set, "A", "STORE-7", 10, source: "pos-7", seq: 5),
            event("pos-7-6", .sale, "A", "STORE-7", 1, source: "pos-7", seq: 6),
            event("pos-7-7", .return, "A", "STORE-7", 1),
            event("wms-1-3", .set, "B", "DC1", 50, source: "wms-1", seq: 3),
            event("wms-2-1", .set, "C", "DC2", 5),
            event("wms-2-2", .set, "Ü-ñ", "DC1", 7),
        ])
        #expect(seeded.outcomes.allSatisfy { $0 == .applied })
        try write([seeded.records, [try engine.setSafetyStock(sku: "A", location: "DC1", value: 3).1]])

        let (held, heldRecord) = try hold(engine, [("A", "DC1", 2), ("B", "DC1", 1)])
        let (confirmed, confirmedRecord) = try hold(engine, [("A", "STORE-7", 3)])
        let (fulfilled, fulfilledRecord) = try hold(engine, [("A", "DC1", 5), ("C", "DC2", 2)])
        let (released, releasedRecord) = try hold(engine, [("B", "DC1", 4)])
        let (_, expiringRecord) = try hold(engine, [("Ü-ñ", "DC1", 6)], ttl: 60)
        try write([[heldRecord], [confirmedRecord, fulfilledRecord], [releasedRecord, expiringRecord]])
        try write([
            engine.transition(confirmed.id, .confirm).1, engine.transition(fulfilled.id, .fulfil).1,
            engine.transition(released.id, .release).1,
        ])
        #expect(engine.reservation(held.id)?.status == .held)

        let digest = Digest128("fp")
        #expect(
            engine.idempotency.begin(scope: "key-1", key: "idem-1", fingerprint: digest, now: clock.now())
                == .proceed)
        let idem = engine.idempotency.complete(
            scope: "key-1", key: "idem-1", fingerprint: digest,
            outcome: StoredOutcome(status: 201, body: Array("{\"id\":1}".utf8)),
            now: clock.now())
        clock.advance(seconds: 120)
        let expired = engine.sweepExpired()
        #expect(expired.count == 1)
        let late = engine.apply([event("wms-1-4", .adjust, "A", "DC1", 4, source: "wms-1", seq: 4)])
        try write([[idem], expired, late.records])
    }

    @Test func mixedWorkloadRoundTrips() throws {
        let server = try RedisServerProcess()
        let clock = ManualClock()
        let original = Engine(clock: clock)
        let store = try writer(server, original)
        try mixedWorkload(original, clock) { units in try store.write(units) }

        let (copy, report) = try recovered(server, clock: clock)
        #expect(report.gaps == 0)
        #expect(report.records > 0)
        let expected = canonicalDump(original, skus: Self.skus)
        #expect(canonicalDump(copy, skus: Self.skus) == expected)
        #expect(expected.contains("stock A@DC1 onHand=97 reserved=2 safety=3 available=92"))
        #expect(expected.contains("channel web A=97"))

        // The recovered engine refuses what the original would: a duplicate id and a stale seq.
        let again = copy.apply([
            event("wms-1-1", .set, "A", "DC1", 1, source: "wms-1", seq: 99),
            event("x-1", .set, "A", "DC1", 1, source: "wms-1", seq: 4),
            event("x-2", .set, "A", "DC1", 1, source: "wms-1", seq: 5),
        ])
        #expect(again.outcomes == [.duplicate, .stale, .applied])
    }

    @Test func batchesAreAllOrNothing() throws {
        let server = try RedisServerProcess()
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        let store = try writer(server, engine)
        let admin = try redis(server)
        try store.write([engine.apply([event("e1", .set, "A", "DC1", 10)]).records])

        // A write refused at queue time (OOM) aborts the whole transaction: nothing of it lands.
        #expect(try admin.command(["CONFIG", "SET", "maxmemory", "1"]) == .status("OK"))
        let batch = [
            engine.apply([event("e2", .set, "A", "DC1", 20), event("e3", .set, "B", "DC2", 5)]).records,
            [try engine.define(ChannelView(name: "web"))],
        ]
        let refused = #expect(throws: StoreError.self) { try store.write(batch) }
        #expect(refused == .unavailable(""))
        #expect(refused?.detail.contains("nothing written") == true)
        #expect(
            try admin.command(["EXISTS", "atp:evt:e2", "atp:evt:e3", "atp:cell:B", "atp:channels"])
                == .integer(0))
        #expect(try admin.command(["HGET", "atp:cell:A", "DC1"]).string == "10 1 0")

        #expect(try admin.command(["CONFIG", "SET", "maxmemory", "0"]) == .status("OK"))
        #expect(store.probe())
        try store.write(batch)
        #expect(
            try admin.command(["EXISTS", "atp:evt:e2", "atp:evt:e3", "atp:cell:B", "atp:channels"])
                == .integer(4))
        #expect(try admin.command(["HGET", "atp:cell:A", "DC1"]).string == "20 2 0")

        // Foreign data under the prefix fails inside EXEC, which Redis cannot roll back: reported as corrupt.
        _ = try admin.command(["SET", "atp:cell:Z", "not a hash"])
        let foreign = #expect(throws: StoreError.self) {
            try store.write([engine.apply([event("e4", .set, "Z", "DC1", 1)]).records])
        }
        #expect(foreign == .corrupt(""))
    }

    @Test func survivesAKilledServer() throws {
        let server = try RedisServerProcess(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        let store = try writer(server, engine)
        try store.write([engine.apply([event("before", .set, "A", "DC1", 10)]).records])
        #expect(store.isAvailable)

        server.kill()
        let during = engine.apply([event("during", .adjust, "A", "DC1", 5)]).records
        #expect(throws: StoreError.unavailable("")) { try store.write([during]) }
        #expect(!store.isAvailable)
        // Within the backoff the writer fails at once, without touching the network.
        let fast = #expect(throws: StoreError.self) { try store.write([during]) }
        #expect(fast?.detail.contains("next attempt in") == true)
        #expect(!store.probe())

        try server.restart()
        #expect(eventually { store.probe() })
        #expect(store.isAvailable)
        try store.write([during])
        try store.write([engine.apply([event("after", .sale, "A", "DC1", 3)]).records])

        let (copy, _) = try recovered(server, clock: clock)
        #expect(canonicalDump(copy, skus: ["A"]) == canonicalDump(engine, skus: ["A"]))
        #expect(copy.stock(sku: "A")?.locations.first?.onHand == 12)
    }

    @Test func keysExpireWithTheEngineRetention() throws {
        let server = try RedisServerProcess()
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        let store = try writer(server, engine)
        let admin = try redis(server)
        let day: Int64 = 24 * 3_600_000
        let hour: Int64 = 3_600_000

        var records = engine.apply([event("e1", .set, "A", "DC1", 10, source: "s", seq: 1)]).records
        let (done, created) = try hold(engine, [("A", "DC1", 2)])
        let (open, openCreated) = try hold(engine, [("A", "DC1", 1)], ttl: 7_200)
        records += [created, openCreated] + engine.transition(done.id, .fulfil).1
        let key = Digest128("scope", "k")
        records.append(
            .idempotency(
                IdempotencyRecord(
                    key: key, fingerprint: key, outcome: StoredOutcome(status: 200, body: []), at: clock.now()
                )))
        records.append(.eventSeen(id: Digest128("old"), at: clock.now().adding(milliseconds: -25 * hour)))
        records.append(
            .idempotency(
                IdempotencyRecord(
                    key: Digest128("old"), fingerprint: key, outcome: StoredOutcome(status: 200, body: []),
                    at: clock.now().adding(milliseconds: -25 * hour))))
        clock.advance(seconds: 3_600)  // the batch is written an hour after the facts
        try store.write([records])

        func pttl(_ key: [UInt8]) throws -> Int64 {
            try admin.command([Array("PTTL".utf8), key]).integer ?? -99
        }
        let schema = store.schema
        let aged = (day - hour - 60_000)...(day - hour)
        #expect(aged.contains(try pttl(schema.event(id: "e1"))))
        #expect(aged.contains(try pttl(schema.idempotency(key))))
        #expect(aged.contains(try pttl(schema.reservation(done.id))))
        #expect(try pttl(schema.reservation(open.id)) == -1)
        #expect(try pttl(schema.cell(sku: "A")) == -1)
        #expect(try pttl(schema.sequenceMarks(source: "s")) == -1)
        // Facts older than their retention are not written at all.
        #expect(try pttl(schema.eventDigest(Digest128("old"))) == -2)
        #expect(try pttl(schema.idempotency(Digest128("old"))) == -2)
    }

    @Test func waitForFsyncNeedsWAITAOF() throws {
        let server = try RedisServerProcess(arguments: ["--appendonly", "yes"])
        let engine = Engine(clock: ManualClock())
        let store = try writer(server, engine, waitForFsync: true)
        let known = try redis(server).command(["COMMAND", "INFO", "WAITAOF"]).array?.first?.array != nil
        if known {  // Redis ≥ 7.2: the wait is used
            _ = try store.recover(into: engine)
            try store.write([engine.apply([event("e1", .set, "A", "DC1", 1)]).records])
            return
        }
        let refused = #expect(throws: StoreError.self) { _ = try store.recover(into: engine) }
        #expect(refused == .configuration(""))
        #expect(refused?.detail.contains("WAITAOF") == true)
        #expect(refused?.detail.contains("appendfsync always") == true)
    }

    /// A value that does not read back is quarantined by its key, and recovery goes on.
    @Test func corruptValuesAreQuarantinedByKey() throws {
        let server = try RedisServerProcess()
        let admin = try redis(server)
        _ = try admin.command(["HSET", "atp:cell:A", "DC1", "12 x 0"])
        _ = try admin.command(["HSET", "atp:cell:A", "DC2", "5 1 0"])
        _ = try admin.command(["SET", "other:cell:A", "ignored"])
        let engine = Engine(clock: ManualClock())
        let report = try writer(server, engine).recover(into: engine)
        #expect(report.records == 1)
        #expect(report.quarantinedCount == 1)
        #expect(report.quarantined.first?.place == "redis key atp:cell:A field DC1")
        #expect(report.quarantined.first?.reason.contains("<onHand> <version> <safetyStock>") == true)
        #expect(engine.stock(sku: "A")?.locations.map(\.location) == ["DC2"])
    }
}
