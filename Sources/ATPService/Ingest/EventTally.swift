import ATPEngine

/// One stock event refused: where it stood in what was submitted, its id when known, and why.
///
/// Thread-safety: a value type.
struct EventRejection {
    /// Its position in the request's `events` array, or in the batch of stream entries.
    var index: Int
    var id: String?
    /// Why: `invalidEvent` for a broken rule or shape, else the engine's refusal as it was.
    var kind: EngineError.Kind
    var detail: String

    /// The code of API.md's `rejected` entries and of a dead letter's `dead-code`.
    var code: String { kind.rawValue }

    /// An event the engine refused, or a stream entry that is not one (`RedisStreamEntry`): a
    /// broken rule is `invalid_event`; any other refusal keeps its kind.
    init(index: Int, id: String?, refusal: EngineError) {
        self.index = index
        self.id = id
        kind = refusal.kind == .invalidRequest ? .invalidEvent : refusal.kind
        detail = refusal.detail
    }

    /// An event refused while decoding the request body: `quantity_out_of_range` when its amount
    /// is, else `invalid_event`.
    init(index: Int, id: String?, decoding problem: APIError) {
        self.index = index
        self.id = id
        kind = problem.problem == .quantityOutOfRange ? .quantityOutOfRange : .invalidEvent
        detail = problem.detail
    }
}

/// How a batch of stock events turned out, whichever way it came in (`POST /v1/events` or the
/// Redis stream): the one place where an event's applied, duplicate, stale or rejected outcome is
/// told apart and counted.
///
/// Thread-safety: a value type. Complexity: O(events + r log r) for r rejections.
struct EventTally {
    private(set) var applied = 0
    private(set) var duplicate = 0
    private(set) var stale = 0
    /// Every refused event, those refused before the engine included, in submission order.
    private(set) var rejected: [EventRejection]

    /// - Parameters:
    ///   - outcomes: the engine's answer for each of `events`.
    ///   - positions: for each of `events`, its index in the submission.
    ///   - refusedBefore: the events refused before reaching the engine (malformed).
    init(
        _ outcomes: [EventOutcome], of events: [StockEvent], at positions: [Int],
        refusedBefore: [EventRejection]
    ) {
        rejected = refusedBefore
        for (k, outcome) in outcomes.enumerated() {
            switch outcome {
            case .applied: applied += 1
            case .duplicate: duplicate += 1
            case .stale: stale += 1
            case .rejected(let refusal):
                rejected.append(EventRejection(index: positions[k], id: events[k].id, refusal: refusal))
            }
        }
        rejected.sort { $0.index < $1.index }
    }
}
