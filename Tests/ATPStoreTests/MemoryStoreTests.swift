import ATPEngine
import ATPTestSupport
import ATPUtilities
import Testing

@testable import ATPStore

@Suite struct MemoryStoreTests {
    @Test func completesAtOnceOnTheCallersThread() throws {
        let store = MemoryStore()
        #expect(store.kind == "memory" && store.isAvailable)
        let report = try store.recover(into: Engine(clock: ManualClock()))
        #expect(report.records == 0 && report.tornBytes == 0 && report.gaps == 0)
        let completed = Locked(false)
        store.append([.channelRemoved(name: "web"), .channelRemoved(name: "app")]) { result in
            if case .success = result { completed.withLock { $0 = true } }
        }
        #expect(completed.withLock { $0 }, "completed before append returned")
        #expect(store.statistics.batches == 1 && store.statistics.records == 2)
        store.close()
    }
}
