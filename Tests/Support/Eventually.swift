import ATPPosix
import ATPUtilities
import Glibc

/// Polls `condition` every 5 ms for up to `milliseconds`; true once it held (checked once more
/// at the deadline). Every wait of the tests is bounded by one of these.
public func eventually(within milliseconds: Int = 5_000, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = MonotonicClock.milliseconds() + Int64(milliseconds)
    while MonotonicClock.milliseconds() < deadline {
        if try condition() { return true }
        usleep(5_000)
    }
    return try condition()
}
