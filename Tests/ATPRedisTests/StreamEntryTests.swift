import ATPRedis
import Testing

/// `StreamEntry` reading the reply shapes of `XREADGROUP` and `XAUTOCLAIM`, without a server:
/// the shapes Redis 6.2 and 7 answer, the null reply, and replies of another shape.
@Suite struct StreamEntryTests {
    private func bulk(_ text: String) -> RedisReply { .bulk(Array(text.utf8)) }
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func anEntryIsItsIdAndFlatFieldsOrNilFieldsWhenDeleted() {
        #expect(
            StreamEntry(.array([bulk("1-0"), .array([bulk("a"), bulk("1")])]))
                == StreamEntry(id: bytes("1-0"), fields: [bytes("a"), bytes("1")]))
        #expect(StreamEntry(.array([bulk("2-0"), .null])) == StreamEntry(id: bytes("2-0"), fields: nil))
        // Elements of a field list that are not bulk strings are left out, as before.
        #expect(
            StreamEntry(.array([bulk("3-0"), .array([bulk("a"), .integer(1)])]))?.fields == [bytes("a")])
        #expect(StreamEntry(.array([bulk("1-0")])) == nil)
        #expect(StreamEntry(.array([.integer(1), .null])) == nil)
        #expect(StreamEntry(bulk("1-0")) == nil)
        #expect(StreamEntry.entries(.null) == nil)
        #expect(StreamEntry.entries(.array([.integer(1), .array([bulk("1-0"), .null])]))?.count == 1)
    }

    @Test func readsAreOnePerStreamAndNoneForTheNullReply() {
        #expect(StreamEntry.reads(.null).isEmpty)
        #expect(StreamEntry.reads(.error("NOGROUP x")).isEmpty)
        let reply = RedisReply.array([
            .array([bulk("s"), .array([.array([bulk("1-0"), .array([bulk("a"), bulk("1")])])])]),
            .array([bulk("broken")]),
            .array([bulk("t"), .array([])]),
        ])
        #expect(
            StreamEntry.reads(reply) == [
                StreamEntry.Read(
                    stream: bytes("s"),
                    entries: [StreamEntry(id: bytes("1-0"), fields: [bytes("a"), bytes("1")])]),
                StreamEntry.Read(stream: bytes("t"), entries: []),
            ])
    }

    @Test func aClaimIsTheCursorTheEntriesAndTheDeletedIds() throws {
        // Redis 7: [cursor, entries, deleted ids].
        let seven = try #require(
            StreamEntry.Claim(
                .array([
                    bulk("5-0"), .array([.array([bulk("4-0"), .array([bulk("a"), bulk("1")])])]),
                    .array([bulk("3-0")]),
                ])))
        #expect(seven.next == "5-0")
        #expect(seven.entries == [StreamEntry(id: bytes("4-0"), fields: [bytes("a"), bytes("1")])])
        #expect(seven.deleted == [bytes("3-0")])
        // Redis 6.2: [cursor, entries], a deleted entry among them without fields.
        let six = try #require(
            StreamEntry.Claim(.array([bulk("0-0"), .array([.array([bulk("3-0"), .null])])])))
        #expect(six.next == "0-0" && six.deleted.isEmpty)
        #expect(six.entries == [StreamEntry(id: bytes("3-0"), fields: nil)])
        #expect(StreamEntry.Claim(.error("NOGROUP x")) == nil)
        #expect(StreamEntry.Claim(.array([bulk("0-0")])) == nil)
        #expect(StreamEntry.Claim(.array([.integer(0), .array([])])) == nil)
        #expect(StreamEntry.Claim(.array([bulk("0-0"), .null])) == nil)
    }
}
