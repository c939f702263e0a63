/// Settings of channel push that are the server's, not a channel's.
///
/// Thread-safety: a value type.
public struct PushConfiguration: Sendable {
    /// How long a webhook may take to be answered before the attempt counts as failed.
    public var requestTimeoutMilliseconds = 5_000
    public var connectTimeoutMilliseconds = 2_000
    /// The first retry waits between half and all of this; each further one twice as long.
    public var retryBaseMilliseconds: Int64 = 500
    /// The longest wait between retries.
    public var retryCapMilliseconds: Int64 = 60_000
    /// How often the dispatcher looks at the change feed (the feed has no wake-up signal).
    public var pollIntervalMicroseconds: Int64 = 1_000
    /// How often it looks while no channel has delivery settings: then all it can do is notice a
    /// first definition, and polling every millisecond would cost an idle atpd ~1.5% of a core.
    public var idlePollIntervalMicroseconds: Int64 = 20_000
    /// The most sender threads (they are started on demand and kept until `stop`).
    public var maxSenderThreads = 256

    public init() {}
}
