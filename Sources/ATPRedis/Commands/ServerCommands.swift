/// Server commands (redis.io group "server"). `WAITAOF` is written by `RedisJournalWriter` into
/// its formatted commit.
extension RedisCommand {
    private static let commandName = Array("COMMAND".utf8)
    private static let infoSubcommand = Array("INFO".utf8)

    /// [COMMAND INFO](https://redis.io/docs/latest/commands/command-info/): one entry per name,
    /// a nil one for a command the server does not know.
    public static func commandInfo(_ names: [String]) -> RedisCommand {
        RedisCommand([commandName, infoSubcommand] + names.map { Array($0.utf8) })
    }
}
