import CHiredis
import Glibc

/// One blocking connection to a Redis server, over a hiredis 0.14 `redisContext`.
///
/// The initialiser connects (bounded by the connect timeout), sets the command timeout on the
/// socket, logs in with `AUTH` when the URL has a password, runs `SELECT` for a non-zero
/// database and checks the link with `PING`. Commands are `RedisCommand`s (`Commands/`, one file
/// per Redis type) or raw binary-safe argument vectors.
///
/// Failures: a transport problem — refused or lost connection, EOF, timeout, protocol error —
/// throws `RedisError.unavailable` and marks the connection broken (`isBroken`); from then on
/// every call throws at once without touching the socket, and the owner reconnects by making a
/// new `RedisConnection`. An error *reply* (`WRONGTYPE`, `ERR ...`) is returned as
/// `RedisReply.error` and leaves the connection usable.
///
/// Timeouts: the command timeout is the socket's `SO_RCVTIMEO`/`SO_SNDTIMEO`, so it bounds each
/// `read`/`write` hiredis makes, not a whole reply: a large reply that keeps trickling in can
/// take longer. The connect timeout does not bound the DNS lookup of a host name.
///
/// hiredis writes with `write(2)`, which raises `SIGPIPE` on a socket the server has closed; the
/// first connection made therefore sets `SIGPIPE` to ignored if it still has its default action
/// (atpd's `main` ignores it already).
///
/// Thread-safety: not thread-safe — one thread at a time (a hiredis context has one owner).
/// The class is deliberately not `Sendable`.
public final class RedisConnection {
    /// Where this connection goes (its `description` hides the password).
    public let url: RedisURL
    /// The bound on each socket read or write of a command.
    public let commandTimeoutMilliseconds: Int
    /// True once a transport error happened; every later call throws at once.
    public private(set) var isBroken = false

    private let context: UnsafeMutablePointer<redisContext>
    /// Why the connection broke, repeated by every later call.
    private var brokenDetail = ""

    /// Connects to `url`, logs in, selects the database and pings.
    ///
    /// Throws `.unavailable` when the server cannot be reached or answers nothing in time (retry
    /// later), `.configuration` when it refuses the credentials or the database, or a timeout
    /// or the port is out of range. Complexity: up to four round trips.
    public init(
        url: RedisURL, connectTimeoutMilliseconds: Int = 1_000, commandTimeoutMilliseconds: Int = 1_000
    )
        throws(RedisError)
    {
        guard connectTimeoutMilliseconds > 0, commandTimeoutMilliseconds > 0 else {
            throw .configuration(
                "Redis timeouts must be positive (connect \(connectTimeoutMilliseconds) ms, command \(commandTimeoutMilliseconds) ms)"
            )
        }
        guard (1...65_535).contains(url.port) else { throw .configuration("redis \(url): port out of range") }
        _ = ignoreSIGPIPEIfDefault
        self.url = url
        self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
        let connectTimeout = RedisConnection.timeval(milliseconds: connectTimeoutMilliseconds)
        guard
            let context = url.host.withCString({
                redisConnectWithTimeout($0, Int32(url.port), connectTimeout)
            })
        else {
            throw .unavailable("redis \(url): cannot allocate a hiredis context")
        }
        if context.pointee.err != 0 {
            let detail = RedisConnection.describe(context, timeoutMilliseconds: connectTimeoutMilliseconds)
            redisFree(context)
            throw .unavailable("redis \(url): connect failed: \(detail)")
        }
        self.context = context
        // From here on `deinit` frees the context if a step below throws.
        if redisSetTimeout(context, RedisConnection.timeval(milliseconds: commandTimeoutMilliseconds))
            != REDIS_OK
        {
            throw breakConnection("setting the command timeout")
        }
        if let password = url.password {
            let reply = try send(.auth(user: url.user, password: password))
            if let message = reply.errorMessage {
                throw .configuration("redis \(url): AUTH refused: \(message)")
            }
        }
        if url.db != 0 {
            let reply = try send(.select(database: url.db))
            if let message = reply.errorMessage {
                throw .configuration("redis \(url): SELECT \(url.db) refused: \(message)")
            }
        }
        let pong = try send(.ping())
        if let message = pong.errorMessage {
            // NOAUTH: the server wants a password the URL lacks. LOADING etc.: try again later.
            if message.hasPrefix("NOAUTH") { throw .configuration("redis \(url): \(message)") }
            throw .unavailable("redis \(url): PING answered \(message)")
        }
    }

    deinit { redisFree(context) }

    /// Sends one command (`Commands/`) and waits for its reply.
    /// Complexity: one round trip; O(argument and reply bytes).
    public func send(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        try exchange(1) { _ in command.arguments }[0]
    }

    /// Sends every command (`Commands/`), then reads every reply, in order: one round trip for
    /// the lot.
    ///
    /// Replies come back in command order, error replies included; a transport error breaks the
    /// connection and throws, and then it is unknown which of the commands the server ran.
    /// An empty command list returns `[]`. Complexity: O(total argument and reply bytes).
    public func pipeline(_ commands: [RedisCommand]) throws(RedisError) -> [RedisReply] {
        try exchange(commands.count) { commands[$0].arguments }
    }

    /// Sends one command given as raw argument bytes (the name first) and waits for its reply:
    /// for commands `Commands/` does not have. Complexity: one round trip; O(argument and reply
    /// bytes).
    public func command(_ args: [[UInt8]]) throws(RedisError) -> RedisReply {
        try pipeline([args])[0]
    }

