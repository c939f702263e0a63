import Foundation
import Synchronization

/// Sampling and threading for the engine benchmarks: warm-up, then `samples` timed runs of
/// `seconds` each; every run starts its threads together and counts operations until a deadline.
struct Harness {
    var samples = 5
    var seconds = 0.4

    /// Operations per second (all threads together) for each sample, after one warm-up run.
    /// `body(thread, deadline)` runs on its own thread and returns how many operations it did
    /// before the monotonic clock passed `deadline` (nanoseconds).
    func measure(threads: Int, _ body: @escaping @Sendable (Int, UInt64) -> Int) -> [Double] {
        _ = run(threads: threads, seconds: seconds / 2, body)
        return (0..<samples).map { _ in run(threads: threads, seconds: seconds, body) }
    }

    private func run(threads: Int, seconds: Double, _ body: @escaping @Sendable (Int, UInt64) -> Int)
        -> Double
    {
        let total = Atomic<Int>(0)
        let ready = DispatchGroup()
        let done = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        let deadline = Atomic<UInt64>(0)
        for t in 0..<threads {
            ready.enter()
            done.enter()
            Thread {
                ready.leave()
                go.wait()
                total.add(body(t, deadline.load(ordering: .acquiring)), ordering: .relaxed)
                done.leave()
            }.start()
        }
        ready.wait()
        let start = now()
        deadline.store(start + UInt64(seconds * 1e9), ordering: .releasing)
        for _ in 0..<threads { go.signal() }
        done.wait()
        let elapsed = Double(now() - start) / 1e9
        return Double(total.load(ordering: .relaxed)) / elapsed
    }
}

/// Calls `body` in rounds of `calls` until the monotonic clock passes `deadline`; each call
/// counts as `opsPerCall` operations. Returns the operations done.
@inline(__always)
func repeatUntil(_ deadline: UInt64, calls: Int = 1024, opsPerCall: Int = 1, _ body: () -> Void) -> Int {
    var ops = 0
    repeat {
        for _ in 0..<calls { body() }
        ops += calls * opsPerCall
    } while now() < deadline
    return ops
}

/// Monotonic nanoseconds.
@inline(__always)
func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Resident set size of this process in bytes, from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

/// A byte string with a stable address for the whole run (benchmark keys).
struct StableBytes: @unchecked Sendable {
    let buffer: UnsafeRawBufferPointer
    init(_ text: String) {
        let bytes = Array(text.utf8)
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 8)
        raw.copyBytes(from: bytes)
        buffer = UnsafeRawBufferPointer(rebasing: raw[0..<bytes.count])
    }
}

/// A cheap per-thread index generator (xorshift) so picking keys costs a few cycles.
struct XorShift {
    var state: UInt64
    @inline(__always)
    mutating func next(_ bound: Int) -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % UInt64(bound))
    }
}
