/// One entry of a Redis stream as `XREADGROUP`, `XAUTOCLAIM` and `XRANGE` answer it: its id and
/// its flat `field, value, field, value, …` list, bytes as Redis holds them.
///
/// Reading a reply keeps the reply's byte arrays (no copy) and makes one array per entry, for its
/// fields. Thread-safety: a value type, `Sendable`. Complexity: O(entries and fields) to read.
public struct StreamEntry: Sendable, Equatable {
    /// The entry id, `<milliseconds>-<sequence>`.
    public var id: [UInt8]
    /// The fields and values, alternating; nil for an entry deleted from the stream while it was
    /// pending (`XREADGROUP` of pending entries, `XAUTOCLAIM` before Redis 7 answer `[id, nil]`).
    public var fields: [[UInt8]]?

    public init(id: [UInt8], fields: [[UInt8]]?) {
        self.id = id
        self.fields = fields
    }

    /// The entry of `[id, [field, value, …]]` or `[id, nil]`; nil for any other reply. Field
    /// elements that are not bulk strings are left out.
    public init?(_ reply: RedisReply) {
        guard let pair = reply.array, pair.count == 2, let id = pair[0].bytes else { return nil }
        self.init(id: id, fields: pair[1].array?.compactMap(\.bytes))
    }

    /// The entries of an array of entries, in order, elements of another shape left out; nil when
    /// `reply` is not an array.
    public static func entries(_ reply: RedisReply) -> [StreamEntry]? {
        reply.array?.compactMap(StreamEntry.init)
    }

    /// The entries `XREADGROUP` (or `XREAD`) answered for one stream.
    public struct Read: Sendable, Equatable {
        /// The stream's key.
        public var stream: [UInt8]
        public var entries: [StreamEntry]

        public init(stream: [UInt8], entries: [StreamEntry]) {
            self.stream = stream
            self.entries = entries
        }
    }

    /// What `XREADGROUP` (or `XREAD`) answered, `[[stream, [entry, …]], …]`: one `Read` per
    /// stream, in the order the command named them; empty for the null reply (nothing new within
    /// the block time). Streams of another shape are left out.
    public static func reads(_ reply: RedisReply) -> [Read] {
        guard let streams = reply.array else { return [] }
        var reads: [Read] = []
        reads.reserveCapacity(streams.count)
        for stream in streams {
            guard let pair = stream.array, pair.count == 2, let key = pair[0].bytes,
                let entries = entries(pair[1])
            else { continue }
            reads.append(Read(stream: key, entries: entries))
        }
        return reads
    }

    /// What one `XAUTOCLAIM` answered.
    public struct Claim: Sendable, Equatable {
        /// Where the next call starts; `0-0` when the pending list has been scanned to its end.
        public var next: String
        /// The entries now owned by the claiming consumer.
        public var entries: [StreamEntry]
        /// Ids of pending entries no longer in the stream, which Redis ≥ 7 removed from the pending
        /// list (before Redis 7 they are among `entries`, with nil fields, and this is empty).
        public var deleted: [[UInt8]]

        /// The claim of `[next, [entry, …]]` or `[next, [entry, …], [id, …]]`; nil for any other
        /// reply (an error reply included).
        public init?(_ reply: RedisReply) {
            guard let parts = reply.array, parts.count >= 2, let next = parts[0].string,
                let entries = StreamEntry.entries(parts[1])
            else { return nil }
            self.next = next
            self.entries = entries
            deleted = parts.count > 2 ? parts[2].array?.compactMap(\.bytes) ?? [] : []
        }
    }
}
