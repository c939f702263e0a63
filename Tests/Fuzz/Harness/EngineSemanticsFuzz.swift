import ATPEngine
import ATPPush
import Synchronization

/// Fuzz target: what parsed values *do* — the engine, channel pacing and the journal, driven by
/// an arbitrary program of operations whose values are raw fuzz bytes (any Int64, any Double),
/// validated only by the engine's own rules, as the API's values are.
///
/// Input: a sequence of operations, each an opcode byte and its argument bytes (`FuzzInput`).
/// Operations: stock events of every kind, holds of 1–4 lines, confirm/fulfil/release, clock
/// moves and expiry sweeps, safety stock, channel definitions with arbitrary push settings (each
/// accepted one gets a token bucket and circuit breaker driven at arbitrary times), removal.
/// Invariants, checked after every step and at the end:
/// - nothing traps (any value the validators accept is safe downstream);
/// - a granted hold never oversells: right after it, every cell it holds has
///   `onHand − reserved − safetyStock ≥ 0`;
/// - every cell's `reserved` equals the units of its live reservations in the harness's ledger,
///   and `available` is never negative;
/// - every record encodes and decodes to itself, passes `JournalRecord.problem`, and replaying
///   the journal — or the snapshot — into a fresh engine rebuilds the same cells and statuses;
/// - a token bucket's wait is never negative, and a breaker opened by failures refuses until its
///   cooldown has passed.
public enum EngineSemanticsFuzz {
    static let skus = ["A", "B", "C é"]
    static let locations = ["DC1", "DC2", "STORE-7"]

