/// What a finished create answered, kept so a retry with the same key gets the same answer: the
/// facts the answer was rendered from, not the rendered bytes.
///
/// The service renders the first answer from this value too, so a replay gives the same bytes
/// whatever became of the reservation since (confirmed, expired, purged). A created reservation's
/// lines array is the one the engine holds (shared, not copied) until the reservation is purged.
/// Thread-safety: a value type.
public enum StoredOutcome: Hashable, Sendable {
    /// 201: the reservation as it was created.
    case created(Reservation)
    /// The engine refused the request: the rule it broke (`Engine.CreateFailure.invalid`).
    case invalid(EngineError)
    /// Not every line could be held: the short lines, with what was available then.
    case insufficient([InsufficientLine])
    /// The body was not a request: the problem it was answered with.
    case malformed(StoredProblem)
    /// A response body kept whole, as records before journal format 3 kept every answer.
    case body(status: Int, body: [UInt8])

    /// An answer kept whole (records before journal format 3).
    public init(status: Int, body: [UInt8]) { self = .body(status: status, body: body) }

    /// The outcome of a refusal by the engine.
    public init(_ failure: Engine.CreateFailure) {
        switch failure {
        case .invalid(let error): self = .invalid(error)
        case .insufficient(let lines): self = .insufficient(lines)
        }
    }
}

/// A problem answer without members beyond `status`, `code` and `detail` (a body that did not
/// decode); the service renders `title` and `type` from the status.
///
/// Thread-safety: a value type.
public struct StoredProblem: Hashable, Sendable {
    public var status: Int
    /// The stable problem code, e.g. `invalid_json`.
    public var code: String
    public var detail: String

    public init(status: Int, code: String, detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }
}
