import ATPHTTP
import ATPPosix
import ATPUtilities
import Foundation
import Glibc

/// Writes a line to standard output unbuffered, so progress shows while the benchmark runs.
func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// Writes a line to standard error (progress that is not part of the report).
func note(_ line: String) { FileHandle.standardError.write(Data(("    " + line + "\n").utf8)) }

/// Monotonic microseconds (the clock the push dispatcher uses).
@inline(__always)
func monotonicMicros() -> Int64 { MonotonicClock.microseconds() }

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// The `q` quantile (0...1) of `sorted` by nearest rank; nan when empty.
func quantile(_ sorted: [Int64], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = max(1, Int((Double(sorted.count) * q).rounded(.up)))
    return Double(sorted[min(sorted.count, rank) - 1])
}

func fmt(_ value: Double, _ decimals: Int = 1) -> String {
    value.isNaN ? "-" : String(format: "%.\(decimals)f", value)
}

/// Milliseconds from microseconds, 2 decimals.
func ms(_ micros: Double) -> String { micros.isNaN ? "-" : String(format: "%.2f", micros / 1000) }

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
}

// MARK: - Per-thread CPU from /proc

/// One thread's CPU figures read from /proc: `schedstat` (nanoseconds on CPU; precise),
/// `stat` utime+stime (clock ticks; what `top` shows) and voluntary context switches (how often
/// it went to sleep, i.e. woke up).
struct ThreadCPU {
    var nanoseconds: Int64 = 0
    var ticks: Int64 = 0
    var voluntarySwitches: Int64 = 0

    static func - (a: ThreadCPU, b: ThreadCPU) -> ThreadCPU {
        ThreadCPU(
            nanoseconds: a.nanoseconds - b.nanoseconds, ticks: a.ticks - b.ticks,
            voluntarySwitches: a.voluntarySwitches - b.voluntarySwitches)
    }

    static func + (a: ThreadCPU, b: ThreadCPU) -> ThreadCPU {
        ThreadCPU(
            nanoseconds: a.nanoseconds + b.nanoseconds, ticks: a.ticks + b.ticks,
            voluntarySwitches: a.voluntarySwitches + b.voluntarySwitches)
    }

    /// Thread ids of this process whose name (`comm`, 15 bytes at most) is `name`.
    static func threads(named name: String) -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { tid in
            (try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == name
        }
    }

    /// The figures of thread `tid` of this process (zeros when it is gone).
    static func read(tid: String) -> ThreadCPU {
        var out = ThreadCPU()
        let base = "/proc/self/task/\(tid)/"
        if let text = try? String(contentsOfFile: base + "schedstat", encoding: .utf8),
            let first = text.split(separator: " ").first, let n = Int64(first)
        {
            out.nanoseconds = n
        }
        if let text = try? String(contentsOfFile: base + "stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        {
            // Fields after "pid (comm) ": state is field 3, utime 14, stime 15.
            let fields = text[text.index(after: close)...].split(separator: " ")
            if fields.count > 12 { out.ticks = (Int64(fields[11]) ?? 0) + (Int64(fields[12]) ?? 0) }
        }
        if let text = try? String(contentsOfFile: base + "status", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches:") {
                out.voluntarySwitches = Int64(line.split(separator: "\t").last ?? "") ?? 0
            }
        }
        return out
    }

    /// Sum over the threads named `name`.
    static func read(named name: String) -> ThreadCPU {
        threads(named: name).reduce(ThreadCPU()) { $0 + read(tid: $1) }
    }
}

// MARK: - Talking to the service

/// A few requests to the service under test (metrics, channel definitions) on a keep-alive client.
struct ServiceClient {
    let address: SocketAddress
    let client = HTTPClient(
        readTimeoutMilliseconds: 30_000, maxIdlePerHost: 2, maxResponseBodyBytes: 64 << 20)

