import ATPEngine
import ATPPosix
import ATPTestSupport
import ATPUtilities
import Foundation
import Testing

@testable import ATPStore

/// A measurement, not a check: run with `ATPSTORE_THROUGHPUT=1` in the environment.
@Suite struct ThroughputTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ATPSTORE_THROUGHPUT"] != nil))
    func groupCommitThroughput() throws {
        try TemporaryDirectory.with { dir in
            let (store, _) = try openStore(dir, Engine(clock: ManualClock()))
            let threads = Int(ProcessInfo.processInfo.environment["ATPSTORE_THREADS"] ?? "") ?? 64
            let seconds = 2.0
            let record = JournalRecord.stockEvent(
                StockEventRecord(
                    event: StockEvent(
                        id: "wms-1-000018", source: "wms-1", seq: 18, kind: .adjust, sku: "SKU-123456",
                        location: "DC1", amount: -2),
                    at: Timestamp(milliseconds: 1_795_000_000_000), version: 42))
            let deadline = Int(MonotonicClock.microseconds()) + Int(seconds * 1_000_000)
            let started = Int(MonotonicClock.microseconds())
            runThreads(threads) { _ in
                let appender = Appender(store)
                while Int(MonotonicClock.microseconds()) < deadline { _ = appender.appendAndWait([record]) }
            }
            let elapsed = Double(Int(MonotonicClock.microseconds()) - started) / 1_000_000
            let stats = store.statistics
            store.close()
            let units = Double(stats.records)
            print(
                "group commit, \(threads) threads, 1-record units: \(Int(units / elapsed)) units/s, "
                    + "\(String(format: "%.1f", units / Double(max(1, stats.batches)))) units/batch, "
                    + "\(stats.batches) batches, \(stats.durableMicroseconds / max(1, stats.batches)) µs per write+fdatasync"
            )
        }
    }
}
