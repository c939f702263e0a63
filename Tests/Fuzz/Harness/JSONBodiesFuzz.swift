import ATPEngine
import ATPJSON
import ATPService

/// Fuzz target: the JSON parser and the service's decoding of `POST /v1/events` and
/// `POST /v1/reservations` bodies (the very functions the handlers call).
///
/// Input: the body bytes; each input goes through all three.
/// Invariants: a parsed document serialises to JSON that parses to the same value and serialises
/// to the same bytes; a refusal points within the input. A decoded event batch accounts for every
/// entry once, in order, with keys and amounts the engine accepts the shape of; a decoded batch or
/// reservation written back as JSON decodes to the same thing. Every refusal is a 400.
public enum JSONBodiesFuzz {
    /// The depth `JSONBody` allows request bodies.
    static let depth = 16

    public static func run(_ data: UnsafeRawBufferPointer) {
        Fuzz.withExactCopy(data) { body in
            let document = checkParser(body)
            checkEvents(body, document: document)
            checkReservation(body)
        }
    }

    private static func checkParser(_ body: UnsafeRawBufferPointer) -> JSONValue? {
        let value: JSONValue
        do throws(JSONError) {
            value = try JSONParser.parse(body, maxDepth: depth)
        } catch {
            Fuzz.expect(
                error.offset >= 0 && error.offset <= body.count,
                "error offset \(error.offset) of \(body.count)")
            return nil
        }
        let text = value.serialized()
        do throws(JSONError) {
            let again = try JSONParser.parse(text, maxDepth: depth)
            Fuzz.expect(again == value, "serialised value parses to another: \(text)")
            Fuzz.expect(again.serialized() == text, "serialising again differs: \(text)")
        } catch {
            Fuzz.fail("serialised value does not parse (\(error)): \(text)")
        }
        return value
    }

    private static func checkEvents(_ body: UnsafeRawBufferPointer, document: JSONValue?) {
        guard let batch = decoded("events", { () throws(APIError) in try EventBatch(body: body) }) else {
            return
        }
        let count = document?.object?["events"]?.array?.count ?? -1
        let indexes = (batch.indexes + batch.rejected.map(\.index)).sorted()
        Fuzz.expect(indexes == Array(0..<count), "events \(count), accounted for: \(indexes)")
        Fuzz.expect(batch.indexes == batch.indexes.sorted(), "events out of order: \(batch.indexes)")
        for event in batch.events {
            for key in [event.id, event.sku, event.location] + (event.source.map { [$0] } ?? []) {
                Fuzz.expect(Key.problem(key, name: "key") == nil, "event key \(key.debugDescription) passed")
            }
            Fuzz.expect(
                event.amount.magnitude <= UInt64(Quantity.requestLimit), "amount \(event.amount) passed")
        }
        for entry in batch.rejected {
            Fuzz.expect(entry.error.status == 400, "event refused with \(entry.error.status)")
        }

        var written = JSONObject()
        written.append("events", .array(batch.events.map(json)))
        let text = JSONValue.object(written).serialized()
        let again = text.withUnsafeBytes { try? EventBatch(body: $0) }
        Fuzz.expect(
            again?.events == batch.events && again?.rejected.isEmpty == true, "events written back: \(text)")
    }

    private static func checkReservation(_ body: UnsafeRawBufferPointer) {
        guard
            let request = decoded(
                "reservation", { () throws(APIError) in try ReservationRequest(body: body) })
        else { return }
        Fuzz.expect(request.lines.count <= ReservationRequest.maxLines, "\(request.lines.count) lines passed")
        Fuzz.expect(
            (request.reference?.utf8.count ?? 0) <= ReservationRequest.maxReferenceBytes, "long reference")
        for line in request.lines {
            Fuzz.expect(
                Key.problem(line.sku, name: "sku") == nil
                    && Key.problem(line.location, name: "location") == nil,
                "line keys \(line.sku.debugDescription) \(line.location.debugDescription) passed")
            Fuzz.expect(line.qty.magnitude <= UInt64(Quantity.requestLimit), "qty \(line.qty) passed")
        }

        var written = JSONObject()
        written.append("lines", .array(request.lines.map(json)))
        written.append("ttlSeconds", .integer(request.ttlSeconds))
        if let reference = request.reference { written.append("reference", .string(reference)) }
        let text = JSONValue.object(written).serialized()
        let again = text.withUnsafeBytes { try? ReservationRequest(body: $0) }
        Fuzz.expect(
            again?.lines == request.lines && again?.ttlSeconds == request.ttlSeconds
                && again?.reference == request.reference, "reservation written back: \(text)")
    }

    /// What `decode` returns, or nil once its refusal is checked to be a 400.
    private static func decoded<T>(_ what: String, _ decode: () throws(APIError) -> T) -> T? {
        do throws(APIError) {
            return try decode()
        } catch {
            Fuzz.expect(error.status == 400, "\(what) refused with \(error.status) \(error.code)")
            return nil
        }
    }

    /// An event as the API writes it.
    private static func json(_ event: StockEvent) -> JSONValue {
        var object = JSONObject()
        object.append("id", .string(event.id))
        if let source = event.source { object.append("source", .string(source)) }
        if let seq = event.seq { object.append("seq", .integer(seq)) }
        object.append("type", .string(event.kind.description))
        object.append("sku", .string(event.sku))
        object.append("location", .string(event.location))
        object.append(event.kind == .adjust ? "delta" : "qty", .integer(event.amount))
        return .object(object)
    }

    /// A reservation line as the API writes it.
    private static func json(_ line: ReservationLine) -> JSONValue {
        .object(
            JSONObject([
                ("sku", .string(line.sku)), ("location", .string(line.location)), ("qty", .integer(line.qty)),
            ]))
    }
}
