/// Stream commands (redis.io group "stream"): atpd's stream consumer creates its group, reads,
/// claims, acknowledges and dead-letters with them; the chaos rehearsal feeds and watches the
/// stream. Their entry replies are read by `StreamEntry` (`StreamEntry.swift`).
///
/// Keys, group and consumer names and ids in text are sent as their UTF-8 bytes; entry ids and
/// fields taken from replies are passed as bytes, unchanged.
extension RedisCommand {
    private static let xaddName = Array("XADD".utf8)
    private static let autoID = Array("*".utf8)
    private static let maxlenOption = Array("MAXLEN".utf8)
    private static let approximately = Array("~".utf8)
    private static let xinfoName = Array("XINFO".utf8)
    private static let groupsSubcommand = Array("GROUPS".utf8)
    private static let streamSubcommand = Array("STREAM".utf8)
    private static let xpendingName = Array("XPENDING".utf8)
    private static let xgroupName = Array("XGROUP".utf8)
    private static let createSubcommand = Array("CREATE".utf8)
    private static let mkstreamOption = Array("MKSTREAM".utf8)
    private static let xreadgroupName = Array("XREADGROUP".utf8)
    private static let groupOption = Array("GROUP".utf8)
    private static let countOption = Array("COUNT".utf8)
    private static let blockOption = Array("BLOCK".utf8)
    private static let streamsOption = Array("STREAMS".utf8)
    private static let xackName = Array("XACK".utf8)
    private static let xautoclaimName = Array("XAUTOCLAIM".utf8)

    /// [XADD](https://redis.io/docs/latest/commands/xadd/): `XADD stream * field value …`, an entry
    /// with a server-made id (answered); `fields` alternates field and value.
    public static func xadd(_ stream: String, fields: [String]) -> RedisCommand {
        var command = xadd(stream, approximateMaxLength: nil, reservingArguments: fields.count)
        for field in fields { command.append(Array(field.utf8)) }
        return command
    }

    /// [XADD](https://redis.io/docs/latest/commands/xadd/): `XADD stream [MAXLEN ~ n] *` with no
    /// field yet; add each pair with `append(field:value:)` (or flat fields with `append(_:)`) and
    /// send it only once it has one, since Redis refuses an `XADD` without fields. Answers the new
    /// entry's id as a bulk string.
    ///
    /// - Parameters:
    ///   - approximateMaxLength: when given, the stream is trimmed to about that many entries
    ///     (`MAXLEN ~`: whole macro nodes only, so it may keep a few more); nil does not trim.
    ///   - reservingArguments: how many field and value arguments will follow, to size the
    ///     argument array once.
    /// - Complexity: O(1) to build; Redis: O(1) to add, plus the entries trimmed.
    public static func xadd(_ stream: String, approximateMaxLength: Int?, reservingArguments: Int = 2)
        -> RedisCommand
    {
        var arguments: [[UInt8]] = []
        arguments.reserveCapacity(3 + (approximateMaxLength == nil ? 0 : 3) + reservingArguments)
        arguments.append(xaddName)
        arguments.append(Array(stream.utf8))
        if let approximateMaxLength {
            arguments.append(maxlenOption)
            arguments.append(approximately)
            arguments.append(Array(String(approximateMaxLength).utf8))
        }
        arguments.append(autoID)
        return RedisCommand(arguments)
    }

    /// [XGROUP CREATE](https://redis.io/docs/latest/commands/xgroup-create/): `XGROUP CREATE stream
    /// group startID [MKSTREAM]`, a consumer group whose first read (`>`) delivers the entries
    /// after `startID` (`0`: the whole stream, `$`: only new ones). `makeStream` creates an empty
    /// stream when the key is missing (without it, a missing key is an error).
    ///
    /// Answers `OK`, or an error reply starting `BUSYGROUP` when the group exists already (it
    /// keeps its position), which a caller that only wants the group to exist treats as success.
    public static func xgroupCreate(_ stream: String, group: String, startID: String, makeStream: Bool)
        -> RedisCommand
    {
        var arguments: [[UInt8]] = []
        arguments.reserveCapacity(6)
        arguments.append(xgroupName)
        arguments.append(createSubcommand)
        arguments.append(Array(stream.utf8))
        arguments.append(Array(group.utf8))
        arguments.append(Array(startID.utf8))
        if makeStream { arguments.append(mkstreamOption) }
        return RedisCommand(arguments)
    }

