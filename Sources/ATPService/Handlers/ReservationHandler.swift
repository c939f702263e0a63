import ATPEngine
import ATPHTTP
import ATPStore

/// Reservations: create (with `Idempotency-Key`), read, confirm, fulfill, release.
///
/// Thread-safety: a value holding only the thread-safe engine; called from every loop thread.
struct ReservationHandler: Sendable {
    let engine: Engine

    /// `POST /v1/reservations`: holds every line or none; with an `Idempotency-Key`, at most once
    /// (the engine decides what a retry is answered with).
    func create(
        _ request: HTTPRequest, key: APIKey?, _ response: inout HTTPResponse, _ change: inout Mutation
    )
        throws(APIError)
    {
        guard let claim = try Self.idempotencyClaim(request, key: key) else {
            let reservation = try ReservationRequest(body: request.body)
            do throws(Engine.CreateFailure) {
                let created = try change.record { (change) throws(Engine.CreateFailure) in
                    try engine.createReservation(reservation, into: &change)
                }
                Self.write(.created(created), into: &response)
            } catch {
                Self.write(StoredOutcome(error), into: &response)
            }
            return
        }
        let outcome = change.record { change in
            engine.createReservation(
                decoding: { Result { () throws(APIError) in try ReservationRequest(body: request.body) } },
                idempotency: claim,
                answer: { result in
                    let outcome = Self.outcome(result)
                    Self.write(outcome, into: &response)
                    return outcome
                }, into: &change)
        }
        switch outcome {
        case .created, .refused:
            break  // answered by `answer`
        case .replayed(let stored):
            Self.write(stored, into: &response)
            response.addHeader("Idempotent-Replayed", "true")
        case .keyReused:
            throw APIError(.idempotencyKeyReuse, "this Idempotency-Key was used with a different request")
        case .inProgress:
            throw APIError(
                .idempotencyInProgress, "a request with this Idempotency-Key is still being processed")
        }
    }

    /// `GET /v1/reservations/{id}`.
    func read(id: String, _ response: inout HTTPResponse) throws(APIError) {
        guard let parsed = ReservationID(id), let reservation = engine.reservation(parsed) else {
            throw APIError(.unknownReservation, "no reservation \(id)")
        }
        reservation.appendJSON(to: &response.body)
    }

    /// `POST /v1/reservations/{id}/confirm`, `/fulfill` and `/release`.
    func transition(
        id: String, _ transition: ReservationTransition, _ response: inout HTTPResponse,
        _ change: inout Mutation
    ) throws(APIError) {
        guard let parsed = ReservationID(id) else {
            throw APIError(.unknownReservation, "no reservation \(id)")
        }
        let outcome = change.record { engine.transition(parsed, transition, into: &$0) }
        switch outcome {
        case .changed(let reservation), .unchanged(let reservation):
            reservation.appendJSON(to: &response.body)
        case .invalidState(let reservation):
            var problem = APIError(.invalidState, "reservation \(id) is \(reservation.status)")
            problem.reservationStatus = reservation.status
            throw problem
        case .unknown:
            throw APIError(.unknownReservation, "no reservation \(id)")
        }
    }

    /// The key and digest of a create that carries an `Idempotency-Key` (1–255 printable ASCII);
    /// nil when it carries none.
    private static func idempotencyClaim(_ request: HTTPRequest, key: APIKey?) throws(APIError)
        -> IdempotencyClaim?
    {
        guard let bytes = request.header(at: APIHeader.idempotencyKey) else { return nil }
        guard (1...255).contains(bytes.count), bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw .invalidRequest("Idempotency-Key must be 1 to 255 printable ASCII characters")
        }
        var fingerprint = Array(request.path)
        fingerprint.append(0)
        fingerprint.append(contentsOf: request.body)
        return IdempotencyClaim(
            scope: key?.name ?? "", key: String(decoding: bytes, as: UTF8.self),
            fingerprint: fingerprint.withUnsafeBytes { Digest128($0) })
    }

    /// What a keyed create keeps to answer a retry with: the facts, not the bytes.
    /// - Complexity: O(1); copies no lines (the arrays are shared).
    private static func outcome(_ result: Result<Reservation, CreateRefusal<APIError>>) -> StoredOutcome {
        switch result {
        case .success(let reservation): .created(reservation)
        case .failure(.malformed(let problem)):
            // A body's problem has no members or headers beyond these (`ReservationRequest(body:)`).
            .malformed(StoredProblem(status: problem.status, code: problem.code, detail: problem.detail))
        case .failure(.refused(let failure)): StoredOutcome(failure)
        }
    }

    /// The answer to a create, first time or replayed (both are rendered from the outcome, so a
    /// replay answers the same bytes): 201 and the reservation as created, or the problem.
    /// - Complexity: O(lines); no Foundation.
    private static func write(_ outcome: StoredOutcome, into response: inout HTTPResponse) {
        switch outcome {
        case .created(let reservation):
            response.status = 201
            reservation.appendJSON(to: &response.body)
        case .invalid(let refusal):
            APIError(refusal).write(into: &response)
        case .insufficient(let short):
            var problem = APIError(
                .insufficientStock, "not enough available for every line; nothing was held")
            problem.lines = short
            problem.write(into: &response)
        case .malformed(let problem):
            response.setProblem(status: problem.status, code: problem.code, detail: problem.detail)
        case .body(let status, let body):
            response.status = status
            response.contentType = status < 300 ? .json : .problemJSON
            response.body.append(contentsOf: body)
        }
    }
}
