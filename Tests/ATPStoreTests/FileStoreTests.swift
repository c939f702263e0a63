import ATPEngine
import ATPPosix
import ATPTestSupport
import ATPUtilities
import Foundation
import Testing

@testable import ATPStore

@Suite struct FileStoreTests {
    @Test(arguments: [1, 2] as [UInt64])
    func recoveryRebuildsTheSameState(seed: UInt64) throws {
        try TemporaryDirectory.with { dir in
            let clock = ManualClock()
            let original = Engine(clock: clock)
            var (store, report) = try openStore(dir, original)
            #expect(report.records == 0)
            #expect(store.kind == "file" && store.isAvailable)
            var records = 0
            var appender = Appender(store)
            var workload = Workload(engine: original, clock: clock, seed: seed)
            workload.run(steps: 2000) { unit in
                records += unit.count
                appender.append(unit)
            }
            #expect(appender.drain().isEmpty)
            #expect(store.statistics.records == records)
            store.close()
            #expect(!store.isAvailable)

            let recovered = Engine(clock: clock)
            (store, report) = try openStore(dir, recovered)
            #expect(report.records == records)
            #expect(report.tornBytes == 0 && report.gaps == 0)
            expectSameState(recovered, original)

            // Serving goes on with the recovered engine; its journal continues the same segment.
            appender = Appender(store)
            var more = Workload(engine: recovered, clock: clock, seed: seed + 100, owner: "later-")
            more.run(steps: 500) { unit in
                records += unit.count
                appender.append(unit)
            }
            #expect(appender.drain().isEmpty)
            store.close()
            let again = Engine(clock: clock)
            (store, report) = try openStore(dir, again)
            #expect(report.records == records)
            expectSameState(again, recovered)
            #expect(storeFiles(dir, .segment).count == 1)
            store.close()
        }
    }

    static let lastUnit: [JournalRecord] = [
        .stockEvent(
            StockEventRecord(
                event: StockEvent(id: "last", kind: .set, sku: "Z", location: "DC1", amount: 7),
                at: Timestamp(milliseconds: 1), version: 1))
    ]

    /// Writes four units of one safety-stock record each, then `lastUnit`.
    static func writeFiveUnits(_ dir: String) throws {
        let (store, _) = try openStore(dir, Engine(clock: ManualClock()))
        let appender = Appender(store)
        for i in 0..<4 { appender.append([.safetyStock(sku: "S\(i)", location: "DC1", value: Int64(i + 1))]) }
        appender.append(lastUnit)
        #expect(appender.drain().isEmpty)
        store.close()
    }

