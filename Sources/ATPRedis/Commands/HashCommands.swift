/// Hash commands (redis.io group "hash").
extension RedisCommand {
    private static let hsetName = Array("HSET".utf8)
    private static let hgetallName = Array("HGETALL".utf8)
    private static let hmgetName = Array("HMGET".utf8)

    /// [HSET](https://redis.io/docs/latest/commands/hset/): `HSET key` with no field yet; add
    /// each pair with `append(field:value:)` and send it only once it has one (`arguments.count
    /// > 2`), since Redis refuses an `HSET` without fields.
    /// - Parameter pairs: how many pairs will follow, to size the argument array once.
    public static func hset(_ key: [UInt8], reservingPairs pairs: Int = 1) -> RedisCommand {
        var arguments: [[UInt8]] = []
        arguments.reserveCapacity(2 + 2 * pairs)
        arguments.append(hsetName)
        arguments.append(key)
        return RedisCommand(arguments)
    }

    /// [HSET](https://redis.io/docs/latest/commands/hset/): sets one field of the hash at `key`.
    public static func hset(_ key: [UInt8], field: [UInt8], value: [UInt8]) -> RedisCommand {
        RedisCommand([hsetName, key, field, value])
    }

    /// Appends one field and its value to an `HSET` or an `XADD` (`StreamCommands.swift`).
    /// Complexity: amortised O(1).
    public mutating func append(field: [UInt8], value: [UInt8]) {
        append(field)
        append(value)
    }

    /// [HGETALL](https://redis.io/docs/latest/commands/hgetall/): every field and value of the hash
    /// at `key`, flat (`field, value, field, value, …`); empty when the key is missing.
    public static func hgetall(_ key: [UInt8]) -> RedisCommand { RedisCommand([hgetallName, key]) }

    /// [HMGET](https://redis.io/docs/latest/commands/hmget/): the values of `fields` of the hash at
    /// `key`, in order, a nil bulk string for each missing one.
    public static func hmget(_ key: [UInt8], fields: [[UInt8]]) -> RedisCommand {
        RedisCommand([hmgetName, key] + fields)
    }
}
