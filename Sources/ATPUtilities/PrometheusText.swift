/// Something that has figures for `/metrics`: each module exposes its own.
///
/// Thread-safety: `writeMetrics` from any thread, concurrently with whatever updates the figures.
public protocol MetricsSource: Sendable {
    /// Appends this source's metric families.
    func writeMetrics(to text: inout PrometheusText)
}

/// A writer of the Prometheus text exposition format 0.0.4: families (HELP, TYPE, samples) with
/// label values escaped.
///
/// Thread-safety: a value owned by its writer. Complexity: O(bytes written).
public struct PrometheusText {
    /// What has been written.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// `# HELP` and `# TYPE` lines of the family `name`.
    public mutating func header(_ name: String, _ type: String, _ help: String) {
        bytes.append(contentsOf: "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n".utf8)
    }

    /// A whole family: its header and one sample per (labels, value).
    public mutating func family(
        _ name: String, _ type: String, _ help: String, _ samples: [([(String, String)], Int)]
    ) {
        header(name, type, help)
        for (labels, value) in samples { sample(name, labels, Int64(value)) }
    }

    /// One sample line with an integer value.
    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Int64) {
        sampleStart(name, labels)
        bytes.appendDecimal(value)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// One sample line whose value is already written as text, e.g. `seconds(_:)`.
    public mutating func sample(_ name: String, _ labels: [(String, String)], text value: String) {
        sampleStart(name, labels)
        bytes.append(contentsOf: value.utf8)
        bytes.append(0x0A)
    }

    /// The sample's name, labels (escaped) and the space before its value.
    private mutating func sampleStart(_ name: String, _ labels: [(String, String)]) {
        bytes.append(contentsOf: name.utf8)
        if !labels.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            for (i, (key, text)) in labels.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: key.utf8)
                bytes.append(contentsOf: "=\"".utf8)
                for byte in text.utf8 {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                        bytes.append(UInt8(ascii: "\\"))
                    }
                    bytes.append(byte)
                }
                bytes.append(UInt8(ascii: "\""))
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(0x20)
    }

    /// Microseconds as decimal seconds, e.g. 2500 → "0.0025".
    public static func seconds(_ micros: Int64) -> String {
        let whole = micros / 1_000_000
        var fraction = String(micros % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }
}
