/// String commands (redis.io group "string").
extension RedisCommand {
    private static let setName = Array("SET".utf8)
    private static let pxOption = Array("PX".utf8)
    private static let mgetName = Array("MGET".utf8)

    /// [SET](https://redis.io/docs/latest/commands/set/): `SET key value`, keeping no expiry.
    public static func set(_ key: [UInt8], to value: [UInt8]) -> RedisCommand {
        RedisCommand([setName, key, value])
    }

    /// [SET](https://redis.io/docs/latest/commands/set/): `SET key value PX milliseconds`, which
    /// expires the key after `milliseconds` (Redis refuses a value below 1).
    public static func set(_ key: [UInt8], to value: [UInt8], expiringInMilliseconds milliseconds: Int64)
        -> RedisCommand
    {
        RedisCommand([setName, key, value, pxOption, Array(String(milliseconds).utf8)])
    }

    /// [MGET](https://redis.io/docs/latest/commands/mget/): the values of `keys`, in order, a nil
    /// bulk string for a missing key or one that holds no string.
    public static func mget(_ keys: [[UInt8]]) -> RedisCommand { RedisCommand([mgetName] + keys) }
}
