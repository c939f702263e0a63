import ATPEngine
import ATPRedis
import ATPStore
import ATPTestSupport
import Testing

/// A Redis store that never reached Redis can still be freed.
@Suite struct RedisStoreLifecycleTests {
    /// Its probe timer is started only by a successful `recover`, and Dispatch traps when a timer
    /// that was never started is released. That went unseen while stopped services were never
    /// freed; once they were, a service stopped before Redis answered crashed the test process.
    @Test func aStoreThatNeverReachedRedisIsFreed() throws {
        let engine = Engine(clock: ManualClock())
        let url = try RedisURL("redis://127.0.0.1:1")
        weak var closed: RedisStore?
        weak var dropped: RedisStore?
        do {
            let store = RedisStore(url: url, prefix: "atp:", waitForFsync: false, engine: engine)
            closed = store
            store.close()
            let unused = RedisStore(url: url, prefix: "atp:", waitForFsync: false, engine: engine)
            dropped = unused
        }
        #expect(closed == nil)
        #expect(dropped == nil)
    }
}
