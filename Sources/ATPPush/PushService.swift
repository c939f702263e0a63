import ATPEngine
import ATPStore
import ATPUtilities

/// Channel push: tells every channel that has delivery settings what changed for it, paced,
/// signed, retried, and dead-lettered when it keeps failing (see `PushDispatcher`).
///
/// Channel definitions come from the engine (`Engine.define`, replayed at start); each new or
/// changed definition — and every channel at `start` — begins with a full resync of the skus it
/// covers, which is how channels converge after a restart. Dead letters live in the engine
/// (committed through `durable`); disabling after a 410 is committed the same way. Only
/// acknowledged figures are sent (`DurableEngine.settle`).
/// Thread-safety: every method from any thread; `start` and `stop` once each.
public final class PushService: Sendable {
    public let engine: Engine
    private let registry = Locked<[String: PushChannelCounters]>([:])
    private let dispatcher: PushDispatcher

    /// Push's own changes (dead letters, a 410's disabling) are committed through `durable`; one
    /// the store refuses is rolled back like any other (counted in the store's figures).
    public init(durable: DurableEngine, configuration: PushConfiguration = PushConfiguration()) {
        engine = durable.engine
        dispatcher = PushDispatcher(durable: durable, configuration: configuration, registry: registry)
    }

    /// Starts the dispatcher thread. Call after recovery: the dispatcher becomes the consumer of
    /// `engine.changes`.
    public func start() { dispatcher.start() }

    /// Stops the dispatcher and waits up to one request timeout for requests in flight.
    public func stop() { dispatcher.stop() }

    /// The delivery figures of `channel`, or nil when it has no push state (yet).
    public func counters(channel: String) -> PushChannelCounters? { registry.withLock { $0[channel] } }

    /// Every channel's figures, sorted by name.
    public var allCounters: [(channel: String, counters: PushChannelCounters)] {
        registry.withLock { r in r.keys.sorted().map { ($0, r[$0]!) } }
    }

    /// Queues the current availability of every sku in `letters` for delivery again (the caller
    /// has already taken them out of the engine with `Engine.takeDeadLetters` and journaled that).
    /// Replay sends current values, never the stale ones the dead letters hold.
    public func replay(channel: String, letters: [DeadLetter]) {
        var seen: Set<String> = []
        var skus: [String] = []
        for letter in letters {
            for update in letter.updates where seen.insert(update.sku).inserted { skus.append(update.sku) }
        }
        dispatcher.post(.replay(channel: channel, skus: skus))
    }
}
