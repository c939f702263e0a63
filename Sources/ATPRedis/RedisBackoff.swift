import ATPPosix
import ATPUtilities
import Glibc

/// When the next connection attempt may be made after failures: 50 ms, doubling, at most 2 s.
///
/// Times are from `CLOCK_MONOTONIC`, so wall-clock steps do not matter.
/// Thread-safety: a value type, owned by one thread. Complexity: O(1) everything.
public struct RedisBackoff {
    public static let initialMilliseconds: Int64 = 50
    public static let maximumMilliseconds: Int64 = 2_000

    /// The wait that the next failure will impose.
    public private(set) var delayMilliseconds = RedisBackoff.initialMilliseconds
    /// No attempt before this monotonic time, in milliseconds; 0 = attempt at once.
    public private(set) var notBefore: Int64 = 0

    /// True when an attempt may be made now.
    public var isDue: Bool { MonotonicClock.milliseconds() >= notBefore }

    /// Milliseconds until an attempt may be made (0 when due).
    public var remainingMilliseconds: Int64 { max(0, notBefore - MonotonicClock.milliseconds()) }

    /// Records a failure: the next attempt waits the current delay, which then doubles.
    public mutating func failed() {
        notBefore = MonotonicClock.milliseconds() + delayMilliseconds
        delayMilliseconds = min(delayMilliseconds * 2, RedisBackoff.maximumMilliseconds)
    }

    /// Records a success: the next failure waits the initial delay again.
    public mutating func succeeded() {
        delayMilliseconds = RedisBackoff.initialMilliseconds
        notBefore = 0
    }

    public init() {}
}