    public static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        var run = Run()
        var steps = 0
        while !input.rest.isEmpty, steps < 200 {
            steps += 1
            run.step(&input)
            run.checkCells()
        }
        run.checkReplay()
    }

    /// A clock the program moves.
    final class Clock: WallClock {
        let millis = Atomic<Int64>(1_800_000_000_000)
        func now() -> Timestamp { Timestamp(milliseconds: millis.load(ordering: .relaxed)) }
    }

    struct Pacing {
        var bucket: TokenBucket
        var breaker: CircuitBreaker
        var now: Int64 = 0
    }

    struct Run {
        let clock = Clock()
        let engine: Engine
        var journal: [JournalRecord] = []
        /// Live (held or confirmed) reservations: id → lines.
        var live: [UInt64: [ReservationLine]] = [:]
        var ids: [ReservationID] = []
        var pacing: [String: Pacing] = [:]

        init() { engine = Engine(clock: clock) }

        mutating func step(_ input: inout FuzzInput) {
            switch input.byte() % 8 {
            case 0: event(&input)
            case 1: hold(&input)
            case 2: transition(&input)
            case 3: time(&input)
            case 4: safety(&input)
            case 5: channel(&input)
            case 6: pace(&input)
            default: remove(&input)
            }
        }

        // MARK: Operations

        mutating func event(_ input: inout FuzzInput) {
            let kind = StockEventKind(rawValue: input.byte() % 4) ?? .set
            let source: String? = input.byte() & 1 == 0 ? nil : "wms-1"
            let seq: Int64? = source == nil ? nil : input.int64()
            let e = StockEvent(
                id: "e\(input.byte() % 32)", source: source, seq: seq, kind: kind, sku: pick(skus, &input),
                location: pick(locations, &input), amount: input.quantity())
            let (outcomes, records) = engine.apply([e])
            Fuzz.expect(outcomes.count == 1, "one outcome per event")
            if case .applied = outcomes[0] { Fuzz.expect(e.problem == nil, "applied an invalid event \(e)") }
            journal += records
        }

        mutating func hold(_ input: inout FuzzInput) {
            let count = Int(input.byte() % 4) + 1
            var lines: [ReservationLine] = []
            for _ in 0..<count {
                lines.append(
                    ReservationLine(
                        sku: pick(skus, &input), location: pick(locations, &input), qty: input.quantity()))
            }
            let ttl = input.int64() % 700_000
            do throws(Engine.CreateFailure) {
                let (reservation, record) = try engine.createReservation(
                    ReservationRequest(lines: lines, ttlSeconds: ttl, reference: nil))
                journal.append(record)
                live[reservation.id.raw] = reservation.lines
                ids.append(reservation.id)
                for line in reservation.lines {
                    let c = figures(line.sku, line.location)
                    Fuzz.expect(c.onHand - c.reserved - c.safety >= 0, "oversold \(line): \(c)")
                }
            } catch {
                return
            }
        }

        mutating func transition(_ input: inout FuzzInput) {
            guard !ids.isEmpty else { return }
            let id = ids[Int(input.byte()) % ids.count]
            let kind: ReservationTransition = [.confirm, .fulfil, .release][Int(input.byte() % 3)]
            let (outcome, records) = engine.transition(id, kind)
            journal += records
            if case .changed(let r) = outcome, r.status.isFinal { live[id.raw] = nil }
            if let r = engine.reservation(id), r.status.isFinal { live[id.raw] = nil }
        }

        mutating func time(_ input: inout FuzzInput) {
            let seconds = Int64(input.byte()) << Int64(input.byte() % 16)  // up to ~100 days
            clock.millis.add(seconds * 1000, ordering: .relaxed)
            journal += engine.sweepExpired()
            for id in ids where engine.reservation(id)?.status.isFinal ?? true { live[id.raw] = nil }
        }

        mutating func safety(_ input: inout FuzzInput) {
            let value = input.quantity()
            if let (_, record) = try? engine.setSafetyStock(
                sku: pick(skus, &input), location: pick(locations, &input), value: value)
            {
                journal.append(record)
                Fuzz.expect(Quantity.isValid(value, minimum: 0), "accepted safety stock \(value)")
            }
        }

        mutating func channel(_ input: inout FuzzInput) {
            var delivery = ChannelDelivery(
                endpoint: "http://127.0.0.1:9/hook", ratePerSecond: input.double(),
                burst: input.byte() & 1 == 0 ? nil : Int(truncatingIfNeeded: input.int64()))
            if input.byte() & 1 == 1 { delivery.breakerCooldownMilliseconds = input.int64() }
            if input.byte() & 1 == 1 { delivery.breakerThreshold = Int(truncatingIfNeeded: input.int64()) }
            let name = "ch\(input.byte() % 4)"
            let locations: [String]? = input.byte() & 1 == 0 ? nil : [pick(Self.locationsList, &input)]
            let view = ChannelView(
                name: name, locations: locations, bufferUnits: input.quantity(), delivery: delivery)
            guard let record = try? engine.define(view) else { return }
            Fuzz.expect(view.problem == nil, "accepted channel \(view)")
            journal.append(record)
            pacing[name] = Pacing(bucket: TokenBucket(delivery, now: 0), breaker: CircuitBreaker(delivery))
            for sku in skus { _ = engine.available(sku: sku, channel: name) }
        }

        /// Drives one channel's bucket and breaker as the dispatcher does, at a moved time.
        mutating func pace(_ input: inout FuzzInput) {
            guard
                let name = pacing.keys.sorted().first(where: { _ in input.byte() & 1 == 1 })
                    ?? pacing.keys.min(),
                var p = pacing[name]
            else { return }
            p.now = p.now &+ Int64(input.byte()) << Int64(input.byte() % 40)
            let wait = p.bucket.wait(now: p.now)
            Fuzz.expect(wait >= 0, "negative wait \(wait)")
            if wait == 0, p.breaker.allows(now: p.now) {
                Fuzz.expect(p.bucket.take(now: p.now), "a zero wait without a token")
                p.breaker.sent()
                switch input.byte() % 3 {
                case 0: p.breaker.succeeded()
                case 1:
                    p.breaker.failed(now: p.now)
                    if p.breaker.state == .open && p.breaker.cooldown > 0 {
                        Fuzz.expect(
                            !p.breaker.allows(now: p.now), "an open breaker allowed a request at once")
                    }
                default: p.breaker.released()
                }
            }
            pacing[name] = p
        }

        mutating func remove(_ input: inout FuzzInput) {
            let name = "ch\(input.byte() % 4)"
            if let record = engine.removeChannel(named: name) {
                journal.append(record)
                pacing[name] = nil
            }
        }

        // MARK: Invariants

        static var locationsList: [String] { locations }

        func pick(_ list: [String], _ input: inout FuzzInput) -> String {
            list[Int(input.byte()) % list.count]
        }

        func figures(_ sku: String, _ location: String) -> (onHand: Int64, reserved: Int64, safety: Int64) {
            guard let row = engine.stock(sku: sku)?.locations.first(where: { $0.location == location }) else {
                return (0, 0, 0)
            }
            return (row.onHand, row.reserved, row.safetyStock)
        }

        func checkCells() {
            var expected: [String: Int64] = [:]
            for lines in live.values {
                for line in lines { expected["\(line.sku)@\(line.location)", default: 0] += line.qty }
            }
            for sku in skus {
                guard let stock = engine.stock(sku: sku) else { continue }
                Fuzz.expect(stock.available >= 0, "negative availability of \(sku)")
                for row in stock.locations {
                    Fuzz.expect(row.available >= 0 && row.reserved >= 0, "negative figures \(row)")
                    Fuzz.expect(
                        row.reserved == expected["\(sku)@\(row.location)", default: 0],
                        "\(sku)@\(row.location) reserves \(row.reserved), its live holds \(expected["\(sku)@\(row.location)", default: 0])"
                    )
                }
            }
        }

        func checkReplay() {
            let fromJournal = Engine(clock: clock)
            for record in journal {
                Fuzz.expect(record.problem == nil, "the engine wrote a record replay refuses: \(record)")
                guard let decoded = try? JournalRecord.decode(record.encoded) else {
                    Fuzz.fail("\(record) does not decode")
                }
                Fuzz.expect(decoded == record, "\(record) decodes to \(decoded)")
                Fuzz.expect(fromJournal.replay(decoded) == nil, "replay refused \(decoded)")
            }
            fromJournal.finishReplay()
            let fromSnapshot = Engine(clock: clock)
            engine.exportSnapshot { record in
                Fuzz.expect(fromSnapshot.replay(record) == nil, "replay refused snapshot record \(record)")
            }
            fromSnapshot.finishReplay()
            for replayed in [fromJournal, fromSnapshot] {
                for sku in skus {
                    let a = engine.stock(sku: sku)?.locations.map { "\($0)" }
                    let b = replayed.stock(sku: sku)?.locations.map { "\($0)" }
                    Fuzz.expect(a == b, "\(sku) after replay: \(b ?? []) instead of \(a ?? [])")
                }
                for id in ids {
                    // None: purged after retention.
                    guard let status = engine.reservation(id)?.status else { continue }
                    Fuzz.expect(
                        status == replayed.reservation(id)?.status,
                        "\(id) replays as \(String(describing: replayed.reservation(id)?.status))")
                }
            }
        }
    }
}

extension FuzzInput {
    /// The next 8 parameter bytes as an Int64 (little-endian; missing bytes are 0).
    mutating func int64() -> Int64 {
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(byte()) << UInt64(8 * i) }
        return Int64(bitPattern: value)
    }

    /// A Double from the next 8 bytes: any bit pattern (NaN, ±inf, subnormals, 1e-300) or, on
    /// an odd first byte, a small rate in thousandths.
    mutating func double() -> Double {
        let selector = byte()
        if selector & 1 == 1 { return Double(byte()) / 1000 + Double(byte()) }
        return Double(bitPattern: UInt64(bitPattern: int64()))
    }

    /// A quantity: mostly small, sometimes any Int64 (the validators must refuse those).
    mutating func quantity() -> Int64 {
        let selector = byte()
        switch selector % 4 {
        case 0: return int64()
        case 1: return Int64(Int8(bitPattern: byte()))
        default: return Int64(byte() % 16)
        }
    }
}
