/// Key commands (redis.io group "generic"): commands on keys of any type.
extension RedisCommand {
    private static let delName = Array("DEL".utf8)
    private static let unlinkName = Array("UNLINK".utf8)
    private static let scanName = Array("SCAN".utf8)
    private static let matchOption = Array("MATCH".utf8)
    private static let countOption = Array("COUNT".utf8)

    /// [DEL](https://redis.io/docs/latest/commands/del/): removes `keys` (missing ones are
    /// ignored); more keys may follow with `append(_:)` (send it with at least one).
    public static func del(_ keys: [[UInt8]]) -> RedisCommand { RedisCommand([delName] + keys) }

    /// [DEL](https://redis.io/docs/latest/commands/del/) of one key.
    public static func del(_ key: [UInt8]) -> RedisCommand { RedisCommand([delName, key]) }

    /// [UNLINK](https://redis.io/docs/latest/commands/unlink/): removes `keys` like `DEL`, freeing
    /// their memory in the background.
    public static func unlink(_ keys: [[UInt8]]) -> RedisCommand { RedisCommand([unlinkName] + keys) }

    /// [SCAN](https://redis.io/docs/latest/commands/scan/): `SCAN cursor MATCH pattern COUNT
    /// count`; answers the next cursor (`0` when the walk is over) and a page of matching keys.
    public static func scan(cursor: [UInt8], match pattern: [UInt8], count: Int) -> RedisCommand {
        RedisCommand([scanName, cursor, matchOption, pattern, countOption, Array(String(count).utf8)])
    }
}
