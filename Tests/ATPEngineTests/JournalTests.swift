import ATPTestSupport
import Testing

@testable import ATPEngine

@Suite struct JournalTests {
    static let sampleReservation = Reservation(
        id: ReservationID(raw: 0xdead_beef_0123_4567), status: .held,
        lines: [
            ReservationLine(sku: "A", location: "DC1", qty: 2),
            ReservationLine(sku: "Ü-ñ", location: "STORE-7", qty: 1_000_000_000),
        ],
        createdAt: Timestamp(milliseconds: 1_795_000_000_000),
        expiresAt: Timestamp(milliseconds: 1_795_000_900_000),
        updatedAt: Timestamp(milliseconds: 1_795_000_000_000), reference: "cart-123")

    static let samples: [JournalRecord] = [
        .stockEvent(
            StockEventRecord(
                event: StockEvent(
                    id: "wms-1-17", source: "wms-1", seq: 17, kind: .set, sku: "A", location: "DC1",
                    amount: 100), at: Timestamp(milliseconds: 5), version: 1)),
        .stockEvent(
            StockEventRecord(
                event: StockEvent(
                    id: "pos", kind: .adjust, sku: "A", location: "DC1", amount: -1_000_000_000),
                at: Timestamp(milliseconds: -5), version: 0xFF_FFFF)),
        .safetyStock(sku: "A", location: "DC1", value: 3),
        .reservationCreated(sampleReservation),
        .reservationSnapshot(
            Reservation(
                id: ReservationID(raw: 1), status: .confirmed,
                lines: [ReservationLine(sku: "A", location: "B", qty: 1)],
                createdAt: Timestamp(milliseconds: 0), expiresAt: Timestamp(milliseconds: 1),
                updatedAt: Timestamp(milliseconds: 2), reference: nil)),
        .reservationTransition(
            ReservationTransitionRecord(
                id: ReservationID(raw: .max), status: .fulfilled, at: Timestamp(milliseconds: 9),
                versions: [3, 4])),
        .idempotency(
            IdempotencyRecord(
                key: Digest128("s", "k"), fingerprint: Digest128("body"),
                outcome: StoredOutcome(status: 201, body: Array("{}".utf8)), at: Timestamp(milliseconds: 77))),
        .channelDefined(ChannelView(name: "web", locations: ["DC1", "STORE-7"], bufferUnits: 2)),
        .channelDefined(ChannelView(name: "all", locations: nil, bufferUnits: 0)),
        .channelRemoved(name: "web"),
        .cellSnapshot(CellSnapshotRecord(sku: "A", location: "DC1", onHand: -4, version: 9, safetyStock: 2)),
        .sequenceMark(source: "wms-1", sku: "A", location: "DC1", seq: 17),
        .eventSeen(id: Digest128("e1"), at: Timestamp(milliseconds: 3)),
    ]

    @Test(arguments: JournalTests.samples)
    func everyKindRoundTrips(record: JournalRecord) throws {
        let bytes = record.encoded
        #expect(bytes.first == JournalRecord.formatVersion)
        #expect(try JournalRecord.decode(bytes) == record)
        // Every strict prefix is an error, never a crash or a different record.
        for n in 0..<bytes.count {
            #expect(throws: JournalDecodingError.self) { try JournalRecord.decode(Array(bytes[..<n])) }
        }
        #expect(throws: JournalDecodingError.self) { try JournalRecord.decode(bytes + [0]) }
    }

    @Test func recordsAreCompact() {
        let event = JournalRecord.stockEvent(
            StockEventRecord(
                event: StockEvent(
                    id: "wms-1-000018", source: "wms-1", seq: 18, kind: .adjust, sku: "SKU-123456",
                    location: "DC1", amount: -2), at: Timestamp(milliseconds: 1_795_000_000_000), version: 42)
        )
        #expect(event.encoded.count <= 48, "\(event.encoded.count) bytes")
    }

