import ATPEngine
import ATPRedis
import ATPTestSupport
import ATPUtilities
import Dispatch
import Testing

@testable import ATPStore

/// `RedisStore` compacts in the background once its logs pass the bound, while appends go on,
/// and recovers the same state from the snapshots and the logs after them.
@Suite struct RedisStoreCompactionTests {
    @Test(.timeLimit(.minutes(1))) func compactionRunsWhileAppendsGoOn() throws {
        let server = try RedisServerProcess()
        let engine = Engine(clock: ManualClock())
        var options = RedisJournalWriter.Options()
        options.snapshotRecords = 100
        let store = RedisStore(
            url: try RedisURL(server.url), prefix: "atp:", waitForFsync: false, engine: engine,
            options: options)
        _ = try store.recover(into: engine)
        let gate = try #require(store.mutationGate)
        let done = DispatchSemaphore(value: 0)
        let failures = Locked(0)
        let total = 1_000
        for i in 0..<total {
            gate.pass {
                let records = engine.apply([event("e-\(i)", .adjust, "S-\(i % 37)", "DC\(i % 3)", 1)]).records
                store.append(EngineChange(records: records)) { result in
                    if case .failure = result { failures.withLock { $0 += 1 } }
                    done.signal()
                }
            }
        }
        for _ in 0..<total { done.wait() }
        #expect(failures.withLock { $0 } == 0)
        // The last batch may start one after its completions ran.
        #expect(eventually { store.statistics.snapshots >= 1 })
        store.waitForCompactionForTesting()
        #expect(store.failedCompactions == 0)
        store.close()

        let copy = Engine(clock: ManualClock())
        let report = try RedisJournalWriter(url: try RedisURL(server.url), waitForFsync: false, engine: copy)
            .recover(into: copy)
        #expect(report.gaps == 0 && report.quarantinedCount == 0)
        let skus = (0..<37).map { "S-\($0)" }
        #expect(canonicalDump(copy, skus: skus) == canonicalDump(engine, skus: skus))
        // The hashes other tools read follow (compaction or the mirror's flush).
        let admin = try redis(server)
        let field = try admin.command(["HGET", "atp:cell:S-0", "DC0"]).string
        #expect(field?.hasPrefix("\(engine.cellFigures(sku: "S-0", location: "DC0")?.onHand ?? -1) ") == true)
    }
}
