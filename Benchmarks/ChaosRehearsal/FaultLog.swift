import ATPLoad
import ATPPosix
import ATPUtilities

/// The faults the script injected, read from the file it appends one line per fault to:
/// `<unix ms> <kind>`, kinds `atpd-kill`, `redis-term`, `redis-kill`, `hook-500`, `hook-down`,
/// `hook-up` (the endpoint recovered), and `end` once the schedule is over and everything is
/// up again.
///
/// Thread-safety: a value type. Complexity: O(lines).
struct FaultLog {
    var counts: [String: Int] = [:]
    /// Milliseconds the endpoint spent failing (`hook-500` … `hook-up`) and refusing
    /// (`hook-down` … `hook-up`).
    var failingMilliseconds = 0
    var refusingMilliseconds = 0
    var ended = false
    /// When atpd was killed (Unix ms), in order.
    var kills: [Int64] = []

    init(path: String) {
        guard let bytes = try? readFile(path) else { return }
        var since: (kind: String, at: Int)?
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count >= 2, let at = Int(f[0]) else { continue }
            let kind = String(f[1])
            counts[kind, default: 0] += 1
            switch kind {
            case "hook-500", "hook-down": since = (kind, at)
            case "hook-up":
                if let (was, from) = since {
                    if was == "hook-500" {
                        failingMilliseconds += at - from
                    } else {
                        refusingMilliseconds += at - from
                    }
                }
                since = nil
            case "atpd-kill": kills.append(Int64(at))
            case "end": ended = true
            default: break
            }
        }
    }

    subscript(kind: String) -> Int { counts[kind] ?? 0 }

    /// Milliseconds from `time` (Unix ms) to the next atpd kill, or nil when none followed.
    func untilKill(after time: Int64) -> Int64? {
        kills.first { $0 >= time }.map { $0 - time }
    }

    /// Waits until the script wrote `end`, at most `seconds`.
    static func waitForEnd(path: String, seconds: Int) -> FaultLog {
        let deadline = MonotonicClock.now() + Int64(seconds) * 1_000_000_000
        var log = FaultLog(path: path)
        while !log.ended && MonotonicClock.now() < deadline {
            MonotonicClock.sleep(nanoseconds: 200_000_000)
            log = FaultLog(path: path)
        }
        return log
    }
}
