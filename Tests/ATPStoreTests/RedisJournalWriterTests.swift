import ATPEngine
import ATPRedis
import ATPTestSupport
import Testing

@testable import ATPStore

/// `RedisJournalWriter` against a real `redis-server`: a mixed workload written and recovered,
/// all-or-nothing commits, a server killed and restarted, compaction, the tail of an unknown
/// outcome cut off, damage named by key and offset, and layouts and libraries it refuses.
@Suite struct RedisJournalWriterTests {
    static let skus = ["A", "B", "C", "Ü-ñ"]

    private func writer(
        _ server: RedisServerProcess, _ engine: Engine, waitForFsync: Bool = false, partitions: Int = 64
    ) throws -> RedisJournalWriter {
        var options = RedisJournalWriter.Options()
        options.partitions = partitions
        return RedisJournalWriter(
            url: try RedisURL(server.url), prefix: "atp:", waitForFsync: waitForFsync, engine: engine,
            options: options)
    }

    /// A writer that has recovered (made) the store into `engine`, ready to write.
    private func openWriter(_ server: RedisServerProcess, _ engine: Engine) throws -> RedisJournalWriter {
        let store = try writer(server, engine)
        _ = try store.recover(into: engine)
        return store
    }

    private static let layout = RedisLogLayout()

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
        _ engine: Engine, _ clock: ManualClock, write batch: ([[JournalRecord]]) throws -> Void
    ) throws {
        func write(_ units: [[JournalRecord]]) throws { try batch(units) }
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
        let store = try openWriter(server, original)
        try mixedWorkload(original, clock) { units in try store.write(units.map { EngineChange(records: $0) })
        }

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

    @Test func aCommitIsOneCallAndAllOrNothing() throws {
        let server = try RedisServerProcess()
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        let store = try openWriter(server, engine)
        let admin = try redis(server)
        try store.write([EngineChange(records: engine.apply([event("e1", .set, "A", "DC1", 10)]).records)])
        let before = canonicalDump(try recovered(server, clock: clock).0, skus: ["A", "B"])
        _ = try admin.command(["CONFIG", "RESETSTAT"])

        // A call refused (OOM) writes nothing of any partition it names.
        #expect(try admin.command(["CONFIG", "SET", "maxmemory", "1"]) == .status("OK"))
        let batch = [
            EngineChange(
                records: engine.apply([event("e2", .set, "A", "DC1", 20), event("e3", .set, "B", "DC2", 5)])
                    .records),
            EngineChange(records: [try engine.define(ChannelView(name: "web"))]),
        ]
        let refused = #expect(throws: StoreError.self) { try store.write(batch) }
        #expect(refused == .unavailable(""))
        #expect(refused?.detail.contains("nothing written") == true)
        #expect(try admin.command(["CONFIG", "SET", "maxmemory", "0"]) == .status("OK"))
        #expect(canonicalDump(try recovered(server, clock: clock).0, skus: ["A", "B"]) == before)

        #expect(store.probe())
        try store.write(batch)
        #expect(
            canonicalDump(try recovered(server, clock: clock).0, skus: ["A", "B"])
                == canonicalDump(engine, skus: ["A", "B"]))
        // Three partitions touched (A, B, the channel): one call checking three epochs (the refused
        // call counts as rejected, not as a call).
        let stats = try admin.command(["INFO", "commandstats"]).string ?? ""
        #expect(stats.contains("cmdstat_fcall:calls=1,"), "\(stats)")
        #expect(stats.contains("cmdstat_hget:calls=3,"), "\(stats)")
        #expect(!stats.contains("cmdstat_multi"))
    }

    @Test func survivesAKilledServer() throws {
        let server = try RedisServerProcess(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        let store = try openWriter(server, engine)
        try store.write([EngineChange(records: engine.apply([event("before", .set, "A", "DC1", 10)]).records)]
        )
        #expect(store.isAvailable)

        server.kill()
        let during = EngineChange(records: engine.apply([event("during", .adjust, "A", "DC1", 5)]).records)
        #expect(throws: StoreError.unavailable("")) { try store.write([during]) }
        #expect(!store.isAvailable)
        // Within the backoff the writer fails at once, without touching the network.
        let fast = #expect(throws: StoreError.self) { try store.write([during]) }
        #expect(fast?.detail.contains("next attempt in") == true)
        #expect(!store.probe())

        try server.restart()
        #expect(eventually { store.probe() })
        try store.write([during])
        #expect(store.isAvailable)
        try store.write([EngineChange(records: engine.apply([event("after", .sale, "A", "DC1", 3)]).records)])

        let (copy, _) = try recovered(server, clock: clock)
        #expect(canonicalDump(copy, skus: ["A"]) == canonicalDump(engine, skus: ["A"]))
        #expect(copy.stock(sku: "A")?.locations.first?.onHand == 12)
    }

    /// Compaction writes every partition's snapshot, removes the logs it replaces, refreshes
    /// the cell hashes, and the store recovers the same state from snapshot plus later log.
    @Test func compactionReplacesTheLogs() throws {
        let server = try RedisServerProcess()
        let clock = ManualClock()
        let original = Engine(clock: clock)
        let store = try openWriter(server, original)
        let admin = try redis(server)
        try mixedWorkload(original, clock) { units in try store.write(units.map { EngineChange(records: $0) })
        }
        let p = Self.layout.partition(ofText: "A")
        #expect(
            try admin.command([Array("EXISTS".utf8), Self.layout.log(partition: p, generation: 1)])
                == .integer(1))

        try store.compactNow()
        #expect(
            try admin.command([Array("EXISTS".utf8), Self.layout.log(partition: p, generation: 1)])
                == .integer(0))
        #expect(
            try admin.command([Array("HGET".utf8), Self.layout.meta(partition: p), Array("snap".utf8)]).string
                == "2")
        #expect(
            try admin.command([Array("HGET".utf8), Self.layout.meta(partition: p), Array("head".utf8)]).string
                == "2")
        #expect(try admin.command(["HGET", "atp:cell:A", "DC1"]).string == "97 4 3")

        try store.write([
            EngineChange(records: original.apply([event("post", .adjust, "A", "DC1", 1)]).records)
        ])
        try store.compactNow()
        try store.write([
            EngineChange(records: original.apply([event("post-2", .adjust, "B", "DC1", -1)]).records)
        ])
        let (copy, report) = try recovered(server, clock: clock)
        #expect(report.gaps == 0 && report.quarantinedCount == 0)
        #expect(canonicalDump(copy, skus: Self.skus) == canonicalDump(original, skus: Self.skus))
        let keys = (try admin.command(["KEYS", "{atp:\(p)}:*"]).array ?? []).compactMap(\.string).sorted()
        #expect(keys == ["{atp:\(p)}:meta", "{atp:\(p)}:snap:3"])
    }

    /// The tail a commit of unknown outcome may have left is cut off by the next call.
    @Test func aTailBeyondWhatIsKnownDurableIsCutOff() throws {
        let server = try RedisServerProcess()
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        let store = try openWriter(server, engine)
        let admin = try redis(server)
        try store.write([EngineChange(records: engine.apply([event("e1", .set, "A", "DC1", 10)]).records)])
        let log = Self.layout.log(partition: Self.layout.partition(ofText: "A"), generation: 1)
        let length = try admin.command([Array("STRLEN".utf8), log]).integer ?? 0
        // What a rolled-back commit that reached Redis would leave: a frame the engine no longer has.
        let ghost = Engine(clock: clock)
        var frame: [UInt8] = []
        JournalFrame.append(ghost.apply([event("ghost", .set, "A", "DC1", 999)]).records, to: &frame)
        _ = try admin.command([Array("APPEND".utf8), log, frame])
        try store.write([EngineChange(records: engine.apply([event("e2", .adjust, "A", "DC1", 1)]).records)])
        #expect(try admin.command([Array("STRLEN".utf8), log]).integer ?? 0 > length)
        let (copy, _) = try recovered(server, clock: clock)
        #expect(copy.stock(sku: "A")?.locations.first?.onHand == 11)

        // A log shorter than acknowledged means Redis lost writes: refused, named.
        _ = try admin.command([Array("DEL".utf8), log])
        let lost = #expect(throws: StoreError.self) {
            try store.write([
                EngineChange(records: engine.apply([event("e3", .adjust, "A", "DC1", 1)]).records)
            ])
        }
        #expect(lost == .corrupt(""))
        #expect(lost?.detail.contains("LOGLOST") == true)
    }

    /// A damaged frame stops recovery, naming the key and the offset.
    @Test func aDamagedFrameStopsRecoveryWithItsKeyAndOffset() throws {
        let server = try RedisServerProcess()
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        let store = try openWriter(server, engine)
        let admin = try redis(server)
        try store.write([EngineChange(records: engine.apply([event("e1", .set, "A", "DC1", 10)]).records)])
        try store.write([EngineChange(records: engine.apply([event("e2", .set, "A", "DC1", 11)]).records)])
        let p = Self.layout.partition(ofText: "A")
        let log = Self.layout.log(partition: p, generation: 1)
        let length = try admin.command([Array("STRLEN".utf8), log]).integer ?? 0
        _ = try admin.command([Array("SETRANGE".utf8), log, Array("\(length - 3)".utf8), [0xFF]])
        let damaged = #expect(throws: StoreError.self) { _ = try recovered(server, clock: clock) }
        #expect(damaged == .corrupt(""))
        #expect(damaged?.detail.contains("{atp:\(p)}:log:1") == true, "\(damaged?.detail ?? "")")
        #expect(damaged?.detail.contains("damaged frame at offset \(length / 2) of \(length)") == true)
    }

    @Test func anotherLayoutOrPartitionCountIsRefusedWithWhatToRun() throws {
        let server = try RedisServerProcess()
        let engine = Engine(clock: ManualClock())
        _ = try openWriter(server, engine)
        let fewer = #expect(throws: StoreError.self) {
            let other = Engine(clock: ManualClock())
            _ = try writer(server, other, partitions: 8).recover(into: other)
        }
        #expect(fewer == .configuration(""))
        #expect(fewer?.detail.contains("--redis-partitions 64") == true, "\(fewer?.detail ?? "")")

        _ = try redis(server).command(["HSET", "atp:meta", "layout", "3"])
        let newer = #expect(throws: StoreError.self) { _ = try recovered(server, clock: ManualClock()) }
        #expect(newer == .configuration(""))
        #expect(newer?.detail.contains("layout 3") == true)
    }

    /// An older library is replaced at start; a newer one is refused; a Redis without Functions too.
    @Test func theFunctionLibraryIsVersioned() throws {
        let server = try RedisServerProcess()
        let admin = try redis(server)
        let old =
            "#!lua name=atpd\nredis.register_function{function_name='atpd_version', callback=function() return 0 end, flags={'no-writes'}}"
        #expect(try admin.command(["FUNCTION", "LOAD", old]).string == "atpd")
        _ = try recovered(server, clock: ManualClock())
        #expect(try admin.command(["FCALL_RO", "atpd_version", "0"]) == .integer(RedisFunctions.version))

        let newer = old.replacingOccurrences(of: "return 0", with: "return 99")
        #expect(try admin.command(["FUNCTION", "LOAD", "REPLACE", newer]).string == "atpd")
        let refused = #expect(throws: StoreError.self) { _ = try recovered(server, clock: ManualClock()) }
        #expect(refused?.detail.contains("version 99, newer") == true)

        let bare = try RedisServerProcess(arguments: ["--rename-command", "FCALL_RO", ""])
        let none = #expect(throws: StoreError.self) { _ = try recovered(bare, clock: ManualClock()) }
        #expect(none == .configuration(""))
        #expect(none?.detail.contains("Redis ≥ 7.0") == true)
    }

    @Test func waitForFsyncNeedsWAITAOF() throws {
        let server = try RedisServerProcess(arguments: ["--appendonly", "yes"])
        let engine = Engine(clock: ManualClock())
        let store = try writer(server, engine, waitForFsync: true)
        let known = try redis(server).command(["COMMAND", "INFO", "WAITAOF"]).array?.first?.array != nil
        if known {  // Redis ≥ 7.2: the wait is used
            _ = try store.recover(into: engine)
            try store.write([EngineChange(records: engine.apply([event("e1", .set, "A", "DC1", 1)]).records)])
            return
        }
        let refused = #expect(throws: StoreError.self) { _ = try store.recover(into: engine) }
        #expect(refused == .configuration(""))
        #expect(refused?.detail.contains("WAITAOF") == true)
        #expect(refused?.detail.contains("appendfsync always") == true)
    }

    /// Layout 1 (current values, one key per fact) is migrated at start: its records replayed
    /// (a value that does not read back quarantined by its key), written as snapshots, its keys
    /// removed but the cell hashes, which stay as the mirror.
    @Test func layoutOneIsMigratedAtStart() throws {
        let server = try RedisServerProcess()
        let admin = try redis(server)
        _ = try admin.command(["HSET", "atp:cell:A", "DC1", "12 x 0"])
        _ = try admin.command(["HSET", "atp:cell:A", "DC2", "5 1 0"])
        _ = try admin.command(["SET", "atp:evt:e-1", "1795000000000"])
        _ = try admin.command(["SET", "other:cell:A", "ignored"])
        let engine = Engine(clock: ManualClock())
        let report = try writer(server, engine).recover(into: engine)
        #expect(report.records == 2)
        #expect(report.quarantinedCount == 1)
        #expect(report.quarantined.first?.place == "redis key atp:cell:A field DC1")
        #expect(report.quarantined.first?.reason.contains("<onHand> <version> <safetyStock>") == true)
        #expect(engine.stock(sku: "A")?.locations.map(\.location) == ["DC2"])
        #expect(try admin.command(["HGET", "atp:meta", "layout"]).string == "2")
        #expect(try admin.command(["EXISTS", "atp:evt:e-1"]) == .integer(0))
        #expect(try admin.command(["EXISTS", "atp:cell:A", "other:cell:A"]) == .integer(2))

        // Started again: layout 2 now, the same state, the event id still known.
        let (copy, again) = try recovered(server, clock: ManualClock())
        #expect(again.quarantinedCount == 0)
        #expect(canonicalDump(copy, skus: ["A"]) == canonicalDump(engine, skus: ["A"]))
        #expect(copy.apply([event("e-1", .set, "A", "DC2", 1)]).outcomes == [.duplicate])
    }
}
