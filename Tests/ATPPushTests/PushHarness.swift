import ATPEngine
import ATPStore
import ATPTestSupport
import ATPUtilities
import Foundation

@testable import ATPPush

/// An engine, a push service with test-speed settings, and the journal records both produced.
final class PushHarness: @unchecked Sendable {  // fields set in init only
    let engine: Engine
    let push: PushService
    /// Every record: the engine's (from the helpers) and the push service's (dead letters, 410).
    let journal = Locked<[JournalRecord]>([])
    private var eventCounter = Atomic64()

    static func fastConfiguration() -> PushConfiguration {
        var c = PushConfiguration()
        c.requestTimeoutMilliseconds = 300
        c.connectTimeoutMilliseconds = 300
        c.retryBaseMilliseconds = 10
        c.retryCapMilliseconds = 100
        c.pollIntervalMicroseconds = 500
        return c
    }

    init(
        engine: Engine = Engine(clock: ManualClock()),
        configuration: PushConfiguration = PushHarness.fastConfiguration(), start: Bool = true
    ) {
        self.engine = engine
        push = PushService(
            durable: DurableEngine(engine: engine, store: RecordingStore(journal)),
            configuration: configuration)
        if start { push.start() }
    }

    deinit { push.stop() }

    /// Defines channel `name` with delivery to `url`, `change` adjusting the settings.
    func define(
        _ name: String, url: String, locations: [String]? = nil, buffer: Int64 = 0,
        _ change: (inout ChannelDelivery) -> Void = { _ in }
    ) {
        var delivery = ChannelDelivery(endpoint: url, ratePerSecond: 1000, burst: 100)
        change(&delivery)
        let record = try! engine.define(
            ChannelView(name: name, locations: locations, bufferUnits: buffer, delivery: delivery))
        journal.withLock { $0.append(record) }
    }

    /// Sets on-hand of (sku, location) with a `set` event.
    func set(_ sku: String, _ qty: Int64, at location: String = "DC1") {
        let id = "e\(eventCounter.next())"
        let (outcomes, records) = engine.apply([
            StockEvent(id: id, kind: .set, sku: sku, location: location, amount: qty)
        ])
        precondition(outcomes == [.applied])
        journal.withLock { $0.append(contentsOf: records) }
    }

    func counters(_ channel: String) -> PushChannelCounters? { push.counters(channel: channel) }
}

/// A counter for unique ids.
struct Atomic64 {
    private var value: UInt64 = 0
    mutating func next() -> UInt64 {
        value += 1
        return value
    }
}

/// A store that keeps every record it is given in `journal` and always succeeds.
final class RecordingStore: Store {
    let kind = "recording"
    let journal: Locked<[JournalRecord]>
    init(_ journal: Locked<[JournalRecord]>) { self.journal = journal }
    func recover(into engine: Engine) throws(StoreError) -> RecoveryReport { RecoveryReport() }
    func append(_ unit: EngineChange, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        journal.withLock { $0.append(contentsOf: unit.records) }
        completion(.success(()))
    }
    var isAvailable: Bool { true }
    var statistics: StoreStatistics { StoreStatistics() }
    func close() {}
}
