/// String commands (redis.io group "string").
extension RedisCommand {
    private static let mgetName = Array("MGET".utf8)

    /// [MGET](https://redis.io/docs/latest/commands/mget/): the values of `keys`, in order, a nil
    /// bulk string for a missing key or one that holds no string.
    public static func mget(_ keys: [[UInt8]]) -> RedisCommand { RedisCommand([mgetName] + keys) }
}
