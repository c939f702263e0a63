import ATPEngine
import Synchronization

/// A wall clock that tests move by hand.
///
/// Thread-safety: any thread (an atomic).
public final class ManualClock: WallClock {
    /// 2026-11-18T11:06:40Z, where every test clock starts unless told otherwise.
    public static let start: Int64 = 1_795_000_000_000
    private let millis: Atomic<Int64>

    public init(_ start: Int64 = ManualClock.start) { millis = Atomic(start) }

    public func now() -> Timestamp { Timestamp(milliseconds: millis.load(ordering: .relaxed)) }
    public var milliseconds: Int64 { millis.load(ordering: .relaxed) }
    public func advance(seconds: Int64) { millis.add(seconds * 1000, ordering: .relaxed) }
    public func set(_ value: Timestamp) { millis.store(value.milliseconds, ordering: .relaxed) }
}
