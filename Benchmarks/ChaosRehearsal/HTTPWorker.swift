import ATPHTTP
import ATPLoad
import ATPPosix
import ATPUtilities
import Glibc

/// One simulated client of atpd: in a closed loop on one connection it sends holds (one unit,
/// each with its own `Idempotency-Key`), batches of stock events (fresh ones mixed with repeats
/// and out-of-order ones), and repeats of acknowledged holds, recording every answer.
///
/// A request that could not be sent is not recorded (the worker backs off 50 ms); after a 503
/// it pauses 20 ms. It stops at the deadline or when `stop` is set.
/// Thread-safety: owned by its thread; `ledger` is read once the thread is joined.
/// Complexity: O(1) per request besides the request itself.
final class HTTPWorker {
    let index: Int
    let catalogue: Catalogue
    let link: AtpdLink
    let tag: String
    private(set) var ledger = Ledger()
    private var random: RandomSource
    private var planner: EventPlanner
    private var heldSoFar: [Int] = []
    private var count = 0

    init(index: Int, catalogue: Catalogue, link: AtpdLink, tag: String, seed: UInt64) {
        self.index = index
        self.catalogue = catalogue
        self.link = link
        self.tag = tag
        random = RandomSource(seed: seed)
        planner = EventPlanner(
            catalogue: catalogue, prefix: "e-\(tag)-w\(index)-", warehouse: "wms-\(index)",
            till: "pos-\(index)")
    }

    func run(until deadline: Int64, stop: StopFlag) {
        while MonotonicClock.now() < deadline && !stop.isSet {
            count += 1
            let roll = random.below(100)
            let pause: Int64
            if roll < 45 {
                pause = hold()
            } else if roll < 90 {
                pause = batch()
            } else {
                pause = replay()
            }
            if pause > 0 { MonotonicClock.sleep(nanoseconds: pause) }
        }
    }

    /// The pause after an answer: 50 ms when nothing could be sent, 20 ms after a 503.
    private func pause(after outcome: Outcome?) -> Int64 {
        guard let outcome else { return 50_000_000 }
        return outcome == .unavailable || outcome == .notReady ? 20_000_000 : 0
    }

    /// Sends `hold` with its key; the outcome and the response, or nil when nothing was sent.
    private func send(_ hold: HoldRecord) -> (outcome: Outcome, response: HTTPClientResponse?)? {
        let answer = link.send(
            .post, "/v1/reservations", body: hold.body, headers: [("Idempotency-Key", hold.key)])
        guard let outcome = Self.classify(answer, success: 201) else {
            ledger.notSent += 1
            return nil
        }
        if case .answered(let response) = answer { return (outcome, response) }
        return (outcome, nil)
    }

    private func hold() -> Int64 {
        let scarce = random.below(2) == 0
        let cells = scarce ? catalogue.scarceCells : catalogue.busyCells
        var record = HoldRecord(key: "h-\(tag)-w\(index)-\(count)", cell: cells[random.below(cells.count)])
        record.sentAt = Self.unixMilliseconds()
        guard let (outcome, response) = send(record) else { return pause(after: nil) }
        record.outcome = outcome
        if outcome == .acknowledged {
            record.id = response.flatMap { AtpdLink.json($0)?["id"]?.string }
            if record.id == nil { record.outcome = .unexpected("201 without an id") }
            heldSoFar.append(ledger.holds.count)
        }
        ledger.holds.append(record)
        return pause(after: outcome)
    }

