import ATPLoad

/// Writes the requests worth a look after a failed rehearsal — every one that was re-sent or
/// not answered as designed — one tab-separated line each, with the time it was sent, so a
/// failure can be matched with the fault log (`<unix ms> <fault>`).
///
/// Thread-safety: stateless. Complexity: O(requests).
enum LedgerDump {
    static func write(_ f: Findings, to path: String) throws {
        var lines = [
            "# kind\tid\tcell\tdelta\tintent\tseq\tfirst answer\tsent at (unix ms)\tre-send answer\tfate"
        ]
        for e in f.ledger.events where e.resentAnswer != nil || e.asDesigned != true {
            lines.append(line("event", e))
        }
        for e in f.streamProbes.map(\.event) where e.asDesigned != true { lines.append(line("stream", e)) }
        for h in f.ledger.holds where h.resentAnswer != nil {
            lines.append(
                "hold\t\(h.key)\t\(h.cell)\t-1\t-\t-\t\(h.outcome)\t\(h.sentAt)\t\(h.resentAnswer ?? "")\t\(h.id ?? "not held")"
            )
        }
        try writeFile(path, Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    private static func line(_ kind: String, _ e: EventRecord) -> String {
        "\(kind)\t\(e.id)\t\(e.cell)\t\(e.delta)\t\(e.intent)\t\(e.seq.map(String.init) ?? "-")\t\(e.firstOutcome)\t"
            + "\(e.sentAt)\t\(e.resentAnswer ?? "")\t\(e.fate)"
    }
}
