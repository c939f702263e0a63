import Glibc

/// The report for people (`--report-html`): one self-contained XHTML page — inline CSS and SVG
/// charts (throughput and p99 over time, the latency distribution), no scripts, no external
/// fonts or files. With `--compare` both runs share each chart. Well-formed XML throughout, so
/// any XML parser reads it.
///
/// Thread-safety: stateless. Complexity: O(kinds + timeline + violations) per run.
public enum HTMLReport {
    public static func render(_ runs: [RunResult]) -> [UInt8] {
        let e = SVGChart.escape
        var h =
            "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>"
        h += "<title>atp-load report: \(e(runs.first?.scenario ?? ""))</title><style>"
        h +=
            "body{font-family:system-ui,sans-serif;margin:2em;color:#1f2328}table{border-collapse:collapse;margin:1em 0}"
        h += "td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:right}th{background:#f6f8fa}"
        h +=
            "td.l,th.l{text-align:left}.pass{color:#1a7f37;font-weight:bold}.fail{color:#d1242f;font-weight:bold}"
        h += "svg{display:block;margin:1em 0;background:#fff;border:1px solid #d0d7de}"
        h += ".t{font-size:14px;font-weight:bold}.g{stroke:#eaeef2}.a{stroke:#57606a}"
        h += ".yl{font-size:11px;text-anchor:end}.xl{font-size:11px;text-anchor:middle}.lg{font-size:12px}"
        h += "</style></head><body>"
        h += "<h1>atp-load: \(e(runs.first?.scenario ?? ""))</h1>"
        if runs.count == 2 { h += comparison(runs[0], runs[1]) }
        h += charts(runs)
        for run in runs { h += section(run) }
        h += "</body></html>\n"
        return Array(h.utf8)
    }

    private static func comparison(_ a: RunResult, _ b: RunResult) -> String {
        let e = SVGChart.escape
        var h =
            "<h2>Comparison</h2><table><tr><th class=\"l\">measure</th><th>\(e(a.target))</th><th>\(e(b.target))</th><th>ratio</th></tr>"
        func row(_ name: String, _ x: Double, _ y: Double, _ show: (Double) -> String) {
            h += "<tr><td class=\"l\">\(e(name))</td><td>\(e(show(x)))</td><td>\(e(show(y)))</td>"
            h += "<td>\(y > 0 ? TextSummary.fmt(x / y, 2) + "×" : "—")</td></tr>"
        }
        let rate = { (v: Double) in TextSummary.fmt(v, 1) }
        let micros = { (v: Double) in DurationText.describe(microseconds: Int64(v)) }
        row("requests/s", a.throughput, b.throughput, rate)
        row("holds answered/s", a.holdsPerSecond, b.holdsPerSecond, rate)
        row("holds held/s", a.successfulHoldsPerSecond, b.successfulHoldsPerSecond, rate)
        for p in [50.0, 99, 99.9] {
            row(
                "p\(p == 99.9 ? "99.9" : String(Int(p)))", Double(a.overall.value(atPercentile: p)),
                Double(b.overall.value(atPercentile: p)), micros)
        }
        return h + "</table>"
    }

