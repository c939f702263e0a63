import ATPEngine
import ATPTestSupport

/// Drives an engine through a random mix of every kind of mutation and hands each mutation's
/// journal records, as one unit, to `submit` — what the service does with a store.
///
/// Several drivers may share one engine from different threads: names whose last writer wins
/// (safety stock, channels, reservations and idempotency keys) carry the driver's `owner` prefix,
/// so no two threads race on them; stock events share skus (their cell versions order them).
struct Workload {
    let engine: Engine
    let clock: ManualClock
    let owner: String
    /// Moves the clock and sweeps expired holds (single-threaded workloads only).
    var movesTime = true
    private var rng: SeededGenerator
    private var ids: [ReservationID] = []
    private var step = 0

    init(engine: Engine, clock: ManualClock, seed: UInt64, owner: String = "") {
        self.engine = engine
        self.clock = clock
        self.owner = owner
        rng = SeededGenerator(seed: seed)
    }

    static let skus = (0..<12).map { "sku-\($0)" }
    static let locations = ["DC1", "DC2", "STORE-7"]

    /// Runs `steps` mutations.
    mutating func run(steps: Int, submit: ([JournalRecord]) -> Void) {
        if step == 0 {
            submit([
                try! engine.define(
                    ChannelView(name: "\(owner)web", locations: ["DC1", "STORE-7"], bufferUnits: 1))
            ])
        }
        for _ in 0..<steps {
            let records = next()
            if !records.isEmpty { submit(records) }
            step += 1
        }
    }

    private mutating func next() -> [JournalRecord] {
        let sku = Self.skus.randomElement(using: &rng)!
        let location = Self.locations.randomElement(using: &rng)!
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<30:
            return engine.apply([event(sku, location)]).records
        case 30..<55:
            let lines = [
                ReservationLine(sku: sku, location: location, qty: Int64.random(in: 1...4, using: &rng))
            ]
            let ttl = Int64.random(in: 1...60, using: &rng)
            let reference = Bool.random(using: &rng) ? "\(owner)cart-\(step)" : nil
            guard
                let (r, record) = try? engine.createReservation(
                    ReservationRequest(lines: lines, ttlSeconds: ttl, reference: reference))
            else {
                return []
            }
            ids.append(r.id)
            guard Bool.random(using: &rng) else { return [record] }
            let outcome = StoredOutcome(status: 201, body: Array("{\"id\":\"\(r.id)\"}".utf8))
            let done = engine.idempotency.complete(
                scope: "\(owner)client", key: "k\(step)", fingerprint: Digest128("\(owner)\(step)"),
                outcome: outcome,
                now: clock.now())
            return [record, done]
        case 55..<75:
            guard let id = ids.randomElement(using: &rng) else { return [] }
            let choices: [ReservationTransition] =
                [.confirm, .fulfil, .release]
            return engine.transition(id, choices.randomElement(using: &rng)!).1
        case 75..<80:
            let value = Int64.random(in: 0...3, using: &rng)
            return [try! engine.setSafetyStock(sku: "\(owner)\(sku)", location: location, value: value).1]
        case 80..<88:
            let batch = (0..<3).map { _ in event(Self.skus.randomElement(using: &rng)!, location) }
            return engine.apply(batch).records
        case 88..<95:
            guard movesTime else { return [] }
            clock.advance(seconds: Int64.random(in: 0...10, using: &rng))
            return engine.sweepExpired()
        default:
            let name = "\(owner)ch-\(step % 3)"
            let locations = Bool.random(using: &rng) ? nil : [location]
            var records = [
                try! engine.define(
                    ChannelView(
                        name: name, locations: locations, bufferUnits: Int64.random(in: 0...2, using: &rng)))
            ]
            if Bool.random(using: &rng),
                let removed = engine.removeChannel(named: "\(owner)ch-\((step + 1) % 3)")
            {
                records.append(removed)
            }
            return records
        }
    }

    private mutating func event(_ sku: String, _ location: String) -> StockEvent {
        let kind = StockEventKind.allCases.randomElement(using: &rng)!
        let amount =
            kind == .adjust ? Int64.random(in: -5...5, using: &rng) : Int64.random(in: 0...30, using: &rng)
        let source = ["wms-1", "pos-7", nil].randomElement(using: &rng)!
        let seq = source == nil ? nil : Int64(step - Int.random(in: 0...3, using: &rng))
        let repeated = step > 5 && Int.random(in: 0..<4, using: &rng) == 0
        let id =
            repeated
            ? "\(owner)ev-\(Int.random(in: 0..<step, using: &rng))"
            : "\(owner)ev-\(step)-\(rng.next() % 1000)"
        return StockEvent(
            id: id, source: source, seq: seq, kind: kind, sku: sku, location: location, amount: amount)
    }
}
