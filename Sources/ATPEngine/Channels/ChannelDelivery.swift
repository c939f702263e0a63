import ATPUtilities

/// Where and how fast a channel's availability updates are pushed (channel push settings).
///
/// The engine only stores and validates these; the push module acts on them. A channel defined
/// without delivery settings (format-1 journal records, engine tests) has a view only.
/// Thread-safety: a value type.
public struct ChannelDelivery: Hashable, Sendable {
    /// `http://host[:port]/path` that receives the webhooks (checked further by the service).
    public var endpoint: String
    /// Average webhook requests per second, at most.
    public var ratePerSecond: Double = 10
    /// Token-bucket capacity: at most this many requests at once.
    public var burst: Int = 10
    /// At most this many updates per request.
    public var maxBatch: Int = 100
    /// `whsec_<base64>`, or nil for unsigned webhooks.
    public var secret: String?
    /// Attempts before a delivery becomes a dead letter.
    public var maxAttempts: Int = 8
    /// Consecutive failed attempts that open the circuit breaker.
    public var breakerThreshold: Int = 5
    /// How long the breaker stays open before one trial request, in milliseconds.
    public var breakerCooldownMilliseconds: Int64 = 30_000
    /// True once the endpoint answered 410 Gone; a new definition clears it.
    public var disabled = false

    public static let maxEndpointBytes = 2048
    /// One request an hour: the slowest pace a channel may ask for. Below it the wait for a
    /// token would be longer than any clock or integer the push scheduler keeps.
    public static let minRate: Double = 1.0 / 3600
    public static let maxRate: Double = 1_000_000_000
    /// The allowed `ratePerSecond` as a problem message names it.
    public static let rateRangeText =
        "at least 1/3600 (0.000277…, one request an hour) and at most 1000000000"
    public static let maxBurst = 1_000_000_000
    public static let maxBatchLimit = 1000
    public static let maxAttemptsLimit = 100
    public static let maxBreakerThreshold = 1000
    public static let maxBreakerCooldownMilliseconds: Int64 = 3_600_000

    /// Settings with defaults; `burst` defaults to `ratePerSecond` rounded up, within
    /// 1...`maxBurst`. Any rate is taken, even one `problem` refuses (the journal decoder builds
    /// settings from whatever bytes it reads).
    public init(endpoint: String, ratePerSecond: Double = 10, burst: Int? = nil) {
        self.endpoint = endpoint
        self.ratePerSecond = ratePerSecond
        let rounded =
            ratePerSecond.isFinite ? min(Double(Self.maxBurst), max(1, ratePerSecond.rounded(.up))) : 1
        self.burst = burst ?? Int(rounded)
    }

    /// The key bytes of `secret` (the base64 after `whsec_`), or nil without a valid secret.
    public var secretKey: [UInt8]? {
        guard let secret, secret.hasPrefix("whsec_") else { return nil }
        return Base64.decode(String(secret.dropFirst(6)))
    }

    /// Nil when the settings are valid, else why not.
    public var problem: String? {
        guard endpoint.utf8.count <= Self.maxEndpointBytes, endpoint.lowercased().hasPrefix("http://") else {
            return "endpoint must be an http:// URL of at most \(Self.maxEndpointBytes) bytes"
        }
        guard ratePerSecond >= Self.minRate, ratePerSecond <= Self.maxRate else {  // false for NaN
            return "ratePerSecond must be \(Self.rateRangeText)"
        }
        guard (1...Self.maxBurst).contains(burst) else { return "burst must be 1...\(Self.maxBurst)" }
        guard (1...Self.maxBatchLimit).contains(maxBatch) else {
            return "maxBatch must be 1...\(Self.maxBatchLimit)"
        }
        guard (1...Self.maxAttemptsLimit).contains(maxAttempts) else {
            return "maxAttempts must be 1...\(Self.maxAttemptsLimit)"
        }
        guard (1...Self.maxBreakerThreshold).contains(breakerThreshold) else {
            return "breakerThreshold must be 1...\(Self.maxBreakerThreshold)"
        }
        guard (1...Self.maxBreakerCooldownMilliseconds).contains(breakerCooldownMilliseconds) else {
            return "breakerCooldownSeconds must be at least 0.001 and at most 3600"
        }
        if let secret {
            guard secret.utf8.count <= 1024, secret.hasPrefix("whsec_"), let key = secretKey, !key.isEmpty
            else {
                return
                    "secret must be whsec_ followed by the base64 of the key bytes (at most 1024 characters)"
            }
        }
        return nil
    }
}
