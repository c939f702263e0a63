import ATPTestSupport
import Testing

@testable import ATPEngine

/// Channel push facts in the journal: the full channel configuration, dead letters, format 1
/// records still readable.
@Suite struct ChannelJournalTests {
    static func fullView() -> ChannelView {
        var delivery = ChannelDelivery(endpoint: "http://127.0.0.1:9000/hook", ratePerSecond: 2.5, burst: 3)
        delivery.maxBatch = 50
        delivery.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        delivery.maxAttempts = 4
        delivery.breakerThreshold = 2
        delivery.breakerCooldownMilliseconds = 1500
        delivery.disabled = true
        return ChannelView(name: "web", locations: ["DC1"], bufferUnits: 2, delivery: delivery)
    }

    static let letter = DeadLetter(
        channel: "web", webhookID: "msg_1",
        updates: [PushedUpdate(sku: "A", available: 5, at: Timestamp(milliseconds: 7))],
        attempts: 4, lastError: "answered 500", failedAt: Timestamp(milliseconds: 9))

    @Test func newRecordsRoundTrip() throws {
        for record: JournalRecord in [
            .channelDefined(Self.fullView()), .channelDefined(ChannelView(name: "plain")),
            .deadLetter(Self.letter), .deadLettersRemoved(channel: "web", webhookIDs: ["msg_1", "msg_2"]),
        ] {
            var bytes = record.encoded
            #expect(bytes.first == JournalRecord.formatVersion)
            #expect(try JournalRecord.decode(bytes) == record)
            bytes[0] = 2  // format 3 changed only idempotency records
            #expect(try JournalRecord.decode(bytes) == record)
        }
    }

    @Test func formatOneChannelRecordsStillDecode() throws {
        // format 1, kind 6 (channelDefined), "web", buffer 2 (zigzag 4), locations: ["DC1"]
        let bytes: [UInt8] = [1, 6, 3] + Array("web".utf8) + [4, 1, 1, 3] + Array("DC1".utf8)
        #expect(
            try JournalRecord.decode(bytes)
                == .channelDefined(ChannelView(name: "web", locations: ["DC1"], bufferUnits: 2)))
        var lateKind = JournalRecord.deadLetter(Self.letter).encoded
        lateKind[0] = 1
        #expect(throws: JournalDecodingError.self) { try JournalRecord.decode(lateKind) }
    }

    @Test func deliveryValidation() {
        var d = ChannelDelivery(endpoint: "http://127.0.0.1:1/x")
        #expect(d.problem == nil && d.burst == 10)
        #expect(ChannelDelivery(endpoint: "http://h/", ratePerSecond: 0.5).burst == 1)
        d.secret = "whsec_!!"
        #expect(d.problem != nil)
        d.secret = "whsec_"
        #expect(d.problem != nil)
        d.secret = "whsec_AAAA"
        #expect(d.problem == nil && d.secretKey == [0, 0, 0])
        for bad in [
            ChannelDelivery(endpoint: "https://h/"), ChannelDelivery(endpoint: "http://h/", ratePerSecond: 0),
            ChannelDelivery(endpoint: "http://h/", ratePerSecond: .infinity),
            ChannelDelivery(endpoint: "http://h/", burst: 0),
        ] {
            #expect(bad.problem != nil)
        }
    }

    @Test func deadLettersReplayAndSnapshotAndGoWithTheirChannel() throws {
        let engine = Engine(clock: ManualClock())
        var journal = [try engine.define(Self.fullView())]
        journal.append(engine.addDeadLetter(Self.letter))
        var second = Self.letter
        second.webhookID = "msg_2"
        journal.append(engine.addDeadLetter(second))
        #expect(engine.deadLetters(channel: "web").map(\.webhookID) == ["msg_1", "msg_2"])
        let (taken, record) = engine.takeDeadLetters(channel: "web")
        #expect(taken.count == 2 && engine.deadLetterCount(channel: "web") == 0)
        journal.append(record!)
        journal.append(engine.addDeadLetter(Self.letter))

        let replayed = Engine(clock: ManualClock())
        for r in journal { replayed.replay(try JournalRecord.decode(r.encoded)) }
        #expect(replayed.deadLetters(channel: "web") == [Self.letter])
        #expect(replayed.channel(named: "web")?.view == Self.fullView())

        var snapshot: [JournalRecord] = []
        replayed.exportSnapshot { snapshot.append($0) }
        #expect(snapshot.contains(.deadLetter(Self.letter)))
        _ = replayed.removeChannel(named: "web")
        #expect(replayed.deadLetterCount(channel: "web") == 0)
    }
}
