import ATPHTTP
import ATPTestSupport
import Foundation
import Testing

/// What a load recorded, and the checks that atpd's state keeps every acknowledged mutation and
/// holds nothing that was never possibly acknowledged.
///
/// A mutation is *acknowledged* (201 hold, 200 batch with every event applied), *uncertain* (sent
/// but never answered because atpd was killed: it may or may not take effect, as a whole), or
/// answered 503 `store_unavailable` — which must have changed nothing, whenever and however the
/// store failed (issue 22: a failure answer means no trace of the change, in memory, in the store,
/// after a restart).
///
/// Not the chaos rehearsal's `Ledger` (Benchmarks/ChaosRehearsal): that one judges a long run
/// with stream events, duplicate and stale intents, and counts a 503 as uncertain; this one
/// checks a short HTTP load against one fault, where a 503 must have changed nothing. The two answer different questions, so they are kept apart.
/// Thread-safety: a value type, built once the load's threads have stopped.
struct LoadLedger {
    let cells: [CellKey]
    /// On-hand of every cell before the load.
    let initial: [CellKey: Int]
    var holds: [HoldAttempt]
    var batches: [EventAttempt]

    init(cells: [CellKey], initial: [CellKey: Int], run: LoadRun) {
        self.cells = cells
        self.initial = initial
        holds = run.holdAttempts
        batches = run.eventAttempts
    }

    var acknowledgedHolds: [HoldAttempt] { holds.filter { $0.outcome.isAcknowledged } }
    var uncertainHolds: [HoldAttempt] { holds.filter { $0.outcome.isUncertain } }
    var acknowledgedBatches: [EventAttempt] { batches.filter { $0.outcome.isAcknowledged } }
    var uncertainBatches: [EventAttempt] { batches.filter { $0.outcome.isUncertain } }
    var unexpected: [String] {
        (holds.map(\.outcome) + batches.map(\.outcome)).compactMap {
            if case .unexpected(let text) = $0 { text } else { nil }
        }
    }

    var summary: String {
        func count(_ outcomes: [LoadOutcome], _ test: (LoadOutcome) -> Bool) -> Int {
            outcomes.filter(test).count
        }
        let h = holds.map(\.outcome)
        let b = batches.map(\.outcome)
        return
            "holds \(count(h) { $0.isAcknowledged }) acknowledged / \(count(h) { $0 == .unanswered }) unanswered / "
            + "\(count(h) { $0.isUnavailable }) 503; "
            + "event batches \(count(b) { $0.isAcknowledged }) acknowledged "
            + "(\(acknowledgedBatches.reduce(0) { $0 + $1.events.count }) events) / \(count(b) { $0 == .unanswered }) "
            + "unanswered / \(count(b) { $0.isUnavailable }) 503; "
            + "unexpected \(unexpected.count)"
    }

    /// The hold body sent for `key` on `cell` (retries must send the very same bytes).
    static func holdBody(_ cell: CellKey, key: String) -> String {
        #"{"lines":[{"sku":"\#(cell.sku)","location":"\#(cell.location)","qty":1}],"ttlSeconds":3600,"reference":"\#(key)"}"#
    }

    private func holdCount(_ list: [HoldAttempt]) -> [CellKey: Int] {
        list.reduce(into: [:]) { $0[$1.cell, default: 0] += 1 }
    }

    private static func deltas(_ batch: EventAttempt) -> [CellKey: Int] {
        batch.events.reduce(into: [:]) { $0[$1.cell, default: 0] += $1.delta }
    }

    /// Reads every cell through `GET /v1/stock/{sku}`.
    func figures(_ client: AtpdClient) throws -> [CellKey: CellFigures] {
        var out: [CellKey: CellFigures] = [:]
        for sku in Set(cells.map(\.sku)) {
            for (location, figures) in try client.stock(sku) {
                out[CellKey(sku: sku, location: location)] = figures
            }
        }
        return out
    }