    /// Sends an acknowledged hold again with its key: it must answer the same reservation.
    private func replay() -> Int64 {
        guard !heldSoFar.isEmpty else { return hold() }
        let original = ledger.holds[heldSoFar[random.below(heldSoFar.count)]]
        var record = ReplayRecord(key: original.key, expectedID: original.id ?? "")
        guard let (outcome, answer) = send(original) else { return pause(after: nil) }
        record.outcome = outcome
        if let response = answer, response.status != 503 {
            let id = AtpdLink.json(response)?["id"]?.string
            let replayed = response.header("Idempotent-Replayed") == "true"
            record.sameReservation = response.status == 201 && id == original.id && replayed
            record.detail =
                "\(response.status) id \(id ?? "none") replayed \(replayed), first answer \(record.expectedID)"
        }
        ledger.replays.append(record)
        return pause(after: outcome)
    }

    private func batch() -> Int64 {
        // Fresh events keep their order (their seqs increase); a repeat and an out-of-order
        // event go anywhere among them.
        // Mostly 1-3 events; 1 batch in 20 is a warehouse's bulk upload of 100-300 (no
        // replenishment, so scarce cells still sell out): atpd applies them all before their
        // records reach the writer, so other batches written meanwhile carry some of their
        // effects (the window a crash must not turn into a double count).
        let bulk = random.below(20) == 0
        let size = bulk ? random.int(in: 100...300) : random.int(in: 1...3)
        var events = (0..<size).map { _ in planner.fresh(&random, replenish: !bulk) }
        if random.below(100) < 35, let repeated = planner.duplicate(&random) {
            events.insert(repeated, at: random.below(events.count + 1))
        }
        if random.below(100) < 30, let late = planner.outOfOrder(&random) {
            events.insert(late, at: random.below(events.count + 1))
        }
        let body = #"{"events":["# + events.map(\.json).joined(separator: ",") + "]}"
        let sentAt = Self.unixMilliseconds()
        let answer = link.send(.post, "/v1/events", body: body)
        guard let outcome = Self.classify(answer, success: 200) else {
            ledger.notSent += 1
            return pause(after: nil)
        }
        var batch = BatchRecord(events: Array(ledger.events.count..<(ledger.events.count + events.count)))
        batch.outcome = outcome
        if outcome == .acknowledged, case .answered(let response) = answer {
            if Self.counts(response) == Self.expected(events) {
                for i in events.indices {
                    events[i].fate = events[i].intent == .new ? .applied : .notApplied
                    events[i].asDesigned = true
                    planner.acknowledged(events[i])
                    planner.durable(events[i])
                }
            } else {
                // Settled one by one later, as if unanswered; the mismatch itself is a failure.
                batch.outcome = .unexpected(
                    "events answered \(Self.counts(response)), expected \(Self.expected(events))")
            }
        }
        for i in events.indices {
            events[i].firstOutcome = batch.outcome
            events[i].sentAt = sentAt
        }
        ledger.events += events
        ledger.batches.append(batch)
        return pause(after: outcome)
    }

    /// (applied, duplicate, stale, rejected) of a `POST /v1/events` answer.
    static func counts(_ response: HTTPClientResponse) -> [Int] {
        let object = AtpdLink.json(response)
        return [
            Int(object?["applied"]?.int64 ?? -1), Int(object?["duplicate"]?.int64 ?? -1),
            Int(object?["stale"]?.int64 ?? -1), object?["rejected"]?.array?.count ?? -1,
        ]
    }

    private static func expected(_ events: [EventRecord]) -> [Int] {
        [
            events.filter { $0.intent == .new }.count, events.filter { $0.intent == .duplicate }.count,
            events.filter { $0.intent == .stale }.count, 0,
        ]
    }

    static func unixMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// The outcome of an answer; nil when nothing was sent.
    static func classify(_ answer: AtpdLink.Answer, success: Int) -> Outcome? {
        switch answer {
        case .notSent: return nil
        case .unanswered: return .unanswered
        case .answered(let response):
            if response.status == success { return .acknowledged }
            if response.status == 503 {
                return AtpdLink.code(response) == "not_ready" ? .notReady : .unavailable
            }
            if response.status == 409 && AtpdLink.code(response) == "insufficient_stock" { return .refused }
            return .unexpected(
                "\(response.status) \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
    }
}
