/// Scripting commands (redis.io group "scripting").
extension RedisCommand {
    private static let scriptName = Array("SCRIPT".utf8)
    private static let loadSubcommand = Array("LOAD".utf8)

    /// [SCRIPT LOAD](https://redis.io/docs/latest/commands/script-load/): caches `script` in the
    /// server and answers its SHA1, for `EVALSHA`.
    public static func scriptLoad(_ script: String) -> RedisCommand {
        RedisCommand([scriptName, loadSubcommand, Array(script.utf8)])
    }
}