    func send(_ method: HTTPMethod, _ path: String, json: String? = nil) throws -> HTTPClientResponse {
        let request =
            json.map { HTTPClientRequest(method: method, path: path, json: Array($0.utf8)) }
            ?? HTTPClientRequest(method: method, path: path)
        do throws(HTTPClientError) {
            return try client.send(request, to: address)
        } catch {
            throw BenchmarkError("\(method) \(path): \(error)")
        }
    }

    /// PUT /v1/channels/{name}; throws unless 200/201.
    func defineChannel(_ name: String, _ json: String) throws {
        let response = try send(.put, "/v1/channels/\(name)", json: json)
        guard response.status == 200 || response.status == 201 else {
            throw BenchmarkError(
                "PUT /v1/channels/\(name) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))"
            )
        }
    }

    /// The push figures of one channel from `/metrics`.
    func pushMetrics(channel: String) throws -> PushMetrics {
        let response = try send(.get, "/metrics")
        guard response.status == 200 else { throw BenchmarkError("GET /metrics answered \(response.status)") }
        return PushMetrics(parsing: String(decoding: response.body, as: UTF8.self), channel: channel)
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `atpd_push_*` figures of one channel: counters and the lag histogram (cumulative buckets).
struct PushMetrics {
    var sent = 0
    var updatesSent = 0
    var failedAttempts = 0
    /// (upper bound in seconds, cumulative count), ascending; +Inf last.
    var buckets: [(Double, Int)] = []
    var sumSeconds = 0.0
    var count = 0

    init() {}

    init(parsing text: String, channel: String) {
        let label = "channel=\"\(channel)\""
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && line.contains(label) {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
            else { continue }
            if line.hasPrefix("atpd_push_sent_total{") {
                sent = Int(value)
            } else if line.hasPrefix("atpd_push_updates_sent_total{") {
                updatesSent = Int(value)
            } else if line.hasPrefix("atpd_push_failed_attempts_total{") {
                failedAttempts = Int(value)
            } else if line.hasPrefix("atpd_push_lag_seconds_sum{") {
                sumSeconds = value
            } else if line.hasPrefix("atpd_push_lag_seconds_count{") {
                count = Int(value)
            } else if line.hasPrefix("atpd_push_lag_seconds_bucket{"), let le = line.range(of: "le=\"") {
                let rest = line[le.upperBound...]
                guard let end = rest.firstIndex(of: "\"") else { continue }
                let bound = rest[..<end] == "+Inf" ? Double.infinity : Double(rest[..<end]) ?? .nan
                buckets.append((bound, Int(value)))
            }
        }
    }

    /// The figures accumulated between `earlier` and `self`.
    func since(_ earlier: PushMetrics) -> PushMetrics {
        var out = PushMetrics()
        out.sent = sent - earlier.sent
        out.updatesSent = updatesSent - earlier.updatesSent
        out.failedAttempts = failedAttempts - earlier.failedAttempts
        out.sumSeconds = sumSeconds - earlier.sumSeconds
        out.count = count - earlier.count
        out.buckets = buckets.enumerated().map { i, b in
            (b.0, b.1 - (i < earlier.buckets.count ? earlier.buckets[i].1 : 0))
        }
        return out
    }

    /// The quantile `q` as the upper bound of its bucket, in milliseconds (nan without samples).
    func quantileMilliseconds(_ q: Double) -> Double {
        guard count > 0 else { return .nan }
        let rank = max(1, Int((Double(count) * q).rounded(.up)))
        for (bound, cumulative) in buckets where cumulative >= rank { return bound * 1000 }
        return .infinity
    }

    var meanMilliseconds: Double { count > 0 ? sumSeconds / Double(count) * 1000 : .nan }
}

/// "≤ 5 ms" for a bucket bound.
func bucketLabel(_ milliseconds: Double) -> String {
    if milliseconds.isNaN { return "-" }
    if milliseconds.isInfinite { return "> 60000" }
    return "<= " + (milliseconds == milliseconds.rounded() ? String(Int(milliseconds)) : String(milliseconds))
}
