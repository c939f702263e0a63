import ATPEngine
import ATPJSON

/// The body of `POST /v1/events`, decoded: the events to hand to the engine, and those refused
/// before it because their shape or field types are wrong (the engine checks the rules between
/// fields).
///
/// Package access so the fuzz harness decodes bodies exactly as the handler does.
/// Thread-safety: a value type.
package struct EventBatch {
    /// The most events one request may carry.
    package static let maxEvents = 5_000

    /// The well-formed events, in request order.
    package var events: [StockEvent] = []
    /// For each of `events`, its index in the request's `events` array.
    package var indexes: [Int] = []
    /// The malformed entries: index, id when it has a string one, and why.
    package var rejected: [(index: Int, id: String?, error: APIError)] = []

    /// Decodes `{"events":[…]}`.
    /// - Throws: 400 when the body is not such an object or holds more than `maxEvents` events.
    /// - Complexity: O(body length).
    package init(body: UnsafeRawBufferPointer) throws(APIError) {
        let object = try JSONBody.object(body)
        let items = try object.array("events", at: "", required: true)!
        guard items.count <= Self.maxEvents else {
            throw .invalidRequest("at most \(Self.maxEvents) events a request")
        }
        events.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do throws(APIError) {
                events.append(try Self.decodeEvent(item, index: index))
                indexes.append(index)
            } catch {
                rejected.append((index, item.object?["id"]?.string, error))
            }
        }
    }

    /// One event object of the request, its shape and field types checked.
    private static func decodeEvent(_ item: JSONValue, index: Int) throws(APIError) -> StockEvent {
        guard let event = item.object else { throw .invalidRequest("events[\(index)] must be an object") }
        let at = "events[\(index)]."
        let id = try event.string("id", at: at, required: true)!
        guard let typeName = try event.string("type", at: at, required: true),
            let kind = StockEventKind(name: typeName)
        else { throw .invalidRequest("\(at)type must be set, adjust, sale or return") }
        let amountField = kind == .adjust ? "delta" : "qty"
        let amount = try event.quantity(amountField, at: at, required: true)!
        let seq: Int64?
        switch event["seq"] {
        case nil, .null?: seq = nil
        case let value? where value.int64 != nil: seq = value.int64
        default: throw .invalidRequest("\(at)seq must be a non-negative integer")
        }
        if let at = try event.string("at", at: at, required: false), Timestamp(rfc3339: at) == nil {
            throw .invalidRequest("events[\(index)].at must be an RFC 3339 date-time")
        }
        _ = try event.text("reason", at: at, maxBytes: 256)
        return StockEvent(
            id: id, source: try event.string("source", at: at, required: false), seq: seq, kind: kind,
            sku: try event.string("sku", at: at, required: true)!,
            location: try event.string("location", at: at, required: true)!, amount: amount)
    }
}
