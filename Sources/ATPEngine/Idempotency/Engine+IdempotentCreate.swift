/// The idempotency key a create request carries: whose it is, the key, and what the request was.
///
/// Thread-safety: a value type.
public struct IdempotencyClaim: Sendable {
    /// The client the key belongs to (keys of different clients never meet).
    public var scope: String
    /// The `Idempotency-Key` as sent.
    public var key: String
    /// A digest of everything that makes the request what it is (path and body).
    public var fingerprint: Digest128

    public init(scope: String, key: String, fingerprint: Digest128) {
        self.scope = scope
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// Why an idempotent create was refused with an answer that is final for its request, so that a
/// retry with the same key is given the same answer.
///
/// Thread-safety: a value type.
public enum CreateRefusal<Malformed: Error>: Error {
    /// The body could not be read as a request (the caller's own decoding error).
    case malformed(Malformed)
    /// The engine refused the request: it breaks a rule, or not every line could be held.
    case refused(Engine.CreateFailure)
}

/// What `Engine.createReservation(_:idempotency:answer:into:)` did.
///
/// Thread-safety: a value type.
public enum IdempotentCreateOutcome<Malformed: Error> {
    /// First use of the key: every line was held; the answer is remembered with the change.
    case created(Reservation)
    /// First use of the key: refused for good; the answer is remembered with the change.
    case refused(CreateRefusal<Malformed>)
    /// The key was used before with the same request: answer this again.
    case replayed(StoredOutcome)
    /// The key was used before with another request (`idempotency_key_reuse`).
    case keyReused
    /// The first request with this key is still being processed (`idempotency_in_progress`).
    case inProgress
}

/// Creating a reservation under an idempotency key: the engine decides what is remembered.
extension Engine {
    /// Creates a reservation at most once per key, or answers as the first request was answered.
    ///
    /// On first use of the key the request is created (or refused) and `answer` turns the result
    /// into the outcome a retry will be answered from (and answers it); the key and that outcome
    /// are recorded in `change` with the hold, so a change the store refuses is rolled back
    /// together: the hold released, the key forgotten, and a retry proceeds anew. What is final is
    /// the typed failure: a body that does not decode, a broken rule, insufficient stock.
    /// - Parameters:
    ///   - decode: decodes the request, or says why the body is not one; called only on first use
    ///     of the key, so a retry is answered without reading its body.
    ///   - answer: the outcome to keep for the result; called once, only on first use of the key.
    /// - Complexity: O(lines); locks one idempotency shard twice (begin, complete).
    /// - Thread-safety: from any thread.
    public func createReservation<Malformed: Error>(
        decoding decode: () -> Result<ReservationRequest, Malformed>, idempotency claim: IdempotencyClaim,
        answer: (Result<Reservation, CreateRefusal<Malformed>>) -> StoredOutcome,
        into change: inout EngineChange
    ) -> IdempotentCreateOutcome<Malformed> {
        let now = clock.now()
        switch idempotency.begin(scope: claim.scope, key: claim.key, fingerprint: claim.fingerprint, now: now)
        {
        case .replay(let stored): return .replayed(stored)
        case .mismatch: return .keyReused
        case .inProgress: return .inProgress
        case .proceed: break
        }
        let result: Result<Reservation, CreateRefusal<Malformed>>
        switch decode() {
        case .failure(let malformed):
            result = .failure(.malformed(malformed))
        case .success(let request):
            do throws(CreateFailure) {
                result = .success(try createReservation(request, into: &change))
            } catch {
                result = .failure(.refused(error))
            }
        }
        idempotency.complete(
            scope: claim.scope, key: claim.key, fingerprint: claim.fingerprint, outcome: answer(result),
            now: now,
            into: &change)
        switch result {
        case .success(let reservation): return .created(reservation)
        case .failure(let refusal): return .refused(refusal)
        }
    }
}
