import ATPUtilities
import CLinux
import Glibc
import Synchronization

/// Something registered with an event loop that reacts to readiness of its file descriptor.
///
/// Thread-safety: called only on the loop's thread.
public protocol EventHandler: AnyObject {
    /// `events` is the epoll mask that fired (EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR, ...).
    func handleEvents(_ events: UInt32)
}

/// One epoll event loop, run by one thread: readiness handlers, timers, and tasks sent from other
/// threads (woken through an eventfd).
///
/// Each iteration waits in `epoll_wait` with the earliest timer as timeout, runs the handlers of
/// the ready descriptors, then the tasks other threads sent, then the timers that are due — the
/// shape of redis' `ae.c`.
///
/// Thread-safety: `execute`, `stop` and `wake` may be called from any thread; everything else only
/// on the loop's own thread (inside handlers, tasks and timers).
public final class EventLoop: @unchecked Sendable {
    /// A task scheduled on the loop's thread.
    public typealias Task = () -> Void

    private let epoll: Epoll
    private let wakeFD: EventFD
    /// Tasks sent from other threads; `closed` once the loop has ended, after which new ones are
    /// dropped (they would never run, and would keep what they capture alive).
    private struct Inbox {
        var tasks: [Task] = []
        var closed = false
    }

    private let inbox = Locked(Inbox())
    private let stopping = Atomic<Bool>(false)
    private var handlers: [EventHandler?] = []
    private var timers = DeadlineHeap()
    private var timerTasks: [UInt64: Task] = [:]
    private var nextTimerID: UInt64 = 1
    /// Runs at the end of every iteration, after the handlers, tasks and timers (loop thread).
    public var iterationDidEnd: (() -> Void)?
    /// Monotonic milliseconds, refreshed once per iteration (cheap "now" for deadlines).
    public private(set) var now: Int64

    public init(maxEvents: Int = 256) throws(SystemError) {
        epoll = try Epoll(maxEvents: maxEvents)
        wakeFD = try EventFD()
        now = MonotonicClock.milliseconds()
        // Without it no other thread could interrupt a wait (`execute`, `stop`): fail instead.
        try epoll.add(wakeFD.fd, events: EPOLLIN.rawValue, data: UInt64(wakeFD.fd))
    }

    deinit {
        wakeFD.close()
    }

    // MARK: Descriptors (loop thread)

    /// Watches `fd` for `events` (an epoll mask), calling `handler` when it is ready.
    public func register(_ fd: Int32, events: UInt32, handler: EventHandler) throws(SystemError) {
        let index = Int(fd)
        if index >= handlers.count { handlers += repeatElement(nil, count: index + 64 - handlers.count) }
        handlers[index] = handler
        do {
            try epoll.add(fd, events: events, data: UInt64(fd))
        } catch {
            handlers[index] = nil
            throw error
        }
    }

    /// Changes the events watched on a registered `fd`.
    public func modify(_ fd: Int32, events: UInt32) {
        try? epoll.modify(fd, events: events, data: UInt64(fd))
    }

    /// Stops watching `fd` (before it is closed).
    public func unregister(_ fd: Int32) {
        epoll.remove(fd)
        if Int(fd) < handlers.count { handlers[Int(fd)] = nil }
    }

    // MARK: Timers (loop thread)

    /// Runs `task` on this loop once `milliseconds` have passed; returns an id for `cancel`.
    /// - Complexity: O(log timers).
    @discardableResult
    public func schedule(afterMilliseconds milliseconds: Int64, _ task: @escaping Task) -> UInt64 {
        let id = nextTimerID
        nextTimerID += 1
        timerTasks[id] = task
        timers.push(deadline: now + milliseconds, id: id)
        return id
    }

    /// Cancels a timer that has not fired yet. - Complexity: O(1); the heap entry is dropped lazily.
    public func cancel(timer id: UInt64) {
        timerTasks[id] = nil
    }

    // MARK: Cross-thread

    /// Runs `task` on the loop's thread soon; callable from any thread. Once the loop has ended,
    /// `task` is dropped.
    ///
    /// Only the task that finds the inbox empty wakes the loop (one eventfd write): the loop takes
    /// the whole inbox at once, so a wake is already owed for every task queued behind it.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        let wakes = inbox.withLock { inbox -> Bool in
            guard !inbox.closed else { return false }
            inbox.tasks.append(task)
            return inbox.tasks.count == 1
        }
        if wakes { wake() }
    }

    /// Interrupts `epoll_wait`; callable from any thread.
    public func wake() {
        wakeFD.signal()
    }

    /// Makes `run` return after its current iteration; callable from any thread.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        wake()
    }

    // MARK: Running

    /// Runs the loop on the calling thread until `stop` is called, then lets go of its handlers,
    /// timers and tasks: they hold their owners (workers, connections, which hold this loop), so
    /// keeping them would keep all of it alive for good.
    public func run() {
        while !stopping.load(ordering: .acquiring) {
            runOnce()
        }
        runTasks()
        inbox.withLock { $0 = Inbox(tasks: [], closed: true) }
        handlers = []
        iterationDidEnd = nil
        timerTasks = [:]
        timers = DeadlineHeap()
    }

    private func runOnce() {
        now = MonotonicClock.milliseconds()
        var timeout: Int32 = -1
        if let earliest = timers.min {
            timeout = Int32(clamping: max(0, earliest.deadline - now))
        }
        let ready = epoll.wait(timeoutMilliseconds: timeout)
        now = MonotonicClock.milliseconds()
        for i in 0..<ready {
            let event = epoll.events[i]
            let fd = Int32(truncatingIfNeeded: event.data.u64)
            if fd == wakeFD.fd {
                wakeFD.drain()
                continue
            }
            if Int(fd) < handlers.count, let handler = handlers[Int(fd)] {
                handler.handleEvents(event.events)
            }
        }
        runTasks()
        runTimers()
        iterationDidEnd?()
    }

    private func runTasks() {
        let tasks = inbox.withLock { inbox -> [Task] in
            defer { inbox.tasks.removeAll(keepingCapacity: true) }
            return inbox.tasks
        }
        for task in tasks { task() }
    }

    private func runTimers() {
        while let earliest = timers.min, earliest.deadline <= now {
            _ = timers.pop()
            if let task = timerTasks.removeValue(forKey: earliest.id) { task() }
        }
    }
}
