import ATPTestSupport
import Testing

@testable import ATPEngine

/// What bounds the engine's tables: the FIFO of `ExpiringTable` (idempotency keys, event ids)
/// stays within twice its entries whatever clients do, and the channel set has a cap.
@Suite struct BoundsTests {
    static func key(_ i: Int) -> Digest128 {
        Digest128(high: UInt64(i), low: UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
    }

    @Test func aFloodOfUniqueKeysKeepsTheNewestAtCapacity() {
        var table = ExpiringTable<Int>(retention: 60_000, capacity: 100)
        var evicted = 0
        for i in 0..<100_000 { evicted += table.insert(Self.key(i), i, at: 0, now: 0) }
        #expect(table.count == 100)
        #expect(evicted == 100_000 - 100, "every key dropped before its retention ended is counted")
        #expect(table.footprint <= 2 * 100 + 1024)
        #expect(
            table.entry(Self.key(99_999))?.value == 99_999 && table.entry(Self.key(99_900))?.value == 99_900)
        #expect(table.entry(Self.key(99_899)) == nil, "the oldest go first")
    }

    /// Re-inserting one key, inserting twice in one millisecond (an idempotency key begun then
    /// completed), and inserting then removing (an abandoned key) all leave stale FIFO entries
    /// behind; none of them may make the FIFO grow with the number of operations.
    @Test func staleEntriesDoNotAccumulate() {
        var same = ExpiringTable<Int>(retention: 86_400_000, capacity: 100)
        for i in 0..<100_000 { same.insert(Self.key(7), i, at: Int64(i / 10), now: Int64(i / 10)) }
        #expect(same.count == 1 && same.footprint <= 2 + 1024 && same.entry(Self.key(7))?.value == 99_999)

        var twice = ExpiringTable<Int>(retention: 86_400_000, capacity: 100)
        for i in 0..<100_000 {
            twice.insert(Self.key(i), 0, at: Int64(i), now: Int64(i))
            twice.insert(Self.key(i), 1, at: Int64(i), now: Int64(i))
        }
        #expect(twice.count == 100 && twice.footprint <= 2 * 100 + 1024)
        #expect(twice.entry(Self.key(99_999))?.value == 1)

        var abandoned = ExpiringTable<Int>(retention: 86_400_000, capacity: 100)
        for i in 0..<100_000 {
            abandoned.insert(Self.key(i), i, at: Int64(i), now: Int64(i))
            abandoned.remove(Self.key(i))
        }
        #expect(abandoned.count == 0 && abandoned.footprint <= 1024)
        // Retention still holds after the compactions.
        abandoned.insert(Self.key(1), 1, at: 200_000, now: 200_000)
        #expect(abandoned.value(Self.key(1), now: 200_000 + 86_399_999) == 1)
        #expect(abandoned.value(Self.key(1), now: 200_000 + 86_400_000) == nil && abandoned.count == 0)
    }

    @Test func theChannelSetHasACap() throws {
        var configuration = EngineConfiguration()
        configuration.channelCapacity = 3
        let engine = Engine(configuration: configuration, clock: ManualClock())
        var records: [JournalRecord] = []
        for name in ["a", "b", "c"] { records.append(try engine.define(ChannelView(name: name))) }
        #expect(throws: EngineError.capacityExhausted("")) { try engine.define(ChannelView(name: "d")) }
        let version = engine.channelsVersion
        #expect(throws: EngineError.capacityExhausted("")) { try engine.define(ChannelView(name: "e")) }
        #expect(engine.channelsVersion == version, "a refused channel publishes no new channel set")
        records.append(try engine.define(ChannelView(name: "a", bufferUnits: 1)))
        records.append(try #require(engine.removeChannel(named: "b")))
        records.append(try engine.define(ChannelView(name: "d")))
        #expect(engine.channelViews.map(\.name) == ["a", "c", "d"])
        // Replay takes back what was accepted, even where a smaller cap is set now.
        configuration.channelCapacity = 1
        let replayed = Engine(configuration: configuration, clock: ManualClock())
        for record in records { #expect(replayed.replay(record) == nil) }
        #expect(replayed.channelViews.map(\.name) == ["a", "c", "d"])
    }
}
