import ATPEngine
import ATPHTTP
import ATPStore

/// Reservations: create (with `Idempotency-Key`), read, confirm, fulfill, release.
extension APIResponder {
    func createReservation(
        _ request: HTTPRequest, key: APIKey?, _ response: inout HTTPResponse, _ change: inout Mutation
    ) throws(APIError) {
        guard let idempotencyKey = try Self.idempotencyKey(request) else {
            try holdStock(request.body, &response, &change)
            return
        }
        let scope = key?.name ?? ""
        var fingerprint = Array(request.path)
        fingerprint.append(0)
        fingerprint.append(contentsOf: request.body)
        let digest = fingerprint.withUnsafeBytes { Digest128($0) }
        let now = engine.clock.now()
        switch engine.idempotency.begin(scope: scope, key: idempotencyKey, fingerprint: digest, now: now) {
        case .replay(let outcome):
            response.status = outcome.status
            response.contentType = outcome.status < 300 ? .json : .problemJSON
            response.body.append(contentsOf: outcome.body)
            response.addHeader("Idempotent-Replayed", "true")
        case .mismatch:
            throw APIError(.idempotencyKeyReuse, "this Idempotency-Key was used with a different request")
        case .inProgress:
            throw APIError(
                .idempotencyInProgress, "a request with this Idempotency-Key is still being processed")
        case .proceed:
            do {
                try holdStock(request.body, &response, &change)
            } catch  where error.status == 409 || error.status == 400 {
                // Final answers for this body (a bad request, insufficient stock): remembered, as
                // the OpenAPI document says; anything else (503) is processed anew on a retry.
                error.write(into: &response)
            } catch {
                engine.idempotency.abandon(scope: scope, key: idempotencyKey)
                throw error
            }
            // Rolled back with the hold if the store refuses them: a retry then proceeds anew.
            let outcome = StoredOutcome(status: response.status, body: response.body)
            change.record {
                engine.idempotency.complete(
                    scope: scope, key: idempotencyKey, fingerprint: digest, outcome: outcome, now: now,
                    into: &$0)
            }
        }
    }

    /// The `Idempotency-Key` header (1–255 printable ASCII), nil when absent.
    private static func idempotencyKey(_ request: HTTPRequest) throws(APIError) -> String? {
        guard let bytes = request.header(at: APIHeader.idempotencyKey) else { return nil }
        guard (1...255).contains(bytes.count), bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw .invalidRequest("Idempotency-Key must be 1 to 255 printable ASCII characters")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func holdStock(
        _ body: UnsafeRawBufferPointer, _ response: inout HTTPResponse, _ change: inout Mutation
    ) throws(APIError) {
        let reservation = try ReservationRequest(body: body)
        do {
            let created = try change.record { (change) throws(Engine.CreateFailure) in
                try engine.createReservation(reservation, into: &change)
            }
            response.status = 201
            Self.appendReservation(created, to: &response.body)
        } catch {
            switch error {
            case .invalid(let refusal):
                throw APIError(refusal)
            case .insufficient(let short):
                var problem = APIError(
                    .insufficientStock, "not enough available for every line; nothing was held")
                problem.lines = short
                throw problem
            }
        }
    }

    func readReservation(id: String, _ response: inout HTTPResponse) throws(APIError) {
        guard let parsed = ReservationID(id), let reservation = engine.reservation(parsed) else {
            throw APIError(.unknownReservation, "no reservation \(id)")
        }
        Self.appendReservation(reservation, to: &response.body)
    }

    func transitionReservation(
        id: String, _ transition: ReservationTransition, _ response: inout HTTPResponse,
        _ change: inout Mutation
    ) throws(APIError) {
        guard let parsed = ReservationID(id) else {
            throw APIError(.unknownReservation, "no reservation \(id)")
        }
        let outcome = change.record { engine.transition(parsed, transition, into: &$0) }
        switch outcome {
        case .changed(let reservation), .unchanged(let reservation):
            Self.appendReservation(reservation, to: &response.body)
        case .invalidState(let reservation):
            var problem = APIError(.invalidState, "reservation \(id) is \(reservation.status)")
            problem.reservationStatus = reservation.status
            throw problem
        case .unknown:
            throw APIError(.unknownReservation, "no reservation \(id)")
        }
    }

    /// The reservation object of API.md.
    static func appendReservation(_ r: Reservation, to body: inout [UInt8]) {
        body.appendASCII(#"{"id":""#)
        body.append(contentsOf: r.id.description.utf8)
        body.appendASCII(#"","status":""#)
        body.append(contentsOf: r.status.description.utf8)
        body.appendASCII(#"","createdAt":""#)
        r.createdAt.appendRFC3339(to: &body)
        body.appendASCII(#"","updatedAt":""#)
        r.updatedAt.appendRFC3339(to: &body)
        body.appendASCII(#"","expiresAt":""#)
        r.expiresAt.appendRFC3339(to: &body)
        body.append(UInt8(ascii: "\""))
        if let reference = r.reference {
            body.appendASCII(#","reference":"#)
            body.appendJSONString(reference)
        }
        body.appendASCII(#","lines":["#)
        for (i, line) in r.lines.enumerated() {
            body.appendASCII(i == 0 ? #"{"sku":"# : #",{"sku":"#)
            body.appendJSONString(line.sku)
            body.appendASCII(#","location":"#)
            body.appendJSONString(line.location)
            body.appendASCII(#","qty":"#)
            body.appendDecimal(line.qty)
            body.append(UInt8(ascii: "}"))
        }
        body.appendASCII("]}")
    }
}
