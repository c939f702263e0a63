/// Why a Redis call failed: the server cannot be reached or answered nothing in time
/// (`unavailable`: retry later), or it refused what it was asked in a way a retry will not fix
/// (`configuration`: credentials, database, a bad URL or timeout). An error *reply* is not an
/// error of this kind: it is a `RedisReply.error`.
///
/// Equality is by kind, not detail (as `StoreError`'s). Thread-safety: a value type.
public struct RedisError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        case unavailable, configuration
    }

    public let kind: Kind
    public let detail: String

    /// The server cannot be reached or did not answer in time: retry later.
    public static func unavailable(_ detail: String) -> Self { Self(kind: .unavailable, detail: detail) }
    /// The server refused the credentials or the database, or a setting is unusable.
    public static func configuration(_ detail: String) -> Self { Self(kind: .configuration, detail: detail) }

    public var description: String {
        switch kind {
        case .unavailable: "redis unavailable: \(detail)"
        case .configuration: "redis configuration: \(detail)"
        }
    }

    public static func == (a: Self, b: Self) -> Bool { a.kind == b.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}
