import ATPEngine
import ATPHTTP
import ATPStore

/// `POST /v1/events`: warehouse and till stock events, each applied, duplicate, stale or rejected.
extension APIResponder {
    func ingest(body: UnsafeRawBufferPointer, _ response: inout HTTPResponse, _ change: inout Mutation)
        throws(APIError)
    {
        let batch = try EventBatch(body: body)
        var rejected = batch.rejected
        // Events refused before reaching the engine count as rejected like the engine's own.
        engine.counters.eventsRejected.add(rejected.count, ordering: .relaxed)
        let outcomes = change.record { engine.apply(batch.events, into: &$0) }
        var counts = (applied: 0, duplicate: 0, stale: 0)
        for (k, outcome) in outcomes.enumerated() {
            switch outcome {
            case .applied: counts.applied += 1
            case .duplicate: counts.duplicate += 1
            case .stale: counts.stale += 1
            case .rejected(let error):
                rejected.append((batch.indexes[k], batch.events[k].id, APIError(error)))
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
            response.body.appendJSONString(
                entry.error.code == "invalid_request" ? "invalid_event" : entry.error.code)
            response.body.appendASCII(#","detail":"#)
            response.body.appendJSONString(entry.error.detail)
            response.body.append(UInt8(ascii: "}"))
        }
        response.body.appendASCII("]}")
    }
}
