/// Connection commands (redis.io group "connection"): what `RedisConnection` sends when it opens.
extension RedisCommand {
    private static let pingName = Array("PING".utf8)
    private static let authName = Array("AUTH".utf8)
    private static let selectName = Array("SELECT".utf8)

    /// [PING](https://redis.io/docs/latest/commands/ping/): answers `PONG`; checks the link.
    public static func ping() -> RedisCommand { RedisCommand([pingName]) }

    /// [AUTH](https://redis.io/docs/latest/commands/auth/): logs in as `user` (the ACL form) or,
    /// without a user, with the `requirepass` password.
    public static func auth(user: String?, password: String) -> RedisCommand {
        guard let user else { return RedisCommand([authName, Array(password.utf8)]) }
        return RedisCommand([authName, Array(user.utf8), Array(password.utf8)])
    }

    /// [SELECT](https://redis.io/docs/latest/commands/select/): switches the connection to
    /// database `index`.
    public static func select(database index: Int) -> RedisCommand {
        RedisCommand([selectName, Array(String(index).utf8)])
    }
}
