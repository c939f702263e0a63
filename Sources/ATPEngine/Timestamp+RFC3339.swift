import ATPUtilities

extension Timestamp {
    /// Writes `YYYY-MM-DDTHH:MM:SSZ` (or with `.mmm` before the `Z` when `fraction` is true) into
    /// `out` as ASCII bytes. Years outside 0...9999 are clamped to that range.
    /// - Complexity: O(1), no allocation beyond `out`'s growth.
    public func appendRFC3339(to out: inout [UInt8], fraction: Bool = false) {
        let millis = milliseconds - unixSeconds * 1000
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondOfDay = unixSeconds - days * 86_400
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        let y = max(0, min(9999, year))
        CivilCalendar.appendDigits(y, count: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        CivilCalendar.appendDigits(month, count: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        CivilCalendar.appendDigits(day, count: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        CivilCalendar.appendDigits(secondOfDay / 3600, count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        CivilCalendar.appendDigits(secondOfDay / 60 % 60, count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        CivilCalendar.appendDigits(secondOfDay % 60, count: 2, to: &out)
        if fraction {
            out.append(UInt8(ascii: "."))
            CivilCalendar.appendDigits(millis, count: 3, to: &out)
        }
        out.append(UInt8(ascii: "Z"))
    }

    /// The RFC 3339 text of this instant, e.g. `2026-11-25T10:15:00Z`.
    public func rfc3339(fraction: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendRFC3339(to: &bytes, fraction: fraction)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses an RFC 3339 date-time (`2026-11-25T10:15:00Z`, optional fraction, `Z` or `±HH:MM`).
    /// Returns nil for anything else. Fractions beyond milliseconds are truncated.
    public init?(rfc3339 text: String) {
        var text = text
        guard let value = text.withUTF8({ Self.parse(Array($0)) }) else { return nil }
        self = value
    }

    private static func parse(_ b: [UInt8]) -> Timestamp? {
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var value: Int64 = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int64(b[i] - 48)
            }
            return value
        }
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
            b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var millis: Int64 = 0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { millis = millis * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        guard i < b.count else { return nil }
        var offsetSeconds: Int64 = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"),
                let oh = number(i + 1, 2), let om = number(i + 4, 2), oh < 24, om < 60
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let days = CivilCalendar.days(fromCivil: year, month, day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return Timestamp(milliseconds: seconds * 1000 + millis)
    }
}
