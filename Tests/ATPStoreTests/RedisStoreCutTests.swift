import ATPEngine
import ATPPosix
import ATPRedis
import ATPStore
import ATPTestSupport
import ATPUtilities
import Dispatch
import Foundation
import Glibc
import Testing

/// A batch must never carry a change whose records are not in it: Redis would hold the effect of
/// an event without its id, and a client retrying after a crash would apply it twice (found by
/// the kill -9 durability test, 1 run in about 10, when layout 1 wrote the engine's current
/// values). Layout 2 writes records, and this stays its guard.
@Suite struct RedisStoreCutTests {
    /// Event `late` is applied to a cell but appended 300 ms later (a slow request thread), while
    /// event `early` on the same cell is appended at once. When `early` is durable, Redis must
    /// show `late`'s effect only together with `late`'s event id.
    @Test(.timeLimit(.minutes(1))) func aBatchNeverCarriesAChangeWithoutItsRecords() throws {
        let server = try RedisServerProcess()
        let engine = Engine(clock: ManualClock())
        let store = RedisStore(
            url: try RedisURL(server.url), prefix: "atp:", waitForFsync: false, engine: engine)
        _ = try store.recover(into: engine)
        defer { store.close() }
        let gate = try #require(store.mutationGate as MutationGate?)
        try append(store, engine.apply([event("seed", .set, "A", "DC1", 100)]).records)()

        let lateApplied = DispatchSemaphore(value: 0)
        let lateDurable = DispatchSemaphore(value: 0)
        JoinableThread(name: "late-mutation") {
            gate.enter()
            let records = engine.apply([event("late", .adjust, "A", "DC1", 7)]).records
            lateApplied.signal()
            MonotonicClock.sleep(milliseconds: 300)
            store.append(records) { _ in lateDurable.signal() }
            gate.exit()
        }.detach()
        lateApplied.wait()
        let early = gate.pass {
            append(store, engine.apply([event("early", .adjust, "A", "DC1", 1)]).records)
        }
        try early()

        // Recovered now, Redis holds `late`'s effect only with its id: either neither (a client
        // retrying `late` applies it once) or both (the batch waited for it at the gate).
        let now = Engine(clock: ManualClock())
        _ = try RedisJournalWriter(url: try RedisURL(server.url), waitForFsync: false, engine: now).recover(
            into: now)
        let onHand = now.stock(sku: "A")?.locations.first?.onHand
        let retried = now.apply([event("late", .adjust, "A", "DC1", 7)]).outcomes
        #expect((onHand == 101 && retried == [.applied]) || (onHand == 108 && retried == [.duplicate]))

        #expect(lateDurable.wait(timeout: .now() + 5) == .success)
        let after = Engine(clock: ManualClock())
        _ = try RedisJournalWriter(url: try RedisURL(server.url), waitForFsync: false, engine: after).recover(
            into: after)
        #expect(after.stock(sku: "A")?.locations.first?.onHand == 108)
        #expect(after.apply([event("late", .adjust, "A", "DC1", 7)]).outcomes == [.duplicate])
    }

    /// Appends `records`; the returned function waits until they are durable.
    private func append(_ store: RedisStore, _ records: [JournalRecord]) -> () throws -> Void {
        let done = DispatchSemaphore(value: 0)
        let result = Locked<Result<Void, StoreError>?>(nil)
        store.append(records) { r in
            result.withLock { $0 = r }
            done.signal()
        }
        return {
            #expect(done.wait(timeout: .now() + 5) == .success)
            try result.withLock { $0 }?.get()
        }
    }
}
