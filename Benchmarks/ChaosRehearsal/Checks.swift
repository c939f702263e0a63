/// The verdicts of the rehearsal, one `Check` each, from its `Findings`.
///
/// Thread-safety: stateless. Complexity: O(requests).
enum Checks {
    static func all(_ f: Findings) -> [Check] {
        holds(f) + stock(f) + events(f) + push(f) + hygiene(f)
    }

    /// "k of n" and the first few exceptions.
    private static func tally<T>(_ items: [T], ok: (T) -> Bool, show: (T) -> String) -> (String, Bool) {
        let bad = items.filter { !ok($0) }
        var text = "\((items.count - bad.count).grouped) of \(items.count.grouped)"
        if !bad.isEmpty { text += "; e.g. " + bad.prefix(3).map(show).joined(separator: "; ") }
        return (text, bad.isEmpty)
    }

    private static func holds(_ f: Findings) -> [Check] {
        let acknowledged = f.holdStatuses.filter { $0.hold.outcome == .acknowledged }
        let (present, presentOK) = tally(
            acknowledged, ok: { $0.status == "held" },
            show: { "\($0.hold.id ?? "?") \($0.status)" })
        let resent = f.holdStatuses.filter { $0.hold.outcome != .acknowledged }
        let (resentText, resentOK) = tally(
            resent, ok: { $0.status == "held" },
            show: { "\($0.hold.id ?? "?") \($0.status)" })
        let replays = f.ledger.replays.filter { $0.sameReservation != nil }
        let (same, sameOK) = tally(
            replays, ok: { $0.sameReservation == true }, show: { "\($0.key): \($0.detail)" })
        return [
            Check(
                name: "every acknowledged hold (201) is held: GET /v1/reservations/{id}",
                expected: "\(acknowledged.count.grouped) held", observed: present, passed: presentOK),
            Check(
                name: "every hold that took effect on re-send is held",
                expected: "\(resent.count.grouped) held", observed: resentText, passed: resentOK),
            Check(
                name: "a hold sent again with its Idempotency-Key answers the same reservation",
                expected: "\(replays.count.grouped) replayed", observed: same, passed: sameOK),
        ]
    }

    private static func stock(_ f: Findings) -> [Check] {
        guard let stock = f.stock else {
            return [
                Check(
                    name: "stock read back", expected: "200", observed: "atpd did not answer", passed: false)
            ]
        }
        let cells = f.catalogue.cells
        let held = f.heldUnits
        let expected = f.expectedOnHand
        let (reserved, reservedOK) = tally(
            cells, ok: { stock[$0]?.reserved == held[$0] ?? 0 },
            show: { "\($0) reserved \(stock[$0]?.reserved ?? -1), holds \(held[$0] ?? 0)" })
        let (sane, saneOK) = tally(
            cells, ok: { stock[$0].map { $0.oversold == nil } ?? false },
            show: { "\($0) \(stock[$0]?.oversold ?? "missing")" })
        let scarce = f.catalogue.scarceCells.map { cell in
            (cell, held[cell] ?? 0, (stock[cell]?.onHand ?? 0) - (stock[cell]?.safetyStock ?? 0))
        }
        let scarceText = scarce.map { "\($0.0) \($0.1)/\($0.2)" }.joined(separator: ", ")
        let (onHand, onHandOK) = tally(
            cells, ok: { stock[$0]?.onHand == expected[$0] },
            show: { cell in
                let seen = stock[cell]?.onHand ?? -1
                let want = expected[cell] ?? 0
                return
                    "\(cell) onHand \(seen.grouped), expected \(want.grouped) (\(seen - want >= 0 ? "+" : "")\(seen - want))"
                    + culprits(f, cell, difference: seen - want)
            })
        return [
            Check(
                name: "reserved = the holds that took effect, per cell",
                expected: "\(cells.count) cells", observed: reserved, passed: reservedOK),
            Check(
                name: "no oversell at the end: reserved ≤ onHand − safety, available = max(0, …) ≥ 0",
                expected: "\(cells.count) cells", observed: sane, passed: saneOK),
            Check(
                name: "scarce cells: units held ≤ onHand − safety (held/stock)",
                expected: "held ≤ stock", observed: scarceText, passed: scarce.allSatisfy { $0.1 <= $0.2 }),
            Check(
                name: "no oversell while loaded (all cells read every 250 ms)",
                expected: "0 bad samples",
                observed: "\(f.sampleViolations.count) bad of \(f.samples.grouped)"
                    + (f.sampleViolations.first.map { "; \($0)" } ?? ""),
                passed: f.sampleViolations.isEmpty && f.samples > 0),
            Check(
                name: "onHand = initial + every applied delta, after the re-sends",
                expected: "\(cells.count) cells", observed: onHand, passed: onHandOK),
        ]
    }

