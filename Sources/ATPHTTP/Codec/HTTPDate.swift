import ATPUtilities

/// The IMF-fixdate of RFC 9110 §5.6.7, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// Thread-safety: stateless. - Complexity: O(1).
enum HTTPDate {
    private static let weekdays: [StaticString] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months: [StaticString] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]

    static func append(unixSeconds: Int64, to out: inout [UInt8]) {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let second = unixSeconds - days * 86_400
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        out.appendASCII(weekdays[Int(((days % 7) + 7) % 7)])
        out.appendASCII(", ")
        CivilCalendar.appendDigits(day, count: 2, to: &out)
        out.append(0x20)
        out.appendASCII(months[Int(month - 1)])
        out.append(0x20)
        CivilCalendar.appendDigits(year, count: 4, to: &out)
        out.append(0x20)
        CivilCalendar.appendDigits(second / 3600, count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        CivilCalendar.appendDigits(second / 60 % 60, count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        CivilCalendar.appendDigits(second % 60, count: 2, to: &out)
        out.appendASCII(" GMT")
    }
}
