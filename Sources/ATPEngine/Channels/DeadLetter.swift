import ATPUtilities

/// One sku's availability as pushed to a channel.
/// Thread-safety: a value type.
public struct PushedUpdate: Hashable, Sendable {
    public var sku: String
    public var available: Int64
    /// When the availability took this value.
    public var at: Timestamp

    public init(sku: String, available: Int64, at: Timestamp) {
        self.sku = sku
        self.available = available
        self.at = at
    }
}

/// A webhook delivery that failed `maxAttempts` times, kept until replayed.
/// Thread-safety: a value type.
public struct DeadLetter: Hashable, Sendable {
    public var channel: String
    /// The `webhook-id` the delivery was sent with.
    public var webhookID: String
    public var updates: [PushedUpdate]
    public var attempts: Int
    /// Why the last attempt failed, for humans.
    public var lastError: String
    public var failedAt: Timestamp

    public init(
        channel: String, webhookID: String, updates: [PushedUpdate], attempts: Int, lastError: String,
        failedAt: Timestamp
    ) {
        self.channel = channel
        self.webhookID = webhookID
        self.updates = updates
        self.attempts = attempts
        self.lastError = lastError
        self.failedAt = failedAt
    }
}

/// The dead letters of every channel, oldest first per channel.
///
/// Thread-safety: every method from any thread (one mutex; dead letters change at failure speed).
final class DeadLetterBook: Sendable {
    private let byChannel = Locked<[String: [DeadLetter]]>([:])

    /// Adds `letter` unless one with its webhook id is already kept (replay is idempotent).
    /// - Complexity: O(dead letters of the channel).
    func add(_ letter: DeadLetter) {
        byChannel.withLock { book in
            var list = book[letter.channel, default: []]
            guard !list.contains(where: { $0.webhookID == letter.webhookID }) else { return }
            list.append(letter)
            book[letter.channel] = list
        }
    }

    /// Removes the dead letters of `channel` whose ids are in `ids`.
    func remove(channel: String, ids: Set<String>) {
        byChannel.withLock { book in
            let kept = (book[channel] ?? []).filter { !ids.contains($0.webhookID) }
            book[channel] = kept.isEmpty ? nil : kept
        }
    }

    func removeAll(channel: String) { byChannel.withLock { $0[channel] = nil } }

    func list(channel: String) -> [DeadLetter] { byChannel.withLock { $0[channel] ?? [] } }

    func count(channel: String) -> Int { byChannel.withLock { $0[channel]?.count ?? 0 } }

    /// Every dead letter, by channel name then age.
    var all: [DeadLetter] {
        byChannel.withLock { book in book.keys.sorted().flatMap { book[$0]! } }
    }
}

/// Dead letters of channel push: kept in the engine so that they are journaled, snapshotted and
/// recovered like every other fact.
extension Engine {
    /// Keeps `letter`.
    /// - Returns: the journal record.
    public func addDeadLetter(_ letter: DeadLetter) -> JournalRecord {
        var change = EngineChange()
        addDeadLetter(letter, into: &change)
        return change.records[0]
    }

    /// `addDeadLetter`, appending its record to `change` (undone by removing the letter).
    public func addDeadLetter(_ letter: DeadLetter, into change: inout EngineChange) {
        deadLetters.add(letter)
        change.append(.deadLetter(letter))
    }

    /// The dead letters of `channel`, oldest first.
    public func deadLetters(channel: String) -> [DeadLetter] { deadLetters.list(channel: channel) }

    /// How many dead letters `channel` has.
    public func deadLetterCount(channel: String) -> Int { deadLetters.count(channel: channel) }

    /// Removes and returns every dead letter of `channel`, with the journal record of the removal
    /// (nil when there were none).
    public func takeDeadLetters(channel: String) -> (letters: [DeadLetter], record: JournalRecord?) {
        var change = EngineChange()
        let letters = takeDeadLetters(channel: channel, into: &change)
        return (letters, change.records.first)
    }

    /// `takeDeadLetters`, appending its record to `change` (undone by putting the letters back).
    public func takeDeadLetters(channel: String, into change: inout EngineChange) -> [DeadLetter] {
        let letters = deadLetters.list(channel: channel)
        guard !letters.isEmpty else { return [] }
        let ids = letters.map(\.webhookID)
        deadLetters.remove(channel: channel, ids: Set(ids))
        change.append(
            .deadLettersRemoved(channel: channel, webhookIDs: ids), undo: .deadLettersRemoved(letters))
        return letters
    }
}
