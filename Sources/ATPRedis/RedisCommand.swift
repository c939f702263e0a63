/// One Redis command as it goes on the wire: its name and its arguments, binary-safe.
///
/// Made by the static functions in `Commands/`, one file per Redis type, each naming the redis.io
/// page it implements; sent alone with `RedisConnection.send(_:)` or many at once with
/// `RedisConnection.pipeline(_:)`. A variadic command (`HSET` with many fields, `DEL` of many
/// keys) is started by its function and grown with `append(_:)` or `append(field:value:)`.
///
/// The command names are shared constants, so making a command allocates only its argument
/// array; the argument bytes are copied once more, into hiredis's output buffer, when it is sent.
/// Thread-safety: a value type, `Sendable`. Complexity: O(arguments) to build.
public struct RedisCommand: Sendable, Equatable {
    /// The command name, then its arguments.
    public private(set) var arguments: [[UInt8]]

    /// The command whose name and arguments are `arguments` (the name first).
    init(_ arguments: [[UInt8]]) { self.arguments = arguments }

    /// Appends one more argument of a variadic command: a key of `DEL`, a field of `HDEL`.
    /// - Complexity: amortised O(1).
    public mutating func append(_ argument: [UInt8]) { arguments.append(argument) }
}
