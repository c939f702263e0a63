import ATPPosix
import ATPUtilities
import Dispatch
import Foundation

/// Threads that run webhook requests (blocking HTTP calls), started on demand.
///
/// A job waits only for a free thread: when every thread is busy and fewer than `maxThreads`
/// exist, `submit` starts another, so a slow endpoint (whose requests the dispatcher bounds to
/// its channel's `burst`) cannot hold up other channels' requests.
/// Thread-safety: `submit` and `stop` from any thread.
/// - Complexity: O(1) per job.
final class SenderPool: Sendable {
    private struct State {
        /// Queued jobs from `head` on; a taken job's slot is emptied at once, so nothing it
        /// captured (the dispatcher, a request body) outlives it until the next compaction.
        var jobs: [(@Sendable () -> Void)?] = []
        var head = 0
        var idle = 0
        var threads = 0
        var stopping = false
    }

    private let state = Locked(State())
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchGroup()
    let maxThreads: Int

    init(maxThreads: Int) { self.maxThreads = max(1, maxThreads) }

    /// Runs `job` on a sender thread.
    func submit(_ job: @escaping @Sendable () -> Void) {
        let spawn = state.withLock { s -> Bool in
            guard !s.stopping else { return false }
            s.jobs.append(job)
            guard s.jobs.count - s.head > s.idle, s.threads < maxThreads else { return false }
            s.threads += 1
            return true
        }
        if spawn {
            exited.enter()
            JoinableThread(name: "atp-push-sender") { [self] in
                run()
                exited.leave()
            }.detach()  // `stop` waits on `exited`, with a time limit
        }
        wake.signal()
    }

    /// Stops taking jobs and waits (at most `timeoutMilliseconds`) for running ones to finish.
    func stop(timeoutMilliseconds: Int) {
        let threads = state.withLock { s -> Int in
            s.stopping = true
            s.jobs = []  // never to run: let go of what they hold
            s.head = 0
            return s.threads
        }
        for _ in 0..<threads { wake.signal() }
        _ = exited.wait(timeout: .now() + .milliseconds(timeoutMilliseconds))
    }

    private func run() {
        while true {
            state.withLock { $0.idle += 1 }
            wake.wait()
            let job = state.withLock { s -> (@Sendable () -> Void)?? in
                s.idle -= 1
                if s.stopping { return .some(nil) }
                guard s.head < s.jobs.count, let job = s.jobs[s.head] else { return nil }
                s.jobs[s.head] = nil
                s.head += 1
                if s.head > 1024 && s.head * 2 > s.jobs.count {
                    s.jobs.removeFirst(s.head)
                    s.head = 0
                }
                return job
            }
            switch job {
            case .some(.none): return
            case .some(.some(let job)): job()
            case .none: continue
            }
        }
    }
}
