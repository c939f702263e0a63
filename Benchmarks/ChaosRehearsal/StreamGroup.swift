import ATPRedis
import ATPStore

/// What the rehearsal asks Redis about atpd's consumer group on the events stream, over a
/// connection it re-makes after every failure.
///
/// Thread-safety: one thread at a time (it owns a `RedisConnection`). Complexity: one or two
/// round trips per call.
final class StreamGroup {
    let url: RedisURL
    let stream: String
    /// atpd's consumer group (`RedisStreamConsumer`'s default).
    let group = "atpd"
    private var connection: RedisConnection?

    init(url: RedisURL, stream: String) {
        self.url = url
        self.stream = stream
    }

    /// The connection, made anew if there is none or it broke; nil when Redis is unreachable.
    func live() -> RedisConnection? {
        if let connection, !connection.isBroken { return connection }
        connection = try? RedisConnection(
            url: url, connectTimeoutMilliseconds: 500, commandTimeoutMilliseconds: 2_000)
        return connection
    }

    /// A stream entry id `ms-seq` as a comparable pair.
    static func order(_ id: String) -> (UInt64, UInt64) {
        let parts = id.split(separator: "-")
        return (UInt64(parts.first ?? "") ?? 0, UInt64(parts.dropFirst().first ?? "") ?? 0)
    }

    /// The group's `pending` count and `last-delivered-id` (`XINFO GROUPS`), or nil.
    private func groupInfo(_ redis: RedisConnection) -> (pending: Int64, lastDelivered: String)? {
        guard let groups = (try? redis.send(.xinfoGroups(stream)))?.array else { return nil }
        for entry in groups {
            let flat = entry.array ?? []
            var fields: [String: RedisReply] = [:]
            for i in stride(from: 0, to: flat.count - 1, by: 2) { fields[flat[i].string ?? ""] = flat[i + 1] }
            guard fields["name"]?.string == group else { continue }
            return (fields["pending"]?.integer ?? -1, fields["last-delivered-id"]?.string ?? "0-0")
        }
        return nil
    }

    /// True once atpd has read entry `id` and acknowledged it (`XACK`: its effect is durable).
    func isAcknowledged(_ id: String) -> Bool {
        guard let redis = live(), let info = groupInfo(redis),
            Self.order(info.lastDelivered) >= Self.order(id),
            let pending = (try? redis.send(.xpending(stream, group: group, start: id, end: id, count: 1)))?
                .array
        else { return false }
        return pending.isEmpty
    }

    /// True when atpd has read every entry of the stream and acknowledged them all.
    func isDrained() -> Bool {
        guard let redis = live(), let info = groupInfo(redis),
            let stream = (try? redis.send(.xinfoStream(self.stream)))?.array
        else { return false }
        var last = "0-0"
        for i in stride(from: 0, to: stream.count - 1, by: 2) where stream[i].string == "last-generated-id" {
            last = stream[i + 1].string ?? last
        }
        return info.pending == 0 && Self.order(info.lastDelivered) >= Self.order(last)
    }
}
