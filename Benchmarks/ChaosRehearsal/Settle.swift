import ATPHTTP
import ATPLoad
import ATPPosix
import ATPUtilities

/// After the load, with atpd and Redis up: every request whose effect is not known (unanswered,
/// 503, or answered unexpectedly) is sent again with the same `Idempotency-Key` or event id,
/// as a client following `Retry-After` would, so that the totals become exact. Events are
/// re-sent one per request, in their original order, so each answer tells that event's fate.
///
/// Thread-safety: one thread. Complexity: O(uncertain requests) round trips.
struct Settler {
    let link: AtpdLink
    /// How often a re-send answered 503 or not at all is tried again (1 s apart).
    let attempts = 3

    /// Sends `request` until it is answered with something other than 503.
    private func answer(_ request: HTTPClientRequest) -> HTTPClientResponse? {
        for attempt in 0..<attempts {
            if attempt > 0 { MonotonicClock.sleep(nanoseconds: 1_000_000_000) }
            if case .answered(let response) = link.send(request), response.status != 503 { return response }
        }
        return nil
    }

    /// Re-sends the uncertain holds; each ends held (with its id) or not.
    func settleHolds(_ holds: inout [HoldRecord]) {
        for i in holds.indices where holds[i].outcome != .acknowledged && holds[i].outcome != .refused {
            let request = link.request(
                .post, "/v1/reservations", body: holds[i].body, headers: [("Idempotency-Key", holds[i].key)])
            guard let response = answer(request) else {
                holds[i].resentAnswer = "no answer"
                continue
            }
            let replayed = response.header("Idempotent-Replayed") == "true"
            let code = AtpdLink.code(response)
            holds[i].resentAnswer =
                "\(response.status)\(replayed ? " replayed" : "")\(code.isEmpty ? "" : " " + code)"
            if response.status == 201 { holds[i].id = AtpdLink.json(response)?["id"]?.string }
        }
    }

    /// Re-sends every event whose fate is unknown, one per request, in order: pipelined (atpd
    /// applies a connection's requests in order), then one by one for any answered 503 or not
    /// at all.
    func settleEvents(_ events: inout [EventRecord]) {
        let unknown = events.indices.filter { events[$0].fate == .unknown }
        let answers = Prober(link: link).eventAnswers(unknown.map { events[$0] })
        for (i, answer) in zip(unknown, answers) {
            guard ["applied", "duplicate", "stale", "rejected"].contains(answer) else {
                events[i] = resend(events[i])
                continue
            }
            events[i].resentAnswer = answer
            Self.judge(&events[i], answer: answer)
        }
    }

    /// Sends one event alone and reads its fate from the answer.
    func resend(_ event: EventRecord) -> EventRecord {
        var event = event
        let request = link.request(.post, "/v1/events", body: #"{"events":[\#(event.json)]}"#)
        guard let response = answer(request) else {
            event.resentAnswer = "no answer"
            return event
        }
        let answer = Prober.outcome(response)
        event.resentAnswer = answer
        Self.judge(&event, answer: answer)
        return event
    }

    /// Sets an event's fate and whether it was answered as designed, from the answer to a
    /// re-send. `duplicate` means atpd applied the id earlier; `stale` that it never applied it.
    static func judge(_ event: inout EventRecord, answer: String) {
        switch (event.intent, answer) {
        case (.new, "applied"), (.new, "duplicate"):
            event.fate = .applied
            event.asDesigned = true
        case (.new, "stale"):  // a higher seq of its source got there first
            event.fate = .notApplied
            event.asDesigned = true
        case (.duplicate, "duplicate"), (.stale, "stale"):
            event.fate = .notApplied
            event.asDesigned = true
        case (.duplicate, "applied"), (.stale, "applied"), (.stale, "duplicate"):
            event.fate = .applied
            event.asDesigned = false
        default:
            event.fate = .notApplied
            event.asDesigned = false
        }
    }
}
