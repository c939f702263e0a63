import ATPEngine
import ATPPosix
import ATPRedis
import ATPStore
import ATPUtilities
import Dispatch
import Glibc
import Synchronization

/// Where and how `RedisStreamConsumer` reads the events stream.
///
/// Thread-safety: a value type.
public struct RedisStreamConfiguration: Sendable {
    public var url: RedisURL
    /// The stream key (`--events-stream KEY`).
    public var stream: String
    /// The consumer group; every atpd reading the stream shares it, so each entry goes to one.
    public var group = "atpd"
    /// This consumer's name in the group: `<hostname>-<pid>` by default.
    public var consumer = RedisStreamConsumer.defaultConsumerName()
    /// Where a group created by atpd starts: `0`, the whole stream as it stands. An existing group
    /// keeps its position. `0` rather than `$` so that entries written before atpd first ran are
    /// not lost; replaying them is safe, as event ids dedupe (24 h) and `seq` marks refuse stale
    /// events. Use `$` to skip a stream's history.
    public var startID = "0"
    /// Entries per `XREADGROUP`.
    public var count = 500
    /// How long `XREADGROUP` blocks waiting for entries (it bounds how fast `stop` returns).
    public var blockMilliseconds = 1_000
    /// How often pending entries of dead consumers are claimed (`XAUTOCLAIM`).
    public var claimIntervalMilliseconds: Int64 = 5_000
    /// How long an entry must have been pending before it is claimed.
    public var claimMinIdleMilliseconds = 30_000
    /// Entries per `XAUTOCLAIM`.
    public var claimCount = 100
    /// The dead-letter stream is trimmed to about this many entries (`MAXLEN ~`); 0 = unbounded.
    public var deadLetterMaxLength = 100_000

    /// `<stream>:dead`, where malformed and refused entries are copied.
    public var deadLetterStream: String { stream + ":dead" }

    public init(url: RedisURL, stream: String) {
        self.url = url
        self.stream = stream
    }
}

/// What the stream consumer did, for `/metrics`.
///
/// Thread-safety: every property from any thread (relaxed atomics).
public final class RedisStreamCounters: Sendable {
    /// Entries whose event was applied.
    public let applied = Atomic<Int>(0)
    /// Entries whose event id was seen before.
    public let duplicate = Atomic<Int>(0)
    /// Entries whose `seq` was not above the last applied one.
    public let stale = Atomic<Int>(0)
    /// Entries that were malformed or refused by the engine.
    public let rejected = Atomic<Int>(0)
    /// Entries copied to the dead-letter stream.
    public let deadLettered = Atomic<Int>(0)
    /// Entries acknowledged (`XACK` answers).
    public let acked = Atomic<Int>(0)
    /// Entries taken over from other consumers (or from this one, after a failure) by `XAUTOCLAIM`.
    public let claimed = Atomic<Int>(0)
    /// Connection failures, refused commands and failed durability callbacks.
    public let errors = Atomic<Int>(0)

    public init() {}
}

/// Reads stock events from a Redis stream (`--events-stream KEY`) through a consumer group and
/// applies them to the engine with the same rules as `POST /v1/events`.
///
/// On its own thread and its own `RedisConnection`, the consumer:
/// 1. creates the group on connect (`XGROUP CREATE KEY group <startID> MKSTREAM`; `BUSYGROUP`
///    means it exists);
/// 2. reads with `XREADGROUP GROUP g c COUNT 500 BLOCK 1000 STREAMS KEY >`;
/// 3. decodes entries (`RedisStreamEntry`) and calls `engine.apply` on the well-formed ones;
/// 4. commits the change through `durable` and waits for it — on failure the change was rolled
///    back, so it applies the batch again after a pause (50 ms doubling to 2 s) and reads nothing
///    new meanwhile, the entries staying pending;
/// 5. copies malformed entries and entries the engine refused to `KEY:dead` (`XADD`, fields
///    `dead-code`, `dead-reason`, `dead-entry`, `dead-consumer`, then the entry's own fields),
///    then `XACK`s the batch — only after step 4 succeeded;
/// 6. every 5 s, `XAUTOCLAIM KEY g c 30000 <cursor> COUNT 100` takes over entries pending that
///    long (a dead consumer's) and processes them the same way.
/// Delivery is at least once: a redelivered entry is a duplicate (event id) and changes nothing.
///
/// Thread-safety: `start` and `stop` once each, from the owner; `counters`, `isConnected` and
/// `lastError` from any thread.
public final class RedisStreamConsumer: Sendable {
    public let configuration: RedisStreamConfiguration
    public let counters = RedisStreamCounters()
    /// Where applied events become durable (the one commit seam).
    let durable: DurableEngine
    private let stopping = Atomic<Bool>(false)
    private let connected = Atomic<Bool>(false)
    private let lastErrorText = Locked<String?>(nil)
    /// Signalled by `stop` to cut a pause short.
    let wake = DispatchSemaphore(value: 0)
    /// Signalled by the thread as it ends.
    private let finished = DispatchSemaphore(value: 0)
    private let thread = Locked<JoinableThread?>(nil)

    public init(configuration: RedisStreamConfiguration, durable: DurableEngine) {
        self.configuration = configuration
        self.durable = durable
    }

    /// `<hostname>-<pid>`.
    public static func defaultConsumerName() -> String {
        var name = [UInt8](repeating: 0, count: 256)
        let ok =
            name.withUnsafeMutableBytes {
                gethostname($0.baseAddress!.assumingMemoryBound(to: CChar.self), 255)
            } == 0
        let host = ok ? String(decoding: name.prefix { $0 != 0 }, as: UTF8.self) : "atpd"
        return "\(host)-\(getpid())"
    }

    /// True while the consumer's connection is up.
    public var isConnected: Bool { connected.load(ordering: .relaxed) }

    /// The last failure, for logs and diagnostics; nil before any.
    public var lastError: String? { lastErrorText.withLock { $0 } }

    /// True once `stop` was called.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Starts the consumer's thread. Call once.
    public func start() {
        thread.withLock { handle in
            precondition(handle == nil, "RedisStreamConsumer.start called twice")
            handle = JoinableThread(name: "atp-stream") { [self] in
                RedisStreamWorker(self).run()
                connected.store(false, ordering: .relaxed)
                finished.signal()
            }
        }
    }

    /// Asks the thread to stop and waits for it at most `timeoutMilliseconds`.
    ///
    /// The thread finishes the command in flight (an `XREADGROUP` blocks at most
    /// `blockMilliseconds`) and stops waiting for a durability completion; entries not yet
    /// acknowledged stay pending for another consumer. Returns whether the thread ended in time
    /// (if not, it is detached and ends on its own).
    @discardableResult
    public func stop(timeoutMilliseconds: Int = 5_000) -> Bool {
        stopping.store(true, ordering: .releasing)
        wake.signal()
        guard
            let handle = thread.withLock({ handle -> JoinableThread? in
                defer { handle = nil }
                return handle
            })
        else { return true }
        if finished.wait(timeout: .now() + .milliseconds(timeoutMilliseconds)) == .success {
            handle.join()
            return true
        }
        handle.detach()
        return false
    }

    func setConnected(_ value: Bool) { connected.store(value, ordering: .relaxed) }

    func noteError(_ text: String) {
        counters.errors.add(1, ordering: .relaxed)
        lastErrorText.withLock { $0 = text }
    }
}
