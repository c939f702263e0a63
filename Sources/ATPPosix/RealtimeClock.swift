import Glibc

/// The wall clock (`CLOCK_REALTIME`): Unix time, for what is shown to people and peers (HTTP
/// `Date`, `Retry-After` dates). It may jump; measure durations with `MonotonicClock`.
///
/// Thread-safety: stateless; call from any thread. Complexity: one vDSO call or system call each.
public enum RealtimeClock {
    /// Whole seconds since 1970-01-01T00:00:00Z (`time(2)`); inlinable, so callers in other
    /// modules make the same direct `time` call as before the wrapper.
    @inlinable
    public static func unixSeconds() -> Int64 {
        Int64(time(nil))
    }
}
