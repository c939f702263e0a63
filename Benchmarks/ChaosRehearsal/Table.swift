/// A Markdown table with padded columns, so it reads in a terminal and pastes into a document.
///
/// Thread-safety: a value type. Complexity: O(cells).
struct Table {
    let header: [String]
    var rows: [[String]] = []

    init(_ header: String...) { self.header = header }

    mutating func add(_ cells: String...) { rows.append(cells) }

    var rendered: String {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            "| "
                + header.indices.map { column in
                    let text = cells.indices.contains(column) ? cells[column] : ""
                    return text + String(repeating: " ", count: widths[column] - text.count)
                }.joined(separator: " | ") + " |\n"
        }
        return line(header) + line(widths.map { String(repeating: "-", count: max(3, $0)) })
            + rows.map(line).joined()
    }
}

/// One verdict of the rehearsal.
struct Check {
    var name: String
    var expected: String
    var observed: String
    var passed: Bool
}

extension Int {
    /// `n` with thousands separators (`12,345`).
    var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (self < 0 ? "-" : "") + out
    }
}
