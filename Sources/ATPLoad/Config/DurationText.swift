/// Parsing and printing durations such as `30s`, `500ms`, `250us`, `2m`, `1h` (a bare number is
/// seconds; decimals are allowed: `1.5s`).
///
/// Thread-safety: stateless. Complexity: O(length of the text).
public enum DurationText {
    /// Nanoseconds, or nil when `text` is not a non-negative duration.
    public static func nanoseconds(_ text: String) -> Int64? {
        let units: [(String, Double)] = [
            ("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
        ]
        var number = Substring(text)
        var scale = 1e9
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let candidate = text.dropLast(suffix.count)
            if let value = Double(candidate), value >= 0 {
                number = candidate
                scale = factor
                break
            }
        }
        guard let value = Double(number), value >= 0, value.isFinite, value * scale < 9e18 else { return nil }
        return Int64((value * scale).rounded())
    }

    /// A compact human form of microseconds: `850µs`, `1.25ms`, `3.4s`.
    public static func describe(microseconds: Int64) -> String {
        if microseconds < 1_000 { return "\(microseconds)µs" }
        if microseconds < 1_000_000 { return fixed(Double(microseconds) / 1_000, digits: 2) + "ms" }
        return fixed(Double(microseconds) / 1_000_000, digits: 2) + "s"
    }

    /// `value` with exactly `digits` decimals (no Foundation).
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return String(value) }
        let whole = Int64(scaled)
        var int = String(whole / Int64(scale))
        if value < 0 && whole != 0 { int = "-" + int }
        guard digits > 0 else { return int }
        var fraction = String(whole % Int64(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return int + "." + fraction
    }
}
