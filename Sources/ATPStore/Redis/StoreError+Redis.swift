import ATPRedis

extension StoreError {
    /// The store's view of a Redis failure: unreachable is `unavailable` (retry later), refused
    /// credentials or settings are `configuration`.
    init(_ error: RedisError) {
        switch error.kind {
        case .unavailable: self = .unavailable(error.detail)
        case .configuration: self = .configuration(error.detail)
        }
    }
}

/// Runs a Redis call, turning its `RedisError` into a `StoreError`.
@inline(__always)
func redisCall<T>(_ body: () throws(RedisError) -> T) throws(StoreError) -> T {
    do { return try body() } catch { throw StoreError(error) }
}

/// The calls the Redis store makes, with the store's error type.
extension RedisConnection {
    /// Connects (see `RedisConnection.init`); failures as `StoreError`.
    static func connect(url: RedisURL, connectTimeoutMilliseconds: Int, commandTimeoutMilliseconds: Int)
        throws(StoreError) -> RedisConnection
    {
        try redisCall { () throws(RedisError) in
            try RedisConnection(
                url: url, connectTimeoutMilliseconds: connectTimeoutMilliseconds,
                commandTimeoutMilliseconds: commandTimeoutMilliseconds)
        }
    }

    /// `send(_:)`; failures as `StoreError`.
    func storeSend(_ command: RedisCommand) throws(StoreError) -> RedisReply {
        try redisCall { () throws(RedisError) in try send(command) }
    }

    /// `pipeline(_:)` of `RedisCommand`s; failures as `StoreError`.
    func storePipeline(_ commands: [RedisCommand]) throws(StoreError) -> [RedisReply] {
        try redisCall { () throws(RedisError) in try pipeline(commands) }
    }
}
