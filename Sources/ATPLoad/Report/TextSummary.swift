/// The plain-text summary printed on stdout after a run, and the comparison table of `--compare`.
///
/// Thread-safety: stateless. Complexity: O(kinds + violations).
public enum TextSummary {
    public static func render(_ r: RunResult) -> String {
        var out =
            "\n== \(r.scenario) against \(r.target): \(r.connections) connections, \(r.threads) threads, "
        out += r.rate.map { "open loop at \($0) req/s" } ?? "closed loop (max throughput)"
        out += ", \(fmt(r.durationSeconds, 1))s measured after \(fmt(r.warmupSeconds, 1))s warm-up\n"
        out += pad("operation", 14) + pad("count", 10) + pad("errors", 8) + pad("req/s", 11)
        for p in ["p50", "p90", "p99", "p99.9", "max"] { out += pad(p, 10) }
        out += "statuses\n"
        for k in r.kinds {
            out += row(
                k.kind.name, k.histogram, errors: k.errors, seconds: r.durationSeconds, statuses: k.statuses)
        }
        out += row("all", r.overall, errors: r.errors, seconds: r.durationSeconds, statuses: [])
        if r.holdsSucceeded + r.holdsRejected + r.holdsAmbiguous > 0 {
            out +=
                "holds: \(fmt(r.holdsPerSecond, 1)) answered/s (\(fmt(r.successfulHoldsPerSecond, 1)) held/s); "
            out +=
                "whole run \(r.holdsSucceeded) held, \(r.holdsRejected) refused, \(r.holdsAmbiguous) unanswered\n"
        }
        let v = r.verdict
        out += "verdict: \(v.passed ? "PASS" : "FAIL") — \(v.checkedCells) cells checked"
        if v.flashStock > 0 { out += ", flash sale \(v.flashUnitsHeld) units held of \(v.flashStock)" }
        out += v.passed ? "\n" : ", \(v.violationCount) violations:\n"
        for line in v.violations { out += "  ✗ \(line)\n" }
        for s in r.slos {
            out += "slo \(s.objective.description): \(s.passed ? "met" : "MISSED") "
            out += "(\(DurationText.describe(microseconds: s.measuredMicroseconds)))\n"
        }
        if !r.cpu.isEmpty {
            out += "cpu in the measured \(fmt(r.durationSeconds, 1))s: "
            out += r.cpu.map {
                "\($0.label) \(fmt($0.totalSeconds, 2))s (user \(fmt($0.userSeconds, 2)), sys \(fmt($0.systemSeconds, 2)))"
            }
            .joined(separator: ", ")
            out += "\n"
        }
        return out
    }

    /// Side by side: throughput, holds/s and latency percentiles of two runs, with ratios b/a…
    /// phrased as "first vs second".
    public static func comparison(_ a: RunResult, _ b: RunResult) -> String {
        var out = "\n== compare: \(a.target) vs \(b.target) (\(a.scenario))\n"
        out += pad("", 22) + pad(short(a.target), 24) + pad(short(b.target), 24) + "ratio (first/second)\n"
        func line(_ name: String, _ x: Double, _ y: Double, latency: Bool) {
            let show = { (v: Double) in latency ? DurationText.describe(microseconds: Int64(v)) : fmt(v, 1) }
            out += pad(name, 22) + pad(show(x), 24) + pad(show(y), 24)
            out += y > 0 ? fmt(x / y, 2) + "×" : "—"
            out += "\n"
        }
        line("requests/s", a.throughput, b.throughput, latency: false)
        line("holds answered/s", a.holdsPerSecond, b.holdsPerSecond, latency: false)
        line("holds held/s", a.successfulHoldsPerSecond, b.successfulHoldsPerSecond, latency: false)
        for p in [50.0, 99, 99.9] {
            line(
                "p\(p == 99.9 ? "99.9" : String(Int(p))) (all)", Double(a.overall.value(atPercentile: p)),
                Double(b.overall.value(atPercentile: p)), latency: true)
        }
        let ha = a.histogram(.hold)
        let hb = b.histogram(.hold)
        if ha.totalCount > 0 && hb.totalCount > 0 {
            line(
                "hold p99", Double(ha.value(atPercentile: 99)), Double(hb.value(atPercentile: 99)),
                latency: true)
        }
        line("errors", Double(a.errors), Double(b.errors), latency: false)
        if let ca = a.cpu.first(where: { $0.pid == nil }), let cb = b.cpu.first(where: { $0.pid == nil }) {
            out +=
                pad("atp-load cpu-s", 22) + pad(fmt(ca.totalSeconds, 2), 24)
                + pad(fmt(cb.totalSeconds, 2), 24) + "\n"
        }
        out +=
            pad("verdict", 22) + pad(a.verdict.passed ? "PASS" : "FAIL", 24)
            + pad(b.verdict.passed ? "PASS" : "FAIL", 24) + "\n"
        return out
    }

    private static func row(
        _ name: String, _ h: LatencyHistogram, errors: UInt64, seconds: Double,
        statuses: [(status: Int, count: UInt64)]
    ) -> String {
        var out = pad(name, 14) + pad(String(h.totalCount), 10) + pad(String(errors), 8)
        out += pad(fmt(Double(h.totalCount) / seconds, 1), 11)
        for p in [50.0, 90, 99, 99.9] {
            out += pad(DurationText.describe(microseconds: h.value(atPercentile: p)), 10)
        }
        out += pad(DurationText.describe(microseconds: h.maxValue), 10)
        out += statuses.map { "\($0.status == 0 ? "io" : String($0.status)):\($0.count)" }.joined(
            separator: " ")
        return out + "\n"
    }

    static func fmt(_ v: Double, _ digits: Int) -> String { DurationText.fixed(v, digits: digits) }

    private static func short(_ target: String) -> String {
        target.count > 22 ? String(target.prefix(22)) : target
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
