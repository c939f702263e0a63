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

    private let epollFD: Int32
    private let wakeFD: Int32
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
    private var events: UnsafeMutableBufferPointer<epoll_event>
    /// Monotonic milliseconds, refreshed once per iteration (cheap "now" for deadlines).
    public private(set) var now: Int64

    public init(maxEvents: Int = 256) throws(SystemError) {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        if epollFD < 0 { throw SystemError("epoll_create1", errno: errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        if wakeFD < 0 {
            let code = errno
            Syscall.close(epollFD)
            throw SystemError("eventfd", errno: code)
        }
        events = .allocate(capacity: maxEvents)
        now = MonotonicClock.milliseconds()
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: wakeFD))
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
    }

    deinit {
        events.deallocate()
        Syscall.close(wakeFD)
        Syscall.close(epollFD)
    }

    // MARK: Descriptors (loop thread)

    /// Watches `fd` for `events` (an epoll mask), calling `handler` when it is ready.
    public func register(_ fd: Int32, events: UInt32, handler: EventHandler) throws(SystemError) {
        let index = Int(fd)
        if index >= handlers.count { handlers += repeatElement(nil, count: index + 64 - handlers.count) }
        handlers[index] = handler
        var event = epoll_event(events: events, data: epoll_data_t(fd: fd))
        if epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) < 0 {
            handlers[index] = nil
            throw SystemError("epoll_ctl(ADD)", errno: errno)
        }
    }

    /// Changes the events watched on a registered `fd`.
    public func modify(_ fd: Int32, events: UInt32) {
        var event = epoll_event(events: events, data: epoll_data_t(fd: fd))
        epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// Stops watching `fd` (before it is closed).
    public func unregister(_ fd: Int32) {
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
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
    public func execute(_ task: @escaping @Sendable () -> Void) {
        let queued = inbox.withLock { inbox -> Bool in
            if !inbox.closed { inbox.tasks.append(task) }
            return !inbox.closed
        }
        if queued { wake() }
    }

    /// Interrupts `epoll_wait`; callable from any thread.
    public func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
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
        timerTasks = [:]
        timers = DeadlineHeap()
    }

    private func runOnce() {
        now = MonotonicClock.milliseconds()
        var timeout: Int32 = -1
        if let earliest = timers.min {
            timeout = Int32(clamping: max(0, earliest.deadline - now))
        }
        let ready = epoll_wait(epollFD, events.baseAddress, Int32(events.count), timeout)
        now = MonotonicClock.milliseconds()
        if ready > 0 {
            for i in 0..<Int(ready) {
                let fd = events[i].data.fd
                if fd == wakeFD {
                    var count: UInt64 = 0
                    _ = Glibc.read(wakeFD, &count, 8)
                    continue
                }
                if Int(fd) < handlers.count, let handler = handlers[Int(fd)] {
                    handler.handleEvents(events[i].events)
                }
            }
        }
        runTasks()
        runTimers()
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
