/// Inline SVG line charts for the HTML report: axes with ticks, one polyline per series, a
/// legend. Output is well-formed XML (every text escaped), with no scripts or external fonts.
///
/// Thread-safety: stateless. Complexity: O(points).
enum SVGChart {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
    }

    static let palette = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700"]

    /// A line chart 720×260; `xTicks` labels positions on the x axis, `yLabel` formats y values.
    static func line(title: String, series: [Series], xTicks: [(Double, String)], yLabel: (Double) -> String)
        -> String
    {
        let width = 720.0
        let height = 260.0
        let left = 70.0
        let right = 20.0
        let top = 30.0
        let bottom = 40.0
        let all = series.flatMap(\.points)
        let xMin = all.map(\.x).min() ?? 0
        let xMax = max(all.map(\.x).max() ?? 1, xMin + 1)
        let yMax = niceCeiling(max(all.map(\.y).max() ?? 1, 1e-9))
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * (width - left - right) }
        func py(_ y: Double) -> Double { top + (1 - y / yMax) * (height - top - bottom) }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        svg += "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
        svg += "<title>\(escape(title))</title>"
        svg += "<text x=\"\(Int(left))\" y=\"18\" class=\"t\">\(escape(title))</text>"
        for i in 0...4 {
            let y = yMax * Double(i) / 4
            svg +=
                "<line x1=\"\(f(left))\" y1=\"\(f(py(y)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(y)))\" class=\"g\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(y) + 4))\" class=\"yl\">\(escape(yLabel(y)))</text>"
        }
        for (x, label) in xTicks where x >= xMin && x <= xMax {
            svg +=
                "<line x1=\"\(f(px(x)))\" y1=\"\(f(height - bottom))\" x2=\"\(f(px(x)))\" y2=\"\(f(height - bottom + 4))\" class=\"a\"/>"
            svg +=
                "<text x=\"\(f(px(x)))\" y=\"\(f(height - bottom + 16))\" class=\"xl\">\(escape(label))</text>"
        }
        svg +=
            "<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" class=\"a\"/>"
        for (i, s) in series.enumerated() where !s.points.isEmpty {
            let path = s.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" points=\"\(path)\"/>"
            let ly = top + 4 + Double(i) * 14
            svg +=
                "<rect x=\"\(f(width - right - 190))\" y=\"\(f(ly - 8))\" width=\"10\" height=\"10\" fill=\"\(s.color)\"/>"
            svg +=
                "<text x=\"\(f(width - right - 175))\" y=\"\(f(ly + 1))\" class=\"lg\">\(escape(s.name))</text>"
        }
        return svg + "</svg>"
    }

    /// 1, 2 or 5 × 10^k at or above `v`.
    static func niceCeiling(_ v: Double) -> Double {
        var magnitude = 1.0
        while magnitude * 10 <= v { magnitude *= 10 }
        while magnitude > v { magnitude /= 10 }
        for m in [1.0, 2, 5, 10] where m * magnitude >= v { return m * magnitude }
        return 10 * magnitude
    }

    static func f(_ v: Double) -> String { DurationText.fixed(v, digits: 1) }

    /// Escapes `&`, `<`, `>`, `"` and `'` for XML text and attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
