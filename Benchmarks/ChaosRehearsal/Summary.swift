/// What happened during the rehearsal, as (what, count) rows, from its `Findings`.
///
/// Thread-safety: stateless. Complexity: O(requests).
enum Summary {
    static func rows(_ f: Findings) -> [(String, String)] {
        let l = f.ledger
        let seconds = { (ms: Int) in format2(Double(ms) / 1000) }
        var rows: [(String, String)] = [
            ("atpd killed (SIGKILL) and restarted", "\(f.faults["atpd-kill"])"),
            (
                "Redis restarted: SIGTERM / SIGKILL + AOF reload",
                "\(f.faults["redis-term"]) / \(f.faults["redis-kill"])"
            ),
            (
                "webhook endpoint failing with 500s",
                "\(f.faults["hook-500"]) outage(s), \(seconds(f.faults.failingMilliseconds)) s"
            ),
            (
                "webhook endpoint refusing connections (receiver stopped)",
                "\(f.faults["hook-down"]) outage(s), \(seconds(f.faults.refusingMilliseconds)) s"
            ),
        ]
        let holds = l.holds.map(\.outcome)
        rows.append(("holds sent: 201 / 409 sold out / 503 / unanswered / other", breakdown(holds)))
        let replays = l.replays
        rows.append(
            (
                "holds sent again with their key: 201 / 409 / 503 / unanswered / other",
                breakdown(replays.map(\.outcome))
                    + "; same reservation \(replays.filter { $0.sameReservation == true }.count.grouped)"
            ))
        rows.append(
            ("event batches sent: 200 / 409 / 503 / unanswered / other", breakdown(l.batches.map(\.outcome))))
        let all = holds + replays.map(\.outcome) + l.batches.map(\.outcome)
        rows.append(
            (
                "requests in all: answered 2xx or 409 / 503 / unanswered / other; not sent (connect refused)",
                "\(all.count.grouped): \(all.filter { $0 == .acknowledged || $0 == .refused }.count.grouped) / "
                    + "\(all.filter { $0 == .unavailable || $0 == .notReady }.count.grouped) / "
                    + "\(all.filter { $0 == .unanswered }.count.grouped) / "
                    + "\(all.filter { if case .unexpected = $0 { true } else { false } }.count.grouped); \(l.notSent.grouped)"
            ))
        let events = l.events
        rows.append(
            (
                "HTTP events: fresh / repeated ids / out-of-order seqs",
                "\(events.filter { $0.intent == .new }.count.grouped) / \(events.filter { $0.intent == .duplicate }.count.grouped) / "
                    + "\(events.filter { $0.intent == .stale }.count.grouped)"
            ))
        let stream = l.stream.map(\.event)
        let unanswered = l.stream.filter { if case .unanswered = $0.added { true } else { false } }.count
        rows.append(
            (
                "stream entries: fresh / repeated ids / out-of-order seqs; XADD unanswered (added again)",
                "\(stream.filter { $0.intent == .new }.count.grouped) / \(stream.filter { $0.intent == .duplicate }.count.grouped) / "
                    + "\(stream.filter { $0.intent == .stale }.count.grouped); \(unanswered)"
            ))
        let resentHolds = l.holds.compactMap(\.resentAnswer)
        let resentEvents = l.events.compactMap(\.resentAnswer)
        rows.append(
            ("re-sent after the load: holds (answers)", "\(resentHolds.count): \(histogram(resentHolds))"))
        rows.append(
            (
                "re-sent after the load: events, one per request (answers)",
                "\(resentEvents.count): \(histogram(resentEvents))"
            ))
        if let c = f.convergence {
            let r = c.receiver
            rows.append(
                (
                    "webhook requests received: 2xx / 500 / retries seen (same webhook-id) / updates",
                    "\(r.requests.grouped): \(r.delivered.grouped) / \(r.failedAnswers.grouped) / \(r.retries.grouped) / "
                        + "\(r.updates.grouped)"
                ))
            rows.append(("dead letters at the end (replayed)", "\(c.deadLetters) (\(c.replayed))"))
        }
        return rows
    }

    /// "n: a / b / c / d / e" over 2xx, 409, 503, unanswered and anything else.
    private static func breakdown(_ outcomes: [Outcome]) -> String {
        let ok = outcomes.filter { $0 == .acknowledged }.count
        let refused = outcomes.filter { $0 == .refused }.count
        let unavailable = outcomes.filter { $0 == .unavailable }.count
        let notReady = outcomes.filter { $0 == .notReady }.count
        let unanswered = outcomes.filter { $0 == .unanswered }.count
        let other = outcomes.count - ok - refused - unavailable - notReady - unanswered
        return "\(outcomes.count.grouped): \(ok.grouped) / \(refused.grouped) / "
            + "\((unavailable + notReady).grouped) (\(notReady.grouped) not_ready) / "
            + "\(unanswered.grouped) / \(other.grouped)"
    }

    /// "applied 3, duplicate 2" for a list of answers.
    private static func histogram(_ answers: [String]) -> String {
        let counts = answers.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