    /// The events that would explain a cell's on-hand being off by `difference` (seen − expected):
    /// re-sent ones counted as not applied whose delta is the difference (applied after all),
    /// and ones counted as applied whose delta is minus it (missing after all). Those in flight
    /// when atpd was killed come first.
    private static func culprits(_ f: Findings, _ cell: Cell, difference: Int) -> String {
        let candidates = f.ledger.events.filter {
            $0.cell == cell && $0.resentAnswer != nil
                && (($0.fate == .notApplied && $0.delta == difference)
                    || ($0.fate == .applied && $0.delta == -difference))
        }
        let inFlight = candidates.filter { $0.firstOutcome == .unanswered }
        guard !candidates.isEmpty else { return " [no single re-sent event there explains it]" }
        let shown = (inFlight.isEmpty ? candidates : inFlight).prefix(2).map { e in
            "\(e.id) \(e.type) \(e.delta >= 0 ? "+" : "")\(e.delta) seq \(e.seq.map(String.init) ?? "-") "
                + "\(e.firstOutcome)\(f.faults.untilKill(after: e.sentAt).map { " \($0) ms before a kill" } ?? ""), "
                + "re-sent → \(e.resentAnswer!)"
        }
        return
            " [\(inFlight.count) events in flight at a kill (\(candidates.count) re-sent) would explain it, e.g. "
            + shown.joined(separator: "; ") + "]"
    }

    private static func events(_ f: Findings) -> [Check] {
        let (present, presentOK) = tally(
            f.eventProbes, ok: { $0.answer == "duplicate" },
            show: { "\($0.event.id) → \($0.answer)" })
        let acknowledgedStream = f.streamProbes.filter { $0.event.intent == .new }
        let (stream, streamOK) = tally(
            acknowledgedStream, ok: { $0.event.asDesigned == true },
            show: { "\($0.event.id) → \($0.answer)" })
        let duplicates = f.ledger.events.filter { $0.intent == .duplicate }
        let (dup, dupOK) = tally(
            duplicates, ok: { $0.asDesigned == true },
            show: { "\($0.id) → \($0.resentAnswer ?? "?")" })
        let streamRepeats = f.ledger.stream.filter { $0.event.intent == .duplicate }.count
        let stale =
            f.ledger.events.filter { $0.intent == .stale }
            + f.streamProbes.map(\.event).filter { $0.intent == .stale }
        let (staleText, staleOK) = tally(
            stale, ok: { $0.asDesigned == true },
            show: { "\($0.id) seq \($0.seq ?? -1) → \($0.resentAnswer ?? "?")" })
        let batches = f.ledger.batches.filter {
            if case .unexpected = $0.outcome { true } else { $0.outcome == .acknowledged }
        }
        let (answers, answersOK) = tally(
            batches, ok: { $0.outcome == .acknowledged }, show: { "\($0.outcome)" })
        return [
            Check(
                name: "every acknowledged event is there: its id sent again → duplicate",
                expected: "\(f.eventProbes.count.grouped) duplicate", observed: present, passed: presentOK),
            Check(
                name: "every stream entry Redis acknowledged was applied (id sent again → duplicate)",
                expected: "\(acknowledgedStream.count.grouped) applied", observed: stream, passed: streamOK),
            Check(
                name: "repeated event ids change nothing (answered duplicate)",
                expected: "\(duplicates.count.grouped) duplicate",
                observed: dup + "; stream: \(streamRepeats.grouped) ids added twice, counted once in onHand",
                passed: dupOK),
            Check(
                name: "out-of-order seqs are refused (answered stale, HTTP and stream)",
                expected: "\(stale.count.grouped) stale", observed: staleText, passed: staleOK),
            Check(
                name: "every answered event batch counts its events as sent",
                expected: "\(batches.count.grouped) batches", observed: answers, passed: answersOK),
            Check(
                name: "the stream drained: every entry read and XACKed",
                expected: "drained",
                observed: f.drained ? String(format2(f.drainSeconds)) + " s after the load" : "not drained",
                passed: f.drained),
        ]
    }

    private static func push(_ f: Findings) -> [Check] {
        guard let c = f.convergence else { return [] }
        return [
            Check(
                name: "the channel converged: receiver's latest = GET /v1/availability?channel=",
                expected: "\(f.catalogue.skus.count) skus within \(f.convergeLimit) s",
                observed: c.converged
                    ? "\(f.catalogue.skus.count) equal after \(format2(c.seconds)) s"
                    : "\(c.differences.count) differ: " + c.differences.prefix(3).joined(separator: "; "),
                passed: c.converged),
            Check(
                name: "every webhook delivery is signed with the channel's secret",
                expected: "0 bad",
                observed: "\(c.receiver.badSignatures) bad of \(c.receiver.requests.grouped)",
                passed: c.receiver.badSignatures == 0 && c.receiver.requests > 0),
        ]
    }

    private static func hygiene(_ f: Findings) -> [Check] {
        let unexpected = f.ledger.holds.compactMap {
            if case .unexpected(let t) = $0.outcome { t } else { nil }
        }
        let unsettled =
            f.ledger.holds.filter { $0.resentAnswer == "no answer" }.count
            + f.ledger.events.filter { $0.fate == .unknown }.count
        return [
            Check(
                name: "no unexpected answers to holds (only 201, 409 insufficient_stock, 503)",
                expected: "0", observed: "\(unexpected.count)" + (unexpected.first.map { ": \($0)" } ?? ""),
                passed: unexpected.isEmpty),
            Check(
                name: "every uncertain request was settled by its re-send",
                expected: "0 left", observed: "\(unsettled) left", passed: unsettled == 0),
            Check(
                name: "load threads stopped on time", expected: "yes",
                observed: f.stuckThreads ? "no" : "yes",
                passed: !f.stuckThreads),
        ]
    }
}

/// `x` with two decimals.
func format2(_ x: Double) -> String {
    let hundredths = Int((x * 100).rounded())
    let fraction = String(hundredths % 100)
    return "\(hundredths / 100).\(fraction.count == 1 ? "0" + fraction : fraction)"
}
