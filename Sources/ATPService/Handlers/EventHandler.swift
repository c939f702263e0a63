import ATPEngine
import ATPHTTP
import ATPJSON
import ATPStore
import ATPUtilities

/// `POST /v1/events`: warehouse and till stock events, each applied, duplicate, stale or rejected
/// (told apart by `EventTally`, as for the Redis stream).
///
/// Thread-safety: a value holding only the thread-safe engine; called from every loop thread.
struct EventHandler: Sendable {
    let engine: Engine

    /// Applies the batch and answers `{"applied":n,"duplicate":n,"stale":n,"rejected":[…]}`.
    func ingest(body: UnsafeRawBufferPointer, _ response: inout HTTPResponse, _ change: inout Mutation)
        throws(APIError)
    {
        let batch = try EventBatch(body: body)
        // Events refused before reaching the engine count as rejected like the engine's own.
        engine.counters.eventsRejected.add(batch.rejected.count, ordering: .relaxed)
        let outcomes = change.record { engine.apply(batch.events, into: &$0) }
        let tally = EventTally(
            outcomes, of: batch.events, at: batch.indexes,
            refusedBefore: batch.rejected.map {
                EventRejection(index: $0.index, id: $0.id, decoding: $0.error)
            })
        response.body.appendASCII(#"{"applied":"#)
        response.body.appendDecimal(tally.applied)
        response.body.appendASCII(#","duplicate":"#)
        response.body.appendDecimal(tally.duplicate)
        response.body.appendASCII(#","stale":"#)
        response.body.appendDecimal(tally.stale)
        response.body.appendASCII(#","rejected":["#)
        for (i, entry) in tally.rejected.enumerated() {
            response.body.appendASCII(i == 0 ? #"{"index":"# : #",{"index":"#)
            response.body.appendDecimal(entry.index)
            if let id = entry.id {
                response.body.appendASCII(#","id":"#)
                response.body.appendJSONString(id)
            }
            response.body.appendASCII(#","code":"#)
            response.body.appendJSONString(entry.code)
            response.body.appendASCII(#","detail":"#)
            response.body.appendJSONString(entry.detail)
            response.body.append(UInt8(ascii: "}"))
        }
        response.body.appendASCII("]}")
    }
}
