import ATPTestSupport
import Testing

@testable import ATPEngine

@Suite struct AvailabilityTests {
    @Test func cellStatePacksEveryField() {
        for (onHand, reserved, version) in [
            (Int64(0), Int64(0), UInt32(0)), (-Quantity.cellLimit, 0, 1),
            (Quantity.cellLimit, Quantity.cellLimit, 0xFF_FFFF),
            (-1, 12345, 77),
        ] {
            let s = CellState(onHand: onHand, reserved: reserved, version: version)
            #expect(CellState(s.pair) == s)
        }
        #expect(CellState.next(0xFF_FFFF) == 0)
        #expect(CellState.distance(from: 0xFF_FFFE, to: 1) == 3)
        #expect(CellState.distance(from: 5, to: 3) == -2)
    }

    @Test func availableIsOnHandMinusReservedMinusSafetyFlooredAtZero() throws {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 10)
        #expect(engine.available(sku: "A", location: "DC1") == 10)
        _ = try hold(engine, [("A", "DC1", 3)])
        #expect(engine.available(sku: "A", location: "DC1") == 7)
        _ = try engine.setSafetyStock(sku: "A", location: "DC1", value: 5)
        #expect(engine.available(sku: "A", location: "DC1") == 2)
        _ = try engine.setSafetyStock(sku: "A", location: "DC1", value: 9)
        #expect(engine.available(sku: "A", location: "DC1") == 0)
        let row = try #require(engine.stock(sku: "A")?.locations.first)
        #expect(row == .init(location: "DC1", onHand: 10, reserved: 3, safetyStock: 9, available: 0))
    }

    @Test func unknownSkuOrLocationReadsAsZero() {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 4)
        #expect(engine.available(sku: "nope") == 0)
        #expect(engine.available(sku: "A", location: "nowhere") == 0)
        #expect(engine.available(sku: "nope", location: "DC1") == 0)
        #expect(engine.stock(sku: "nope") == nil)
    }

    @Test func networkAndChannelSums() throws {
        let engine = Engine(clock: ManualClock())
        engine.stock("A", "DC1", 10)
        engine.stock("A", "DC2", 5)
        engine.stock("A", "STORE-7", 2)
        engine.stock("B", "DC1", 1)
        #expect(engine.available(sku: "A") == 17)
        _ = try engine.define(ChannelView(name: "web", locations: ["DC1", "STORE-7"], bufferUnits: 2))
        _ = try engine.define(ChannelView(name: "all", locations: nil, bufferUnits: 0))
        _ = try engine.define(ChannelView(name: "tight", locations: ["DC1"], bufferUnits: 50))
        #expect(engine.available(sku: "A", channel: "web") == 10)
        #expect(engine.available(sku: "A", channel: "all") == 17)
        #expect(engine.available(sku: "A", channel: "tight") == 0)
        #expect(engine.available(sku: "B", channel: "web") == 0)
        #expect(engine.available(sku: "A", channel: "missing") == nil)
        let detail = try #require(engine.stock(sku: "A"))
        #expect(detail.available == 17)
        #expect(detail.locations.map(\.location) == ["DC1", "DC2", "STORE-7"])
        #expect(engine.removeChannel(named: "web") != nil)
        #expect(engine.available(sku: "A", channel: "web") == nil)
        #expect(engine.removeChannel(named: "web") == nil)
    }

    @Test func channelViewsAreValidated() {
        let engine = Engine(clock: ManualClock())
        #expect(throws: EngineError.invalidRequest("")) { try engine.define(ChannelView(name: "")) }
        #expect(throws: EngineError.invalidRequest("")) {
            try engine.define(ChannelView(name: "x", bufferUnits: -1))
        }
        #expect(throws: EngineError.invalidRequest("")) {
            try engine.define(ChannelView(name: "x", locations: ["a\u{1}"]))
        }
    }

    @Test func safetyStockIsValidated() {
        let engine = Engine(clock: ManualClock())
        #expect(throws: EngineError.quantityOutOfRange("")) {
            try engine.setSafetyStock(sku: "A", location: "L", value: -1)
        }
        #expect(throws: EngineError.quantityOutOfRange("")) {
            try engine.setSafetyStock(sku: "A", location: "L", value: Quantity.requestLimit + 1)
        }
        #expect(throws: EngineError.invalidRequest("")) {
            try engine.setSafetyStock(sku: "", location: "L", value: 1)
        }
        #expect(throws: EngineError.invalidRequest("")) {
            try engine.setSafetyStock(sku: String(repeating: "x", count: 129), location: "L", value: 1)
        }
    }

    @Test func networkSumSaturatesInsteadOfOverflowing() {
        let engine = Engine(clock: ManualClock())
        // 10^12 per cell is the cell limit; reach it with sets and adjusts within request limits.
        for location in 0..<3 {
            engine.stock("big", "L\(location)", Quantity.requestLimit)
        }
        #expect(engine.available(sku: "big") == 3 * Quantity.requestLimit)
        #expect(Quantity.saturatingAdd(.max - 1, 5) == .max)
    }

    @Test func keysAreValidated() {
        #expect(Key.problem("A-1", name: "sku") == nil)
        #expect(Key.problem("", name: "sku") != nil)
        #expect(Key.problem(String(repeating: "é", count: 64), name: "sku") == nil)
        #expect(Key.problem(String(repeating: "é", count: 65), name: "sku") != nil)
        #expect(Key.problem("a\tb", name: "sku") != nil)
        #expect(Key.problem("a\u{7F}", name: "sku") != nil)
        #expect(Key.problem("a\u{85}", name: "sku") != nil)
    }

    @Test func timestampsFormatAndParseRFC3339() throws {
        let t = Timestamp(milliseconds: 1_795_601_700_123)
        #expect(t.rfc3339() == "2026-11-25T10:15:00Z")
        #expect(t.rfc3339(fraction: true) == "2026-11-25T10:15:00.123Z")
        #expect(Timestamp(rfc3339: "2026-11-25T10:15:00.123Z") == t)
        #expect(Timestamp(rfc3339: "2026-11-25T11:15:00.123+01:00") == t)
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:00Z")?.milliseconds == 0)
        #expect(Timestamp(rfc3339: "1969-12-31T23:59:59.5Z")?.milliseconds == -500)
        #expect(Timestamp(milliseconds: -500).rfc3339(fraction: true) == "1969-12-31T23:59:59.500Z")
        #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z")?.rfc3339() == "2024-02-29T00:00:00Z")
        for bad in [
            "", "2026-11-25", "2026-13-01T00:00:00Z", "2026-11-25T10:15:00", "2026-11-25T10:15:00.Z",
            "2026-11-25T10:15:00Zjunk",
        ] {
            #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
        }
    }

    @Test func batchReadsEqualSingleReadsInEveryScope() throws {
        let engine = Engine(clock: ManualClock())
        let longPrefix = String(repeating: "long-sku-key-", count: 3)
        for i in 0..<200 {
            let sku = i % 3 == 0 ? "\(longPrefix)\(i)" : "S\(i)"
            for l in 0..<(1 + i % 6) { engine.stock(sku, "L\(l)", Int64(i * 10 + l)) }
        }
        _ = try engine.define(ChannelView(name: "web", locations: ["L0", "L2", "L5"], bufferUnits: 3))
        let channel = try #require(engine.channel(named: "web"))
        let names = (0..<230).map { i in
            i >= 200 ? "missing-\(i)" : (i % 3 == 0 ? "\(longPrefix)\(i)" : "S\(i)")
        }
        let keys = names.map { name -> UnsafeRawBufferPointer in
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: name.utf8.count, alignment: 1)
            bytes.copyBytes(from: Array(name.utf8))
            return UnsafeRawBufferPointer(bytes)
        }
        defer { for key in keys { key.deallocate() } }
        let l2 = try #require(engine.inventory.locations.find("L2"))
        let scopes: [(AvailabilityScope, (String) -> Int64)] = [
            (.network, { engine.available(sku: $0) }),
            (.location(l2), { engine.available(sku: $0, location: "L2") }),
            (.channel(channel), { engine.available(sku: $0, channel: "web")! }),
        ]
        for (scope, single) in scopes {
            var out = [Int64](repeating: -1, count: keys.count)
            keys.withUnsafeBufferPointer { k in
                out.withUnsafeMutableBufferPointer { engine.available(skus: k, scope: scope, into: $0) }
            }
            #expect(out == names.map(single))
        }
        #expect(engine.available(sku: "S5", location: "L2") == 52)
    }
}
