import ATPLoad

/// What the webhook receiver's log says (see `WebhookReceiver` for the format).
///
/// The channel's current value of a sku, as the receiver knows it, is the update with the
/// latest `at` (the time of the change atpd reports), the last to arrive among equal ones: a
/// retry of an older delivery may arrive after a newer one and must not win.
/// Thread-safety: a value type. Complexity: O(log size) to read.
struct ReceiverLog {
    var requests = 0
    var delivered = 0
    var failedAnswers = 0
    /// Requests whose `webhook-id` had been seen before (retries that reached the receiver).
    var retries = 0
    var badSignatures = 0
    var updates = 0
    var latest: [String: (available: Int, at: String)] = [:]

    init(path: String) {
        guard let bytes = try? readFile(path) else { return }
        var seen: Set<Substring> = []
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 4 && f[0] == "req" {
                requests += 1
                if f[1].hasPrefix("2") { delivered += 1 } else { failedAnswers += 1 }
                if !seen.insert(f[2]).inserted { retries += 1 }
                if f[3] != "1" { badSignatures += 1 }
            } else if f.count == 5 && f[0] == "upd", let available = Int(f[3]) {
                updates += 1
                let at = String(f[4])
                if let known = latest[String(f[2])], known.at > at { continue }
                latest[String(f[2])] = (available, at)
            }
        }
    }
}