    /// Checks the state atpd shows now (read-only: acknowledged event ids are re-sent, and are
    /// duplicates that change nothing):
    /// - every acknowledged hold exists and is held;
    /// - per cell, acknowledged holds ≤ reserved ≤ acknowledged + uncertain holds;
    /// - per cell, onHand = initial + acknowledged deltas + the deltas of some subset of the
    ///   uncertain batches (the same subset for every cell: a batch is durable whole or not);
    /// - available = max(0, onHand − reserved − safetyStock) ≥ 0;
    /// - every acknowledged event id is a `duplicate` when sent again.
    func verify(_ client: AtpdClient, _ label: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        for hold in acknowledgedHolds {
            let id = hold.outcome.holdID ?? "?"
            let status = try client.reservationStatus(id)
            #expect(
                status == "held", "\(label): acknowledged hold \(id) (\(hold.key)) is \(status ?? "missing")",
                sourceLocation: sourceLocation)
        }
        let seen = try figures(client)
        let acknowledged = holdCount(acknowledgedHolds)
        let uncertain = holdCount(uncertainHolds)
        var base = initial
        for batch in acknowledgedBatches {
            for (cell, delta) in Self.deltas(batch) { base[cell, default: 0] += delta }
        }
        for cell in cells {
            guard let figures = seen[cell] else {
                Issue.record("\(label): cell \(cell) is missing", sourceLocation: sourceLocation)
                continue
            }
            let low = acknowledged[cell] ?? 0
            let high = low + (uncertain[cell] ?? 0)
            #expect(
                (low...high).contains(figures.reserved),
                "\(label): \(cell) reserved \(figures.reserved), acknowledged holds \(low), possible \(high)",
                sourceLocation: sourceLocation)
            #expect(
                figures.available >= 0
                    && figures.available == max(0, figures.onHand - figures.reserved - figures.safetyStock),
                "\(label): \(cell) \(figures)", sourceLocation: sourceLocation)
        }
        let pending = uncertainBatches.map(Self.deltas)
        let explained = Self.subsetExplains(pending, cells: cells) { cell in
            (seen[cell]?.onHand ?? .min) - (base[cell] ?? 0)
        }
        let shown = cells.map { "\($0) seen \(seen[$0]?.onHand ?? -1) base \(base[$0] ?? 0)" }.joined(
            separator: ", ")
        #expect(
            explained,
            "\(label): onHand is not initial + acknowledged deltas + some uncertain batches: \(shown); uncertain \(pending)",
            sourceLocation: sourceLocation)
        let ids = acknowledgedBatches.flatMap(\.events)
        for chunk in stride(from: 0, to: ids.count, by: 2_000) {
            let events = ids[chunk..<min(ids.count, chunk + 2_000)]
            let counts = try client.events(events.map(\.json))
            #expect(
                counts == EventCounts(duplicate: events.count),
                "\(label): acknowledged events sent again: \(counts) of \(events.count)",
                sourceLocation: sourceLocation)
        }
    }

    /// Whether the unexplained difference of every cell is the sum of one subset of `batches`.
    private static func subsetExplains(
        _ batches: [[CellKey: Int]], cells: [CellKey], difference: (CellKey) -> Int
    ) -> Bool {
        guard batches.count <= 16 else {  // too many to enumerate: bounds only
            return cells.allSatisfy { cell in
                let values = batches.map { $0[cell] ?? 0 }
                return (values.filter { $0 < 0 }.reduce(0, +)...values.filter { $0 > 0 }.reduce(0, +))
                    .contains(difference(cell))
            }
        }
        return (0..<(1 << batches.count)).contains { mask in
            cells.allSatisfy { cell in
                let sum = batches.indices.filter { mask & (1 << $0) != 0 }.reduce(0) {
                    $0 + (batches[$1][cell] ?? 0)
                }
                return sum == difference(cell)
            }
        }
    }

    /// Sends every uncertain mutation again with the same event ids and `Idempotency-Key`s, as a
    /// client that never heard back would: each batch must come back all applied or all
    /// duplicate, each hold 201 (new, or replayed with the id it got). The 503'd ones are sent
    /// again too (as `Retry-After` asks), and must come back applied / new: the failed attempt
    /// left nothing, not even its key. Then the totals are exact: reserved = every hold,
    /// onHand = initial + every delta. Mutates; call last.
    mutating func settle(
        _ client: AtpdClient, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
    )
        throws
    {
        for i in batches.indices where batches[i].outcome.isUncertain || batches[i].outcome.isUnavailable {
            let (events, before) = (batches[i].events, batches[i].outcome)
            let fresh = before.isUnavailable
            let counts = try client.events(events.map(\.json))
            let whole =
                counts == EventCounts(applied: events.count)
                || (!fresh && counts == EventCounts(duplicate: events.count))
            #expect(
                whole, "\(label): batch \(events.map(\.id)) answered \(before) before, sent again: \(counts)",
                sourceLocation: sourceLocation)
            batches[i].outcome = .acknowledged(id: nil)
        }
        for i in holds.indices where holds[i].outcome.isUncertain || holds[i].outcome.isUnavailable {
            let hold = holds[i]
            let fresh = hold.outcome.isUnavailable
            let response = try client.send(
                "POST", "/v1/reservations", body: Self.holdBody(hold.cell, key: hold.key),
                headers: [("Idempotency-Key", hold.key)])
            let replayed = response.header("Idempotent-Replayed") == "true"
            let id = (try? response.json())?["id"] as? String
            #expect(
                response.status == 201 && id != nil && !(fresh && replayed),
                "\(label): hold \(hold.key) answered \(hold.outcome) before, sent again: \(response.status) replayed \(replayed) \(response.text)",
                sourceLocation: sourceLocation)
            holds[i].outcome = .acknowledged(id: id)
        }
        let seen = try figures(client)
        var expected = initial
        for batch in acknowledgedBatches {
            for (cell, delta) in Self.deltas(batch) { expected[cell, default: 0] += delta }
        }
        let held = holdCount(acknowledgedHolds)
        for cell in cells {
            let shown = seen[cell].map(\.description) ?? "missing"
            #expect(
                seen[cell]?.onHand == expected[cell] && seen[cell]?.reserved == held[cell] ?? 0,
                "\(label): after the retries \(cell) is \(shown), expected onHand \(expected[cell] ?? 0) reserved \(held[cell] ?? 0)",
                sourceLocation: sourceLocation)
        }
        try verify(client, label + " (settled)", sourceLocation: sourceLocation)
    }
}
