/// Stream commands (redis.io group "stream") that the chaos rehearsal uses to feed and watch
/// atpd's event stream.
extension RedisCommand {
    private static let xaddName = Array("XADD".utf8)
    private static let autoID = Array("*".utf8)
    private static let xinfoName = Array("XINFO".utf8)
    private static let groupsSubcommand = Array("GROUPS".utf8)
    private static let streamSubcommand = Array("STREAM".utf8)
    private static let xpendingName = Array("XPENDING".utf8)

    /// [XADD](https://redis.io/docs/latest/commands/xadd/): `XADD stream * field value …`, an entry
    /// with a server-made id (answered); `fields` alternates field and value.
    public static func xadd(_ stream: String, fields: [String]) -> RedisCommand {
        var arguments: [[UInt8]] = []
        arguments.reserveCapacity(3 + fields.count)
        arguments.append(xaddName)
        arguments.append(Array(stream.utf8))
        arguments.append(autoID)
        for field in fields { arguments.append(Array(field.utf8)) }
        return RedisCommand(arguments)
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
