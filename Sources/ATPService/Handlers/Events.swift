import ATPEngine
import ATPHTTP

/// `POST /v1/events`: warehouse and till stock events, each applied, duplicate, stale or rejected.
extension APIResponder {
    static let maxEvents = 5_000

    func ingest(body: UnsafeRawBufferPointer, _ response: inout HTTPResponse, _ journal: inout [JournalRecord]) throws(APIError) {
        let object = try JSONBody.object(body)
        guard let items = try object.array("events", at: "", required: true) else { return }
        guard items.count <= Self.maxEvents else { throw .invalidRequest("at most \(Self.maxEvents) events a request") }
        var events: [StockEvent] = []
        events.reserveCapacity(items.count)
        var indexes: [Int] = []  // index in `items` of each event handed to the engine
        var rejected: [(index: Int, id: String?, error: APIError)] = []
        for (index, item) in items.enumerated() {
            do throws(APIError) {
                events.append(try Self.decodeEvent(item, index: index))
                indexes.append(index)
            } catch {
                rejected.append((index, item.object?["id"]?.string, error))
            }
        }
        // Events refused before reaching the engine count as rejected like the engine's own.
        engine.counters.eventsRejected.add(rejected.count, ordering: .relaxed)
        let (outcomes, records) = engine.apply(events)
        journal.append(contentsOf: records)
        var counts = (applied: 0, duplicate: 0, stale: 0)
        for (k, outcome) in outcomes.enumerated() {
            switch outcome {
            case .applied: counts.applied += 1
            case .duplicate: counts.duplicate += 1
            case .stale: counts.stale += 1
            case .rejected(let error):
                rejected.append((indexes[k], events[k].id, APIError(error)))
            }
        }
        rejected.sort { $0.index < $1.index }
        response.body.appendASCII(#"{"applied":"#)
        response.body.appendDecimal(counts.applied)
        response.body.appendASCII(#","duplicate":"#)
        response.body.appendDecimal(counts.duplicate)
        response.body.appendASCII(#","stale":"#)
        response.body.appendDecimal(counts.stale)
        response.body.appendASCII(#","rejected":["#)
        for (i, entry) in rejected.enumerated() {
            response.body.appendASCII(i == 0 ? #"{"index":"# : #",{"index":"#)
            response.body.appendDecimal(entry.index)
            if let id = entry.id {
                response.body.appendASCII(#","id":"#)
                response.body.appendJSONString(id)
            }
            response.body.appendASCII(#","code":"#)
            response.body.appendJSONString(entry.error.code == "invalid_request" ? "invalid_event" : entry.error.code)
            response.body.appendASCII(#","detail":"#)
            response.body.appendJSONString(entry.error.detail)
            response.body.append(UInt8(ascii: "}"))
        }
        response.body.appendASCII("]}")
    }

    /// One event object of the request, its shape and field types checked (the engine checks the
    /// rules between fields).
    private static func decodeEvent(_ item: JSONValue, index: Int) throws(APIError) -> StockEvent {
        guard let event = item.object else { throw .invalidRequest("events[\(index)] must be an object") }
        let at = "events[\(index)]."
        let id = try event.string("id", at: at, required: true)!
        guard let typeName = try event.string("type", at: at, required: true), let kind = StockEventKind(name: typeName)
        else { throw .invalidRequest("\(at)type must be set, adjust, sale or return") }
        let amountField = kind == .adjust ? "delta" : "qty"
        let amount = try event.quantity(amountField, at: at, required: true)!
        let seq: Int64?
        switch event["seq"] {
        case nil, .null?: seq = nil
        case .integer(let value)?: seq = value
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
