import CHiredis

/// One reply from Redis (RESP2), copied out of hiredis into Swift values.
///
/// Error replies (`-WRONGTYPE ...`) are ordinary values here: the command reached the server and
/// was refused, and the connection stays usable. Transport failures are thrown by
/// `RedisConnection` instead.
/// Thread-safety: a value type, `Sendable`.
public enum RedisReply: Sendable, Equatable {
    /// A simple string such as `OK` or `PONG`.
    case status(String)
    /// An error reply, e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`.
    case error(String)
    /// An integer reply, e.g. from `INCR`.
    case integer(Int64)
    /// A bulk string: arbitrary bytes, possibly empty.
    case bulk([UInt8])
    /// The nil bulk string or nil array (`GET` of a missing key, `BLPOP` timing out).
    case null
    /// An array reply; elements may be arrays themselves (streams) or `.null`.
    case array([RedisReply])

    /// The bytes of a bulk string or a status; nil for anything else.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    /// A bulk string or status as text; nil for other replies or bytes that are not UTF-8.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(validating: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The value of an integer reply; nil for anything else (a bulk "42" is not converted).
    public var integer: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The elements of an array reply; nil for anything else (including `.null`).
    public var array: [RedisReply]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    /// True for an error reply.
    public var isError: Bool {
        if case .error = self { true } else { false }
    }

    /// The message of an error reply, e.g. `ERR unknown command ...`; nil for anything else.
    public var errorMessage: String? {
        if case .error(let message) = self { message } else { nil }
    }

    /// True for the nil reply.
    public var isNull: Bool { self == .null }

    /// Copies `reply` (and its elements, recursively) into a Swift value. Does not free it.
    ///
    /// Complexity: O(total bytes and elements). Recursion depth is bounded by hiredis's reader,
    /// which refuses replies nested deeper than 7 levels.
    init(copying reply: UnsafePointer<redisReply>) {
        let raw = reply.pointee
        switch raw.type {
        case REDIS_REPLY_STATUS:
            self = .status(String(decoding: RedisReply.buffer(raw), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            self = .error(String(decoding: RedisReply.buffer(raw), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(raw.integer))
        case REDIS_REPLY_STRING:
            self = .bulk(Array(RedisReply.buffer(raw)))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(raw.elements)
            for index in 0..<raw.elements {
                if let element = raw.element[index] {
                    elements.append(RedisReply(copying: element))
                } else {
                    elements.append(.null)
                }
            }
            self = .array(elements)
        default:  // REDIS_REPLY_NIL; hiredis 0.14 knows no other (RESP3) types.
            self = .null
        }
    }

    /// Takes ownership of a reply from `redisGetReply`: copies it, then frees it.
    init(consuming reply: UnsafeMutableRawPointer) {
        defer { freeReplyObject(reply) }
        self.init(copying: UnsafePointer(reply.assumingMemoryBound(to: redisReply.self)))
    }

    private static func buffer(_ raw: redisReply) -> UnsafeRawBufferPointer {
        guard let start = raw.str, raw.len > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: start, count: raw.len)
    }
}