    @Test func randomBytesNeverCrashTheDecoder() {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...40, using: &rng)
            var bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if n > 1 {
                bytes[0] = 1
                bytes[1] = UInt8.random(in: 0...12, using: &rng)
            }
            _ = try? JournalRecord.decode(bytes)
        }
        #expect(throws: JournalDecodingError.self) { try JournalRecord.decode([2, 1]) }
        #expect(throws: JournalDecodingError.self) { try JournalRecord.decode([1, 99]) }
        #expect(throws: JournalDecodingError.self) {
            try JournalRecord.decode([1, 7, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        }
    }

    /// Drives an engine through a random mix of every mutation and returns its journal.
    func workload(_ engine: Engine, clock: ManualClock, seed: UInt64, steps: Int) -> [JournalRecord] {
        var rng = SeededGenerator(seed: seed)
        var journal: [JournalRecord] = []
        var ids: [ReservationID] = []
        let skus = (0..<12).map { "sku-\($0)" }
        let locations = ["DC1", "DC2", "STORE-7"]
        journal.append(
            try! engine.define(ChannelView(name: "web", locations: ["DC1", "STORE-7"], bufferUnits: 1)))
        for step in 0..<steps {
            let sku = skus.randomElement(using: &rng)!
            let location = locations.randomElement(using: &rng)!
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<30:
                let kind = StockEventKind.allCases.randomElement(using: &rng)!
                let amount: Int64 =
                    kind == .adjust
                    ? Int64.random(in: -5...5, using: &rng) : Int64.random(in: 0...30, using: &rng)
                let source = ["wms-1", "pos-7", nil].randomElement(using: &rng)!
                let seq = source == nil ? nil : Int64(step - Int.random(in: 0...3, using: &rng))
                let id =
                    Bool.random(using: &rng) || step < 5
                    ? "ev-\(step)" : "ev-\(Int.random(in: 0..<step, using: &rng))"
                journal +=
                    engine.apply([
                        StockEvent(
                            id: id, source: source, seq: seq, kind: kind, sku: sku, location: location,
                            amount: amount)
                    ]).records
            case 30..<60:
                let lines = [
                    ReservationLine(sku: sku, location: location, qty: Int64.random(in: 1...4, using: &rng))
                ]
                if let (r, record) = try? engine.createReservation(
                    ReservationRequest(
                        lines: lines, ttlSeconds: Int64.random(in: 1...60, using: &rng),
                        reference: Bool.random(using: &rng) ? "cart-\(step)" : nil))
                {
                    ids.append(r.id)
                    journal.append(record)
                    if Bool.random(using: &rng) {
                        journal.append(
                            engine.idempotency.complete(
                                scope: "c", key: "k\(step)", fingerprint: Digest128("\(step)"),
                                outcome: StoredOutcome(status: 201, body: Array("\(r.id)".utf8)),
                                now: clock.now()))
                    }
                }
            case 60..<80:
                if let id = ids.randomElement(using: &rng) {
                    let t: ReservationTransition = [.confirm, .fulfil, .release].randomElement(using: &rng)!
                    journal += engine.transition(id, t).1
                }
            case 80..<85:
                journal.append(
                    try! engine.setSafetyStock(
                        sku: sku, location: location, value: Int64.random(in: 0...3, using: &rng)
                    ).1)
            case 85..<95:
                clock.advance(seconds: Int64.random(in: 0...10, using: &rng))
                journal += engine.sweepExpired()
            default:
                journal.append(
                    try! engine.define(
                        ChannelView(
                            name: "ch-\(step % 3)", locations: Bool.random(using: &rng) ? nil : [location],
                            bufferUnits: Int64.random(in: 0...2, using: &rng))))
                if Bool.random(using: &rng), let removed = engine.removeChannel(named: "ch-\((step + 1) % 3)")
                {
                    journal.append(removed)
                }
            }
        }
        return journal
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func replayingTheJournalRebuildsTheSameState(seed: UInt64) throws {
        let clock = ManualClock()
        let original = Engine(clock: clock)
        let journal = workload(original, clock: clock, seed: seed, steps: 3000)
        #expect(journal.count > 1000)

        let replayed = Engine(clock: clock)
        for record in journal { replayed.replay(try JournalRecord.decode(record.encoded)) }
        #expect(replayed.finishReplay() == 0)
        #expect(replayed.canonicalState() == original.canonicalState())
        for status in ReservationStatus.allCases {
            #expect(replayed.counters.reservations(status) == original.counters.reservations(status))
        }

        // A snapshot of the original rebuilds it too.
        var snapshot: [JournalRecord] = []
        original.exportSnapshot { snapshot.append($0) }
        let restored = Engine(clock: clock)
        for record in snapshot { restored.replay(try JournalRecord.decode(record.encoded)) }
        restored.finishReplay()
        #expect(restored.canonicalState() == original.canonicalState())

        // Replaying the journal again on top changes nothing: every record is already included.
        for record in journal { restored.replay(record) }
        restored.finishReplay()
        #expect(restored.canonicalState() == original.canonicalState())
    }

    @Test func onHandChangesReplayInCellVersionOrder() throws {
        let clock = ManualClock()
        let original = Engine(clock: clock)
        var journal: [JournalRecord] = []
        journal +=
            original.apply([StockEvent(id: "count", kind: .set, sku: "A", location: "DC1", amount: 100)])
            .records
        journal +=
            original.apply([StockEvent(id: "damage", kind: .adjust, sku: "A", location: "DC1", amount: -2)])
            .records
        journal +=
            original.apply([StockEvent(id: "recount", kind: .set, sku: "A", location: "DC1", amount: 50)])
            .records
        journal +=
            original.apply([StockEvent(id: "sold", kind: .sale, sku: "A", location: "DC1", amount: 1)])
            .records
        #expect(original.cellState("A", "DC1")?.onHand == 49)
        // Threads can append in another order than their CAS happened; replay must not care.
        let replayed = Engine(clock: clock)
        for record in journal.reversed() { replayed.replay(record) }
        #expect(replayed.finishReplay() == 0)
        #expect(replayed.cellState("A", "DC1") == original.cellState("A", "DC1"))
    }

    @Test func aLostRecordLeavesAGapThatLaterChangesSkip() throws {
        let engine = Engine(clock: ManualClock())
        let r1 = engine.apply([StockEvent(id: "1", kind: .set, sku: "A", location: "DC1", amount: 10)])
            .records
        _ = engine.apply([StockEvent(id: "2", kind: .adjust, sku: "A", location: "DC1", amount: 5)]).records
        let r3 = engine.apply([StockEvent(id: "3", kind: .adjust, sku: "A", location: "DC1", amount: -1)])
            .records
        let replayed = Engine(clock: ManualClock())
        for record in r1 + r3 { replayed.replay(record) }
        #expect(replayed.finishReplay() == 1)
        #expect(replayed.counters.replayGaps.load(ordering: .relaxed) == 1)
        // The lost +5 is absent; everything durable is applied in order.
        #expect(replayed.cellState("A", "DC1")?.onHand == 9)
        #expect(
            replayed.apply(StockEvent(id: "2", kind: .adjust, sku: "A", location: "DC1", amount: 5))
                == .applied, "the lost event's id was not restored")
        #expect(
            replayed.apply(StockEvent(id: "3", kind: .adjust, sku: "A", location: "DC1", amount: -1))
                == .duplicate)
    }

    @Test func replayedHoldsKeepTheirExpiry() throws {
        let clock = ManualClock()
        let original = Engine(clock: clock)
        var journal = original.apply([StockEvent(id: "1", kind: .set, sku: "A", location: "DC1", amount: 5)])
            .records
        let (r, record) = try original.createReservation(
            ReservationRequest(lines: [ReservationLine(sku: "A", location: "DC1", qty: 5)], ttlSeconds: 30))
        journal.append(record)
        let replayed = Engine(clock: clock)
        for record in journal { replayed.replay(record) }
        #expect(replayed.available(sku: "A") == 0, "a restart must not sell what was held")
        clock.advance(seconds: 31)
        #expect(replayed.sweepExpired().count == 1)
        #expect(replayed.available(sku: "A") == 5)
        #expect(replayed.reservation(r.id)?.status == .expired)
    }
}