    @Test func aTornTailIsCutAndAppendsFollowIt() throws {
        try TemporaryDirectory.with { pristine in
            try Self.writeFiveUnits(pristine)
            let segment = storeFiles(pristine, .segment)[0]
            let bytes = try Data(contentsOf: URL(fileURLWithPath: pristine + "/" + segment))
            var frame: [UInt8] = []
            JournalFrame.append(Self.lastUnit, to: &frame)
            let lastStart = bytes.count - frame.count
            for cut in 0..<frame.count {
                try TemporaryDirectory.with { dir in
                    try bytes.prefix(lastStart + cut).write(to: URL(fileURLWithPath: dir + "/" + segment))
                    let engine = Engine(clock: ManualClock())
                    var (store, report) = try openStore(dir, engine)
                    #expect(report.records == 4, "cut \(cut)")
                    #expect(report.tornBytes == cut)
                    #expect(engine.inventory.cell(sku: "Z", location: "DC1") == nil)
                    #expect(
                        try FileManager.default.attributesOfItem(atPath: dir + "/" + segment)[.size] as? Int
                            == lastStart)
                    #expect(throws: Never.self) { try Appender(store).appendAndWait(Self.lastUnit).get() }
                    store.close()
                    let again = Engine(clock: ManualClock())
                    (store, report) = try openStore(dir, again)
                    #expect(report.records == 5 && report.tornBytes == 0, "cut \(cut)")
                    #expect(again.available(sku: "Z") == 7)
                    store.close()
                }
            }
        }
    }

    @Test func damageFollowedByValidFramesIsCorrupt() throws {
        try TemporaryDirectory.with { dir in
            try Self.writeFiveUnits(dir)
            let path = dir + "/" + storeFiles(dir, .segment)[0]
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            var frame: [UInt8] = []
            JournalFrame.append([JournalRecord.safetyStock(sku: "S0", location: "DC1", value: 1)], to: &frame)
            bytes[frame.count + 10] ^= 0x01  // in the second unit's payload
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(throws: StoreError.corrupt("")) { try openStore(dir, Engine(clock: ManualClock())) }

            // Point-in-time recovery keeps the first unit and drops the rest.
            var options = FileStore.Options()
            options.discardAfterDamage = true
            let engine = Engine(clock: ManualClock())
            let (store, report) = try openStore(dir, engine, options: options)
            #expect(report.records == 1)
            #expect(report.tornBytes == bytes.count - frame.count)
            store.close()
            let (reopened, clean) = try openStore(dir, Engine(clock: ManualClock()))
            #expect(clean.records == 1 && clean.tornBytes == 0)
            reopened.close()
        }
    }

    @Test func aTornSegmentBeforeALaterOneIsCorrupt() throws {
        try TemporaryDirectory.with { dir in
            var first: [UInt8] = []
            JournalFrame.append([JournalRecord.safetyStock(sku: "A", location: "DC1", value: 1)], to: &first)
            JournalFrame.append(Self.lastUnit, to: &first)
            var second: [UInt8] = []
            JournalFrame.append([JournalRecord.safetyStock(sku: "B", location: "DC1", value: 1)], to: &second)
            try Data(first.dropLast(3)).write(to: URL(fileURLWithPath: dir + "/" + StoreFileName.segment(1)))
            try Data(second).write(to: URL(fileURLWithPath: dir + "/" + StoreFileName.segment(2)))
            #expect(throws: StoreError.corrupt("")) { try openStore(dir, Engine(clock: ManualClock())) }
            try FileManager.default.removeItem(atPath: dir + "/" + StoreFileName.segment(1))
            #expect(throws: StoreError.corrupt(""), "segment 1 is missing") {
                try openStore(dir, Engine(clock: ManualClock()))
            }
        }
    }

    @Test func theLockKeepsASecondStoreOut() throws {
        try TemporaryDirectory.with { dir in
            let first = try FileStore(directory: dir + "/nested/data")
            do throws(StoreError) {
                _ = try FileStore(directory: dir + "/nested/data")
                Issue.record("a second store opened a locked directory")
            } catch {
                #expect(error == .configuration(""))
                #expect(error.detail.contains("pid \(getpid())"), "\(error.detail)")
            }
            first.close()
            let second = try FileStore(directory: dir + "/nested/data")
            second.close()
        }
    }

    @Test func closeWritesQueuedUnits() throws {
        try TemporaryDirectory.with { dir in
            let (store, _) = try openStore(dir, Engine(clock: ManualClock()))
            let successes = Locked(0)
            for i in 0..<2000 {
                store.append([.safetyStock(sku: "S\(i)", location: "DC1", value: 1)]) { result in
                    if case .success = result { successes.withLock { $0 += 1 } }
                }
            }
            store.close()
            #expect(successes.withLock { $0 } == 2000)
            let engine = Engine(clock: ManualClock())
            let (reopened, report) = try openStore(dir, engine)
            #expect(report.records == 2000)
            #expect(engine.inventory.cellCount == 2000)
            reopened.close()
        }
    }

    @Test func acknowledgedUnitsSurviveACrash() throws {
        try TemporaryDirectory.with { dir in
            let (store, _) = try openStore(dir, Engine(clock: ManualClock()))
            let acknowledged = Locked<[String]>([])
            let stop = Locked(false)
            let done = Latch(4)
            let threads = (0..<4).map { t in
                JoinableThread(name: "crash-\(t)") {
                    defer { done.countDown() }
                    var i = 0
                    while !stop.withLock({ $0 }) {
                        let sku = "t\(t)-\(i)"
                        store.append([.safetyStock(sku: sku, location: "DC1", value: 1)]) { result in
                            if case .success = result { acknowledged.withLock { $0.append(sku) } }
                        }
                        i += 1
                        if i % 50 == 0 { MonotonicClock.sleep(microseconds: 500) }
                    }
                }
            }
            #expect(
                eventually(within: 10_000, every: 1) { acknowledged.withLock { $0.count } >= 500 },
                "500 appends were not acknowledged within 10 s")
            store.abandonForTesting()
            stop.withLock { $0 = true }
            done.wait()
            for thread in threads { thread.join() }

            let engine = Engine(clock: ManualClock())
            let (reopened, _) = try openStore(dir, engine)
            let skus = acknowledged.withLock { $0 }
            #expect(skus.count >= 500)
            let missing = skus.filter { engine.inventory.cell(sku: $0, location: "DC1") == nil }
            #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(5))")
            reopened.close()
        }
    }

    @Test func aFailedWriteFailsItsUnitsAndIsCutBack() throws {
        try TemporaryDirectory.with { dir in
            let (store, _) = try openStore(dir, Engine(clock: ManualClock()))
            let appender = Appender(store)
            #expect(
                (try? appender.appendAndWait([.safetyStock(sku: "A", location: "DC1", value: 1)]).get())
                    != nil)
            store.failNextWriteForTesting()
            #expect(throws: StoreError.io("")) {
                try appender.appendAndWait([.safetyStock(sku: "B", location: "DC1", value: 1)]).get()
            }
            #expect(store.isAvailable, "the repair succeeded, so the store stays available")
            #expect(
                (try? appender.appendAndWait([.safetyStock(sku: "C", location: "DC1", value: 1)]).get())
                    != nil)
            #expect((try? appender.appendAndWait([]).get()) != nil, "an empty unit is fine")
            #expect(store.statistics.failedBatches == 1)
            store.close()

            let engine = Engine(clock: ManualClock())
            let (reopened, report) = try openStore(dir, engine)
            // B's unit failed: it was cut back and never written again (a failure answer means
            // that nothing changed; its client retries).
            #expect(report.records == 2 && report.tornBytes == 0)
            #expect(engine.inventory.cell(sku: "B", location: "DC1") == nil)
            #expect(engine.inventory.cell(sku: "C", location: "DC1") != nil)
            reopened.close()
        }
    }

    @Test func recoverRunsOnceAndAppendsNeedIt() throws {
        try TemporaryDirectory.with { dir in
            let store = try FileStore(directory: dir)
            #expect(!store.isAvailable)
            #expect(throws: StoreError.unavailable("")) { try Appender(store).appendAndWait([]).get() }
            _ = try store.recover(into: Engine(clock: ManualClock()))
            #expect(throws: StoreError.configuration("")) {
                try store.recover(into: Engine(clock: ManualClock()))
            }
            store.close()
            store.close()
        }
    }
}
