import ATPTestSupport
import Dispatch
import Testing

@testable import ATPPush

/// What the sender pool holds on to.
@Suite struct SenderPoolTests {
    final class Token: Sendable {}

    /// A finished job's slot kept its closure, and so what it captured (the dispatcher, which owns
    /// the pool: a cycle AddressSanitizer's leak check found), until 1024 more jobs had run. Now a
    /// job is let go once taken, and jobs that will never run are let go at `stop`.
    @Test func jobsLetGoOfWhatTheyCaptured() {
        let pool = SenderPool(maxThreads: 1)
        weak var ran: Token?
        do {
            let token = Token()
            ran = token
            pool.submit { _ = token }
        }
        #expect(eventually { ran == nil })

        // The one thread is busy, so the next job waits; `stop` drops it.
        let busy = DispatchSemaphore(value: 0)
        pool.submit { busy.wait() }
        weak var queued: Token?
        do {
            let token = Token()
            queued = token
            pool.submit { _ = token }
        }
        pool.stop(timeoutMilliseconds: 100)
        #expect(queued == nil)
        busy.signal()
    }
}
