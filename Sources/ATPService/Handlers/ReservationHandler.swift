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
                Self.write(.success(created), into: &response)
            } catch {
                Self.write(.failure(.refused(error)), into: &response)
            }
            return
        }
        let outcome = change.record { change in
            engine.createReservation(
                decoding: { Result { () throws(APIError) in try ReservationRequest(body: request.body) } },
                idempotency: claim,
                answer: { result in
                    Self.write(result, into: &response)
                    return StoredOutcome(status: response.status, body: response.body)
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

    /// The answer to a create, first time or not: 201 and the reservation, or the problem.
    private static func write(
        _ result: Result<Reservation, CreateRefusal<APIError>>, into response: inout HTTPResponse
    ) {
        switch result {
        case .success(let reservation):
            response.status = 201
            reservation.appendJSON(to: &response.body)
        case .failure(.malformed(let problem)):
            problem.write(into: &response)
        case .failure(.refused(.invalid(let refusal))):
            APIError(refusal).write(into: &response)
        case .failure(.refused(.insufficient(let short))):
            var problem = APIError(
                .insufficientStock, "not enough available for every line; nothing was held")
            problem.lines = short
            problem.write(into: &response)
        }
    }

    /// A remembered answer, as it was first given.
    private static func write(_ stored: StoredOutcome, into response: inout HTTPResponse) {
        response.status = stored.status
        response.contentType = stored.status < 300 ? .json : .problemJSON
        response.body.append(contentsOf: stored.body)
    }
}
