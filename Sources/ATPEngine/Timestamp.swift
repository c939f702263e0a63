/// A point in wall-clock time: milliseconds since the Unix epoch, UTC.
///
/// The engine reads time only through an injected `WallClock`, never from the system.
/// Formatting and parsing of RFC 3339 are written here so that no request pays for Foundation.
/// Thread-safety: a value type.
public struct Timestamp: Hashable, Comparable, Sendable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    @inlinable
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// `self` moved by `seconds` (which may be negative).
    @inlinable
    public func adding(seconds: Int64) -> Timestamp {
        Timestamp(milliseconds: milliseconds + seconds * 1000)
    }

    /// `self` moved by `milliseconds`.
    @inlinable
    public func adding(milliseconds delta: Int64) -> Timestamp {
        Timestamp(milliseconds: milliseconds + delta)
    }

    /// Whole seconds since the epoch, rounded down.
    @inlinable
    public var unixSeconds: Int64 {
        milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
    }

    @inlinable
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }
}

/// A source of wall-clock time, injected into the engine so tests can move time by hand.
///
/// Thread-safety: implementations must be safe to call from any thread.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Timestamp
}
