import ATPEngine
import Testing

/// Inputs the fuzz targets (Tests/Fuzz) crashed on, each kept as the test it became.
@Suite struct FuzzRegressionTests {
    /// journal-frame: a checksummed `channelDefined` record whose rate, read back as a Double, is
    /// below `Int.min` trapped in `ChannelDelivery.init` (burst = the rate rounded up, as an Int),
    /// so recovery would crash instead of reading on. The fuzzer's record, cut short after the rate.
    @Test func channelRecordWithARateBelowIntMinDecodesWithoutATrap() {
        let bytes: [UInt8] = [
            0x02, 0x06, 0x07, 0x77, 0x6f, 0x4d, 0x2d, 0x32, 0x01, 0x63, 0x81, 0x01, 0x01, 0x01, 0x01, 0x52,
            0x01, 0x00,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xed, 0xff, 0x01, 0x01,
        ]
        #expect(throws: JournalDecodingError.self) { try JournalRecord.decode(bytes) }
    }

    /// The same rate in a whole record: the default burst is the smallest, and the record round-trips.
    @Test func channelDeliveryWithAHugeNegativeRateGetsTheSmallestBurst() throws {
        let delivery = ChannelDelivery(endpoint: "http://127.0.0.1:9000/hook", ratePerSecond: -1e300)
        #expect(delivery.burst == 1)
        #expect(delivery.problem != nil)
        let record = JournalRecord.channelDefined(ChannelView(name: "web", delivery: delivery))
        #expect(try JournalRecord.decode(record.encoded) == record)
    }
}
