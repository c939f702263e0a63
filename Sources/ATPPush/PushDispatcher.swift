import ATPEngine
import ATPHTTP
import ATPPosix
import ATPStore
import ATPUtilities
import Foundation
import Synchronization

/// The one thread of channel push: it drains the engine's change feed (its only consumer), keeps
/// every channel's `ChannelPushState`, paces requests and hands them to the `SenderPool`.
///
/// Each turn: apply messages (attempt outcomes from senders, replays from the API), pick up
/// channel definitions when `Engine.channelsVersion` moved, drain the feed (one channel
/// availability per changed sku and channel), then start what each channel's bucket, breaker,
/// pause and `burst` allow; then sleep `pollIntervalMicroseconds` (`idlePollIntervalMicroseconds`
/// while there is no channel). It never blocks on I/O.
/// Thread-safety: `post` from any thread; everything else runs on the dispatcher thread.
/// - Complexity: a turn is O(messages + changed skus × channels + requests started).
final class PushDispatcher: @unchecked Sendable {  // mutable state is confined to the dispatcher thread
    enum Message: Sendable {
        case outcome(channel: String, generation: Int, deliveryID: String, AttemptOutcome)
        case replay(channel: String, skus: [String])
    }

    let engine: Engine
    let configuration: PushConfiguration
    let client: HTTPClient
    let senders: SenderPool
    /// Where push's own changes (dead letters, a 410's disabling) become durable, and whose
    /// acknowledged state is all that is sent. Push used to journal its changes without the
    /// mutation gate; it cannot now: the dispatcher holds no store, only this seam, whose
    /// `commitUnawaited` enters the gate around the engine call and the append.
    let durable: DurableEngine
    /// Counters by channel name, shared with readers.
    let registry: Locked<[String: PushChannelCounters]>
    private let inbox = Locked<[Message]>([])
    private let stopping = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    // Dispatcher-thread state.
    var channels: [String: ChannelPushState] = [:]
    var generations: [String: Int] = [:]
    private var nextGeneration = 0
    private var seenVersion = -1
    var random = SystemRandomNumberGenerator()
    private var idPrefix: String
    private var idCounter: UInt64 = 0

    init(
        durable: DurableEngine, configuration: PushConfiguration,
        registry: Locked<[String: PushChannelCounters]>
    ) {
        engine = durable.engine
        self.durable = durable
        self.configuration = configuration
        self.registry = registry
        client = HTTPClient(
            connectTimeoutMilliseconds: configuration.connectTimeoutMilliseconds,
            readTimeoutMilliseconds: configuration.requestTimeoutMilliseconds,
            writeTimeoutMilliseconds: configuration.requestTimeoutMilliseconds, maxIdlePerHost: 64,
            maxResponseBodyBytes: 1 << 20)
        senders = SenderPool(maxThreads: configuration.maxSenderThreads)
        var g = SystemRandomNumberGenerator()
        idPrefix = "msg_" + String(g.next() as UInt64, radix: 16)
    }

    func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        JoinableThread(name: "atp-push") { [self] in
            while !stopping.load(ordering: .acquiring) {
                turn()
                let interval =
                    channels.isEmpty
                    ? max(configuration.pollIntervalMicroseconds, configuration.idlePollIntervalMicroseconds)
                    : configuration.pollIntervalMicroseconds
                usleep(UInt32(clamping: max(50, interval)))
            }
            finished.signal()
        }.detach()  // `stop` waits on `finished`
    }

    /// Stops the thread, then the senders (waiting up to one request timeout for them).
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        guard started.load(ordering: .acquiring) else { return }
        finished.wait()
        senders.stop(timeoutMilliseconds: configuration.requestTimeoutMilliseconds + 500)
        client.closeIdleConnections()
    }

    func post(_ message: Message) { inbox.withLock { $0.append(message) } }

    /// One pass of the loop (tests may call it directly on a dispatcher that was not started).
    func turn() {
        let now = MonotonicClock.microseconds()
        let mark = durable.readMark()
        for message in inbox.withLock({ box -> [Message] in
            defer { box.removeAll(keepingCapacity: true) }
            return box
        }) {
            handle(message, now: now)
        }
        let version = engine.channelsVersion
        if version != seenVersion {
            seenVersion = version
            syncChannels(now: now)
        }
        drainChanges(now: now)
        // Only acknowledged figures go out: wait for every commit the reads above could have
        // seen; if one was rolled back, send nothing this turn (the rollback marked its skus
        // changed, so the next turn reads them again).
        let acknowledged =
            channels.values.contains { $0.pendingCount > 0 } ? durable.settle(since: mark) : true
        for state in channels.values {
            if acknowledged { schedule(state, now: now) }
            state.counters.pending.store(state.pendingCount, ordering: .relaxed)
            state.counters.breaker.store(state.breaker.state.rawValue, ordering: .relaxed)
        }
    }

    private func drainChanges(now: Int64) {
        let active = channels.values.filter { !$0.disabled }
        let inventory = engine.inventory
        let at = engine.clock.now()
        engine.changes.drain { sku in
            for state in active {
                state.observe(sku, value: state.compiled.available(sku: sku, in: inventory), at: at, now: now)
            }
        }
    }

    /// Creates, replaces or drops channel states to match the engine's channel definitions. A
    /// new or changed definition starts with a full resync of the skus the channel covers.
    private func syncChannels(now: Int64) {
        var wanted: [String: ChannelView] = [:]
        for view in engine.channelViews where view.delivery != nil { wanted[view.name] = view }
        for name in channels.keys where wanted[name] == nil {
            channels[name] = nil
            _ = registry.withLock { $0.removeValue(forKey: name) }
        }
        for (name, view) in wanted {
            if let existing = channels[name] {
                if existing.view == view { continue }
                var a = existing.view
                var b = view
                a.delivery?.disabled = false
                b.delivery?.disabled = false
                if a == b {  // only the 410 flag changed: keep the state; re-enabling resyncs
                    existing.view = view
                    existing.disabled = view.delivery!.disabled
                    existing.counters.disabled.store(existing.disabled, ordering: .relaxed)
                    if !existing.disabled { resync(existing, now: now) }
                    continue
                }
            }
            guard let compiled = engine.channel(named: name),
                let endpoint = HTTPEndpoint(url: view.delivery!.endpoint)
            else { continue }
            let counters = registry.withLock { r -> PushChannelCounters in
                if let c = r[name] { return c }
                let c = PushChannelCounters()
                r[name] = c
                return c
            }
            let state = ChannelPushState(
                view: view, compiled: compiled, endpoint: endpoint, counters: counters, now: now)
            counters.disabled.store(state.disabled, ordering: .relaxed)
            nextGeneration += 1
            generations[name] = nextGeneration
            channels[name] = state
            resync(state, now: now)
        }
    }

    /// Queues the current availability of every sku the channel covers.
    /// - Complexity: O(skus × cells per sku).
    func resync(_ state: ChannelPushState, now: Int64) {
        let inventory = engine.inventory
        let at = engine.clock.now()
        for sku in 0..<UInt32(inventory.skus.count) where state.compiled.covers(sku: sku, in: inventory) {
            state.force(sku, value: state.compiled.available(sku: sku, in: inventory), at: at, now: now)
        }
    }

    func nextWebhookID() -> String {
        idCounter += 1
        return idPrefix + "_" + String(idCounter)
    }
}