    private static func charts(_ runs: [RunResult]) -> String {
        let seconds = runs.map(\.timeline.count).max() ?? 0
        let step = max(1, seconds / 10)
        let ticks = stride(from: 0, through: max(seconds, 1), by: step).map { (Double($0), "\($0)s") }
        let color = { (i: Int) in SVGChart.palette[i % SVGChart.palette.count] }
        var h = "<h2>Over time</h2>"
        h += SVGChart.line(
            title: "Throughput (requests/s)",
            series: runs.enumerated().map { i, r in
                .init(
                    name: r.target, color: color(i),
                    points: r.timeline.map { (Double($0.second) + 0.5, Double($0.requests)) })
            }, xTicks: ticks, yLabel: { TextSummary.fmt($0, 0) })
        h += SVGChart.line(
            title: "p99 latency per second",
            series: runs.enumerated().map { i, r in
                .init(
                    name: r.target, color: color(i),
                    points: r.timeline.map {
                        (Double($0.second) + 0.5, Double($0.histogram.value(atPercentile: 99)))
                    })
            }, xTicks: ticks, yLabel: { DurationText.describe(microseconds: Int64($0)) })
        // Distribution: x is the number of nines, −log10(1 − p).
        let nines = [(0.0, "0%"), (1, "90%"), (2, "99%"), (3, "99.9%"), (4, "99.99%")]
        h += "<h2>Latency distribution</h2>"
        h += SVGChart.line(
            title: "Latency by percentile (all operations)",
            series: runs.enumerated().map { i, r in
                .init(
                    name: r.target, color: color(i),
                    points: LatencyDistribution.points(r.overall).dropLast().map {
                        (-log10(1 - $0.percentile / 100), Double($0.value))
                    })
            }, xTicks: nines, yLabel: { DurationText.describe(microseconds: Int64($0)) })
        return h
    }

    private static func section(_ r: RunResult) -> String {
        let e = SVGChart.escape
        var h =
            "<h2>\(e(r.scenario)) against \(e(r.target))</h2><p>\(r.connections) connections, \(r.threads) threads, "
        h += e(r.rate.map { "open loop at \($0) requests/s" } ?? "closed loop (max throughput)")
        h +=
            ", \(TextSummary.fmt(r.durationSeconds, 1)) s measured after \(TextSummary.fmt(r.warmupSeconds, 1)) s warm-up; "
        h += "\(r.skus) skus × \(r.locations) locations.</p>"
        h +=
            "<table><tr><th class=\"l\">operation</th><th>count</th><th>errors</th><th>req/s</th><th>p50</th><th>p90</th>"
        h += "<th>p99</th><th>p99.9</th><th>max</th><th class=\"l\">statuses</th></tr>"
        let rows =
            r.kinds.map { ($0.kind.name, $0.histogram, $0.errors, $0.statuses) } + [
                ("all", r.overall, r.errors, [])
            ]
        for (name, hist, errors, statuses) in rows {
            h += "<tr><td class=\"l\">\(name)</td><td>\(hist.totalCount)</td><td>\(errors)</td>"
            h += "<td>\(TextSummary.fmt(Double(hist.totalCount) / r.durationSeconds, 1))</td>"
            for p in [50.0, 90, 99, 99.9] {
                h += "<td>\(e(DurationText.describe(microseconds: hist.value(atPercentile: p))))</td>"
            }
            h += "<td>\(e(DurationText.describe(microseconds: hist.maxValue)))</td><td class=\"l\">"
            h += statuses.map { "\($0.status == 0 ? "transport" : String($0.status)): \($0.count)" }.joined(
                separator: ", ")
            h += "</td></tr>"
        }
        h += "</table>"
        let v = r.verdict
        h +=
            "<p>Verdict: <span class=\"\(v.passed ? "pass" : "fail")\">\(v.passed ? "PASS" : "FAIL")</span> — "
        h +=
            "\(v.checkedCells) cells checked; holds: \(r.holdsSucceeded) held, \(r.holdsRejected) refused, \(r.holdsAmbiguous) unanswered"
        if v.flashStock > 0 { h += "; flash sale: \(v.flashUnitsHeld) units held of \(v.flashStock)" }
        h += ".</p>"
        if !v.violations.isEmpty {
            h += "<ul>" + v.violations.map { "<li>\(e($0))</li>" }.joined() + "</ul>"
        }
        if !r.slos.isEmpty {
            h += "<ul>"
            for s in r.slos {
                h += "<li>SLO \(e(s.objective.description)): <span class=\"\(s.passed ? "pass" : "fail")\">"
                h +=
                    "\(s.passed ? "met" : "missed")</span> (\(e(DurationText.describe(microseconds: s.measuredMicroseconds))))</li>"
            }
            h += "</ul>"
        }
        return h
    }
}
