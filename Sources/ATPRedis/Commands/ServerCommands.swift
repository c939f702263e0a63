/// Server and persistence commands (redis.io groups "server" and, for `WAITAOF`, "generic").
extension RedisCommand {
    private static let commandName = Array("COMMAND".utf8)
    private static let infoSubcommand = Array("INFO".utf8)
    private static let waitaofName = Array("WAITAOF".utf8)

    /// [COMMAND INFO](https://redis.io/docs/latest/commands/command-info/): one entry per name,
    /// a nil one for a command the server does not know.
    public static func commandInfo(_ names: [String]) -> RedisCommand {
        RedisCommand([commandName, infoSubcommand] + names.map { Array($0.utf8) })
    }

    /// [WAITAOF](https://redis.io/docs/latest/commands/waitaof/) (Redis ≥ 7.2): waits until the
    /// writes before it are fsynced to the local AOF (`local` ≥ 1) and to `replicas` replicas, or
    /// `timeoutMilliseconds` passed; answers how many of each it saw.
    public static func waitaof(local: Int, replicas: Int, timeoutMilliseconds: Int) -> RedisCommand {
        RedisCommand([
            waitaofName, Array(String(local).utf8), Array(String(replicas).utf8),
            Array(String(timeoutMilliseconds).utf8),
        ])
    }
}
