/// Transaction commands (redis.io group "transactions").
extension RedisCommand {
    private static let multiName = Array("MULTI".utf8)
    private static let execName = Array("EXEC".utf8)

    /// [MULTI](https://redis.io/docs/latest/commands/multi/): starts a transaction; the commands
    /// up to `EXEC` are queued (each answers `QUEUED`, or an error that makes `EXEC` fail).
    public static func multi() -> RedisCommand { RedisCommand([multiName]) }

    /// [EXEC](https://redis.io/docs/latest/commands/exec/): runs the queued commands as one unit;
    /// answers an array of their replies, or an error when one of them was refused when queued.
    public static func exec() -> RedisCommand { RedisCommand([execName]) }
}
