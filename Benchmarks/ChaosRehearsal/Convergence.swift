import ATPLoad
import ATPPosix
import ATPUtilities

/// The end of channel push: dead letters are counted and replayed (what an operator does once
/// the endpoint is healthy again), then the rehearsal waits until what the receiver last got
/// for every sku equals the channel's availability in atpd.
///
/// Thread-safety: one thread. Complexity: O(receiver log) per poll, polls 4 times a second.
struct Convergence {
    let link: AtpdLink
    let skus: [String]
    let receiverLog: String

    struct Result {
        var deadLetters = 0
        var replayed = 0
        var converged = false
        var seconds = 0.0
        /// `sku: receiver X, atpd Y` for each sku that differs at the end.
        var differences: [String] = []
        var receiver: ReceiverLog
    }

    /// The channel's dead letters, replayed.
    private func replayDeadLetters(_ result: inout Result) {
        let base = "/v1/channels/\(Catalogue.channel)/dead-letters"
        if case .answered(let response) = link.send(.get, base) {
            result.deadLetters = AtpdLink.json(response)?["deadLetters"]?.array?.count ?? -1
        }
        guard result.deadLetters != 0 else { return }
        if case .answered(let response) = link.send(.post, base + "/replay") {
            result.replayed = Int(AtpdLink.json(response)?["replayed"]?.int64 ?? -1)
        }
    }

    /// The channel's availability of every sku in atpd, or nil.
    private func channelAvailability() -> [String: Int]? {
        let query = skus.map { "sku=\($0)" }.joined(separator: "&")
        guard
            case .answered(let response) = link.send(
                .get, "/v1/availability?channel=\(Catalogue.channel)&\(query)"),
            response.status == 200
        else { return nil }
        var out: [String: Int] = [:]
        for item in AtpdLink.json(response)?["items"]?.array ?? [] {
            guard let sku = item.object?["sku"]?.string, let available = item.object?["available"]?.int64
            else { continue }
            out[sku] = Int(available)
        }
        return out
    }

    /// Replays dead letters, then polls until converged or `seconds` passed.
    func wait(seconds: Int) -> Result {
        var result = Result(receiver: ReceiverLog(path: receiverLog))
        replayDeadLetters(&result)
        let start = MonotonicClock.now()
        let deadline = start + Int64(seconds) * 1_000_000_000
        repeat {
            result.receiver = ReceiverLog(path: receiverLog)
            if let atpd = channelAvailability() {
                // A sku the receiver never heard of counts as 0 there (nothing to announce yet).
                result.differences = skus.compactMap { sku in
                    let told = result.receiver.latest[sku]?.available ?? 0
                    return told == atpd[sku]
                        ? nil : "\(sku): receiver \(told), atpd \(atpd[sku].map(String.init) ?? "?")"
                }
                result.converged = result.differences.isEmpty
            }
            result.seconds = Double(MonotonicClock.now() - start) / 1e9
            if result.converged { break }
            MonotonicClock.sleep(nanoseconds: 250_000_000)
        } while MonotonicClock.now() < deadline
        return result
    }
}
