import ATPPosix

/// Polls `condition` every `interval` ms (default 5) for up to `milliseconds`; true once it held
/// (checked once more at the deadline). Every wait of the tests is bounded by one of these: the
/// one "until this holds or time is up" loop of the tests, on `MonotonicClock`.
public func eventually(
    within milliseconds: Int = 5_000, every interval: Int = 5, _ condition: () throws -> Bool
) rethrows -> Bool {
    let deadline = MonotonicClock.deadline(afterMilliseconds: milliseconds)
    while MonotonicClock.now() < deadline {
        if try condition() { return true }
        MonotonicClock.sleep(milliseconds: Int64(interval))
    }
    return try condition()
}
