import Glibc

/// Monotonic time in nanoseconds (`CLOCK_MONOTONIC`), and sleeping until a point in it.
///
/// Thread-safety: stateless; call from any thread. Complexity: one system call each.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point (boot), never going backwards.
    @inline(__always)
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// Sleeps until `deadline` (a `now()` value); returns at once when it has passed.
    public static func sleep(until deadline: Int64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    /// Sleeps for `nanoseconds`.
    public static func sleep(nanoseconds: Int64) {
        sleep(until: now() &+ nanoseconds)
    }
}
