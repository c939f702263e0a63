import ATPEngine
import ATPTestSupport
import ATPUtilities
import Foundation
import Testing

@testable import ATPStore

@Suite struct FileSnapshotTests {
    static func smallSnapshots(_ records: Int) -> FileStore.Options {
        var options = FileStore.Options()
        options.snapshotRecords = records
        options.snapshotRecordsPerFrame = 16
        return options
    }

    @Test func snapshotsReplaceOldSegments() throws {
        try TemporaryDirectory.with { dir in
            let clock = ManualClock()
            let original = Engine(clock: clock)
            let options = Self.smallSnapshots(100)
            var (store, _) = try openStore(dir, original, options: options)
            var workload = Workload(engine: original, clock: clock, seed: 9)
            var records = 0
            for _ in 0..<6 {
                // Each wave is a few batches of ≥ 100 records: one rotation per wave at least. The
                // wave mutates the engine before appending, so no fulfilment races the export
                // (see FuzzySnapshotTests) and the snapshot must be exact with every kind of record.
                var units: [[JournalRecord]] = []
                workload.run(steps: 250) { units.append($0) }
                let appender = Appender(store)
                for unit in units {
                    records += unit.count
                    appender.append(unit)
                }
                #expect(appender.drain().isEmpty)
                store.waitForSnapshotForTesting()
            }
            #expect(store.statistics.snapshots >= 3)
            #expect(store.failedSnapshots == 0)
            store.close()

            let snapshots = storeFiles(dir, .snapshot)
            let segments = storeFiles(dir, .segment)
            #expect(snapshots.count == 1)
            #expect(storeFiles(dir, .temporary).isEmpty)
            let base = try #require(StoreFileName.parse(snapshots[0])?.sequence)
            #expect(base >= 4)
            #expect(segments.allSatisfy { StoreFileName.parse($0)!.sequence >= base }, "\(segments)")
            #expect(segments.count <= 2)

            let recovered = Engine(clock: clock)
            let report: RecoveryReport
            (store, report) = try openStore(dir, recovered, options: options)
            #expect(report.records < records + 1000, "the snapshot replaced most of the journal")
            #expect(report.gaps == 0)
            expectSameState(recovered, original)
            store.close()
        }
    }

    @Test func rotationWhileOtherThreadsAppend() throws {
        try TemporaryDirectory.with { dir in
            let clock = ManualClock()
            let original = Engine(clock: clock)
            let options = Self.smallSnapshots(60)
            var (store, _) = try openStore(dir, original, options: options)
            let failures = Locked(0)
            let current = store
            // Mutations, fulfilments included, run concurrently with the export here, so the fuzzy
            // snapshot is tested for real (FuzzySnapshotTests pins the fulfilment race down).
            runThreads(4) { t in
                var workload = Workload(
                    engine: original, clock: clock, seed: UInt64(100 + t), owner: "t\(t)-")
                workload.movesTime = false
                let appender = Appender(current)
                workload.run(steps: 250) { unit in
                    // Wait for each unit, as a client does: snapshots run between these batches.
                    if case .failure = appender.appendAndWait(unit) { failures.withLock { $0 += 1 } }
                }
            }
            store.waitForSnapshotForTesting()
            #expect(failures.withLock { $0 } == 0)
            #expect(store.statistics.snapshots >= 2, "\(store.statistics)")
            store.close()
            #expect(storeFiles(dir, .snapshot).count == 1)

            let recovered = Engine(clock: clock)
            let report: RecoveryReport
            (store, report) = try openStore(dir, recovered, options: options)
            #expect(report.gaps == 0)
            expectSameState(recovered, original)
            store.close()
        }
    }

    @Test func damagedOrUnfinishedSnapshotsAreSkipped() throws {
        try TemporaryDirectory.with { dir in
            let clock = ManualClock()
            let original = Engine(clock: clock)
            var (store, _) = try openStore(dir, original, options: Self.smallSnapshots(50))
            var workload = Workload(engine: original, clock: clock, seed: 5)
            var units: [[JournalRecord]] = []
            workload.run(steps: 300) { units.append($0) }
            let appender = Appender(store)
            for unit in units { appender.append(unit) }
            appender.drain()
            store.waitForSnapshotForTesting()
            store.close()
            let snapshot = try #require(storeFiles(dir, .snapshot).first)
            let sequence = StoreFileName.parse(snapshot)!.sequence
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + snapshot))
            // A newer snapshot cut short (it cannot have been renamed so, but disks lie), and the
            // temporary file of a snapshot a crash interrupted.
            try bytes.prefix(bytes.count - 3).write(
                to: URL(fileURLWithPath: dir + "/" + StoreFileName.snapshot(sequence + 1)))
            try bytes.write(to: URL(fileURLWithPath: dir + "/" + StoreFileName.temporary(sequence + 2)))

            let recovered = Engine(clock: clock)
            (store, _) = try openStore(dir, recovered)
            expectSameState(recovered, original)
            #expect(storeFiles(dir, .temporary).isEmpty)
            store.close()

            // Without its journal, a damaged snapshot cannot be recovered from.
            for segment in storeFiles(dir, .segment) {
                try FileManager.default.removeItem(atPath: dir + "/" + segment)
            }
            try FileManager.default.removeItem(atPath: dir + "/" + snapshot)
            #expect(throws: StoreError.corrupt("")) { try openStore(dir, Engine(clock: clock)) }
        }
    }
}

@Suite struct FuzzySnapshotTests {
    /// `exportSnapshot` writes cells before reservations. A reservation fulfilled after its cell
    /// was exported but before the reservation was is exported as fulfilled with the cell's old
    /// on-hand; replaying the fulfilment's journal record must still apply its on-hand drops
    /// (`Engine.replayTransition` replays them by version).
    @Test func aFulfilmentDuringTheExportIsReplayed() throws {
        let clock = ManualClock()
        let engine = Engine(clock: clock)
        _ = engine.apply([StockEvent(id: "count", kind: .set, sku: "A", location: "DC1", amount: 10)])
        let (r, _) = try engine.createReservation(
            ReservationRequest(lines: [ReservationLine(sku: "A", location: "DC1", qty: 3)]))
        var snapshot: [JournalRecord] = []
        var journalAfterRotation: [JournalRecord] = []
        engine.exportSnapshot { record in
            if snapshot.isEmpty { journalAfterRotation += engine.transition(r.id, .fulfil).1 }
            snapshot.append(record)
        }
        let restored = Engine(clock: clock)
        for record in snapshot + journalAfterRotation { restored.replay(record) }
        restored.finishReplay()
        #expect(engine.available(sku: "A") == 7)
        #expect(restored.available(sku: "A") == 7)
        #expect(restored.canonicalDump() == engine.canonicalDump())
    }
}
