import ATPHTTP
import ATPPosix
import Dispatch
import Testing

/// What an event loop still holds once it has ended.
@Suite struct EventLoopTests {
    final class Token: Sendable {}

    /// A timer still pending at the end, or a task sent after it, kept what it captured (often the
    /// loop's owner: a worker, a connection) alive for good, a cycle AddressSanitizer's leak check
    /// found in the server tests (a deferred answer completed after shutdown). Now both are let go.
    @Test func anEndedLoopLetsGoOfPendingTimersAndLateTasks() throws {
        let loop = try EventLoop()
        weak var pending: Token?
        weak var late: Token?
        do {
            let token = Token()
            pending = token
            loop.execute { loop.schedule(afterMilliseconds: 60_000) { _ = token } }
        }
        let ended = DispatchSemaphore(value: 0)
        JoinableThread(name: "event-loop") {
            loop.run()
            ended.signal()
        }.detach()  // waited for on `ended`, with a time limit
        loop.stop()
        #expect(ended.wait(timeout: .now() + 5) == .success)
        #expect(pending == nil)
        do {
            let token = Token()
            late = token
            loop.execute { _ = token }
        }
        #expect(late == nil)
    }
}