    /// `command(_:)` with text arguments (sent as UTF-8).
    public func command(_ args: [String]) throws(RedisError) -> RedisReply {
        try command(args.map { Array($0.utf8) })
    }

    /// `pipeline(_:)` of raw argument vectors (each the name first). An empty command throws
    /// `.configuration` and leaves the connection usable.
    public func pipeline(_ commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply] {
        try exchange(commands.count) { commands[$0] }
    }

    /// `pipeline(_:)` with text arguments (sent as UTF-8).
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        try pipeline(commands.map { $0.map { Array($0.utf8) } })
    }

    /// Sends the commands already formatted in `commands` (one copy into hiredis's output
    /// buffer), then reads one reply per command, in order: one round trip. The errors of
    /// `pipeline(_:)`; an empty writer returns `[]`.
    /// - Complexity: O(command and reply bytes).
    public func sendFormatted(_ commands: RESPWriter) throws(RedisError) -> [RedisReply] {
        if isBroken { throw .unavailable(brokenDetail) }
        guard commands.commands > 0 else { return [] }
        let queued = commands.bytes.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) {
                redisAppendFormattedCommand(context, $0.baseAddress, $0.count) == REDIS_OK
            }
        }
        guard queued else { throw breakConnection("queueing a command") }
        return try readReplies(commands.commands)
    }

    /// Queues `count` commands (`arguments(i)` is the i-th), then reads their `count` replies.
    private func exchange(_ count: Int, _ arguments: (Int) -> [[UInt8]]) throws(RedisError) -> [RedisReply] {
        if isBroken { throw .unavailable(brokenDetail) }
        for index in 0..<count where arguments(index).isEmpty {
            throw .configuration("redis: an empty command cannot be sent")
        }
        for index in 0..<count where !append(arguments(index)) {
            throw breakConnection("queueing a command")
        }
        return try readReplies(count)
    }

    /// Reads `count` replies of commands already queued.
    private func readReplies(_ count: Int) throws(RedisError) -> [RedisReply] {
        var replies: [RedisReply] = []
        replies.reserveCapacity(count)
        for _ in 0..<count {
            var raw: UnsafeMutableRawPointer?
            guard redisGetReply(context, &raw) == REDIS_OK, let reply = raw else {
                throw breakConnection("waiting for reply \(replies.count + 1) of \(count)")
            }
            replies.append(RedisReply(consuming: reply))
        }
        return replies
    }

    /// Formats one command into hiredis's output buffer (nothing is sent yet).
    ///
    /// The arguments are copied once into one scratch block (stack for small commands) so the
    /// argv/argvlen arrays hiredis wants can point into it; hiredis copies them again into RESP.
    private func append(_ arguments: [[UInt8]]) -> Bool {
        var total = 0
        for argument in arguments { total += argument.count }
        return withUnsafeTemporaryAllocation(byteCount: max(total, 1), alignment: 1) { scratch in
            withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: arguments.count) { argv in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: arguments.count) { lengths in
                    let base = scratch.baseAddress!
                    var offset = 0
                    for (index, argument) in arguments.enumerated() {
                        argument.withUnsafeBytes { source in
                            if let from = source.baseAddress, source.count > 0 {
                                (base + offset).copyMemory(from: from, byteCount: source.count)
                            }
                        }
                        argv[index] = UnsafePointer((base + offset).assumingMemoryBound(to: CChar.self))
                        lengths[index] = argument.count
                        offset += argument.count
                    }
                    return redisAppendCommandArgv(
                        context, Int32(arguments.count), argv.baseAddress!, lengths.baseAddress!) == REDIS_OK
                }
            }
        }
    }

    /// Marks the connection broken with the context's error and returns the error to throw.
    private func breakConnection(_ during: String) -> RedisError {
        isBroken = true
        let cause = RedisConnection.describe(context, timeoutMilliseconds: commandTimeoutMilliseconds)
        brokenDetail = "redis \(url): connection broken while \(during): \(cause)"
        return .unavailable(brokenDetail)
    }

    /// The context's error in words. hiredis 0.14 reports a socket timeout as the bare EAGAIN
    /// text ("Resource temporarily unavailable"), so that one is named for what it is.
    private static func describe(_ context: UnsafeMutablePointer<redisContext>, timeoutMilliseconds: Int)
        -> String
    {
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let kind =
            switch context.pointee.err {
            case REDIS_ERR_IO: "I/O error"
            case REDIS_ERR_EOF: "server closed the connection"
            case REDIS_ERR_PROTOCOL: "protocol error"
            case REDIS_ERR_OOM: "out of memory"
            case 0: "unknown error"
            default: "error"
            }
        if context.pointee.err == REDIS_ERR_IO
            && (text.contains("temporarily unavailable") || text.contains("timed out"))
        {
            return "timed out after \(timeoutMilliseconds) ms (\(text))"
        }
        return text.isEmpty ? kind : "\(kind): \(text)"
    }

    private static func timeval(milliseconds: Int) -> Glibc.timeval {
        Glibc.timeval(tv_sec: milliseconds / 1_000, tv_usec: (milliseconds % 1_000) * 1_000)
    }
}

/// Sets `SIGPIPE` to ignored once per process, unless someone installed a handler already.
private let ignoreSIGPIPEIfDefault: Void = {
    var current = sigaction()
    if sigaction(SIGPIPE, nil, &current) == 0 && current.__sigaction_handler.sa_handler == nil {
        signal(SIGPIPE, SIG_IGN)
    }
}()
