import Glibc

/// The one monotonic clock (`CLOCK_MONOTONIC`) of atpd and atp-load, and sleeping on it.
///
/// Thread-safety: stateless; call from any thread. Complexity: one vDSO call or system call each.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point (boot), never going backwards.
    @inline(__always)
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// Microseconds since the same fixed point as `now()`.
    @inline(__always)
    public static func microseconds() -> Int64 { now() / 1_000 }

    /// Milliseconds since the same fixed point as `now()`.
    @inline(__always)
    public static func milliseconds() -> Int64 { now() / 1_000_000 }

    /// The `now()` value `milliseconds` from now, for deadlines such as `Syscall.poll`'s; a
    /// negative `milliseconds` is no deadline (`Int64.max`, as poll(2) takes a negative timeout).
    @inline(__always)
    public static func deadline(afterMilliseconds milliseconds: Int) -> Int64 {
        milliseconds < 0 ? Int64.max : now() &+ Int64(milliseconds) &* 1_000_000
    }

    /// Sleeps until `deadline` (a `now()` value); returns at once when it has passed.
    public static func sleep(until deadline: Int64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        _ = Syscall.retryingInterrupts {
            // clock_nanosleep returns its error instead of setting errno.
            let code = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil)
            if code == 0 { return 0 }
            Glibc.errno = code
            return -1
        }
    }

    /// Sleeps for `nanoseconds`.
    public static func sleep(nanoseconds: Int64) {
        sleep(until: now() &+ nanoseconds)
    }

    /// Sleeps for `microseconds`.
    public static func sleep(microseconds: Int64) { sleep(nanoseconds: microseconds &* 1_000) }

    /// Sleeps for `milliseconds`.
    public static func sleep(milliseconds: Int64) { sleep(nanoseconds: milliseconds &* 1_000_000) }
}
