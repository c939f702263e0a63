import ATPHTTP

/// Read-back after the load: event ids sent again one per request (pipelined, 200 at a time)
/// to learn whether atpd has them, and reservations read by id.
///
/// Thread-safety: one thread. Complexity: O(items / 200) round trips.
struct Prober {
    let link: AtpdLink
    let chunk = 200

    /// Pipelines `requests` in chunks; nil for each response that did not come back.
    private func answers(_ requests: [HTTPClientRequest]) -> [HTTPClientResponse?] {
        var out: [HTTPClientResponse?] = []
        for start in stride(from: 0, to: requests.count, by: chunk) {
            let slice = Array(requests[start..<min(requests.count, start + chunk)])
            if case .answered(let responses) = link.exchange(slice) {
                out += responses.map { Optional($0) }
            } else {
                out += slice.map { _ in nil }
            }
        }
        return out
    }

    /// atpd's answer to each event sent alone: "applied", "duplicate", "stale", "rejected", or
    /// the HTTP status / "no answer".
    func eventAnswers(_ events: [EventRecord]) -> [String] {
        let requests = events.map { link.request(.post, "/v1/events", body: #"{"events":[\#($0.json)]}"#) }
        return answers(requests).map { $0.map(Self.outcome) ?? "no answer" }
    }

    /// What atpd did with the one event of a `POST /v1/events`: "applied", "duplicate",
    /// "stale", "rejected", or "HTTP <status>".
    static func outcome(_ response: HTTPClientResponse) -> String {
        guard response.status == 200 else { return "HTTP \(response.status)" }
        let counts = HTTPWorker.counts(response)
        return counts[0] == 1
            ? "applied" : counts[1] == 1 ? "duplicate" : counts[2] == 1 ? "stale" : "rejected"
    }

    /// The status of each reservation (`held`, ...), or "missing" (404) / "no answer".
    func reservationStatuses(_ ids: [String]) -> [String] {
        answers(ids.map { link.request(.get, "/v1/reservations/\($0)") }).map { response in
            guard let response else { return "no answer" }
            if response.status == 404 { return "missing" }
            return AtpdLink.json(response)?["status"]?.string ?? "HTTP \(response.status)"
        }
    }
}