    /// [XREADGROUP](https://redis.io/docs/latest/commands/xreadgroup/): `XREADGROUP GROUP group
    /// consumer COUNT count [BLOCK ms] STREAMS stream id`, up to `count` entries of `stream` for
    /// `consumer`. With `id` `>` (the default) they are entries never delivered to the group, which
    /// become pending for `consumer` until acknowledged (`xack`); with an id, they are
    /// `consumer`'s own pending entries after it.
    ///
    /// Answers `[[stream, [entry, …]]]` (`StreamEntry.reads(_:)`), or the null reply when
    /// `blockMilliseconds` passed with nothing new (without a block time it does not wait);
    /// `NOGROUP` when the stream or the group does not exist.
    /// - Complexity: Redis: O(entries returned).
    public static func xreadgroup(
        group: String, consumer: String, count: Int, blockMilliseconds: Int?, stream: String,
        after id: String = ">"
    ) -> RedisCommand {
        var arguments: [[UInt8]] = []
        arguments.reserveCapacity(11)
        arguments.append(xreadgroupName)
        arguments.append(groupOption)
        arguments.append(Array(group.utf8))
        arguments.append(Array(consumer.utf8))
        arguments.append(countOption)
        arguments.append(Array(String(count).utf8))
        if let blockMilliseconds {
            arguments.append(blockOption)
            arguments.append(Array(String(blockMilliseconds).utf8))
        }
        arguments.append(streamsOption)
        arguments.append(Array(stream.utf8))
        arguments.append(Array(id.utf8))
        return RedisCommand(arguments)
    }

    /// [XACK](https://redis.io/docs/latest/commands/xack/): `XACK stream group id …`, removes
    /// `ids` from `group`'s pending entries; answers how many were pending. Send it with at least
    /// one id.
    /// - Complexity: O(ids) to build; Redis: O(ids).
    public static func xack(_ stream: String, group: String, ids: [[UInt8]]) -> RedisCommand {
        var arguments: [[UInt8]] = []
        arguments.reserveCapacity(3 + ids.count)
        arguments.append(xackName)
        arguments.append(Array(stream.utf8))
        arguments.append(Array(group.utf8))
        arguments.append(contentsOf: ids)
        return RedisCommand(arguments)
    }

    /// [XAUTOCLAIM](https://redis.io/docs/latest/commands/xautoclaim/) (Redis ≥ 6.2): `XAUTOCLAIM
    /// stream group consumer minIdle start COUNT count`, makes `consumer` the owner of up to
    /// `count` entries of `group` pending for at least `minIdleMilliseconds`, scanning the
    /// pending list from id `start` (`0-0` to begin).
    ///
    /// Answers `[next-cursor, [entry, …]]` and, from Redis 7, the ids of pending entries no
    /// longer in the stream (`StreamEntry.Claim`); the scan is over when the cursor is `0-0`.
    /// `NOGROUP` when the stream or the group does not exist.
    /// - Complexity: Redis: O(count).
    public static func xautoclaim(
        _ stream: String, group: String, consumer: String, minIdleMilliseconds: Int, start: String, count: Int
    ) -> RedisCommand {
        RedisCommand([
            xautoclaimName, Array(stream.utf8), Array(group.utf8), Array(consumer.utf8),
            Array(String(minIdleMilliseconds).utf8), Array(start.utf8), countOption,
            Array(String(count).utf8),
        ])
    }

    /// [XINFO GROUPS](https://redis.io/docs/latest/commands/xinfo-groups/): one entry per consumer
    /// group of `stream` (name, consumers, pending, last-delivered-id, …).
    public static func xinfoGroups(_ stream: String) -> RedisCommand {
        RedisCommand([xinfoName, groupsSubcommand, Array(stream.utf8)])
    }

    /// [XINFO STREAM](https://redis.io/docs/latest/commands/xinfo-stream/): `stream`'s length,
    /// first and last entries and more, as a flat field/value array.
    public static func xinfoStream(_ stream: String) -> RedisCommand {
        RedisCommand([xinfoName, streamSubcommand, Array(stream.utf8)])
    }

    /// [XPENDING](https://redis.io/docs/latest/commands/xpending/), the extended form: up to
    /// `count` entries of `group`'s pending list between ids `start` and `end`, each with its
    /// consumer, idle time and delivery count.
    public static func xpending(_ stream: String, group: String, start: String, end: String, count: Int)
        -> RedisCommand
    {
        RedisCommand([
            xpendingName, Array(stream.utf8), Array(group.utf8), Array(start.utf8), Array(end.utf8),
            Array(String(count).utf8),
        ])
    }
}
