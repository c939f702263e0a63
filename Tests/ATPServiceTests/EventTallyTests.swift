import ATPEngine
import Testing

@testable import ATPService

/// `EventTally`, the one outcome mapping of `POST /v1/events` and the Redis stream.
@Suite struct EventTallyTests {
    private func event(_ id: String) -> StockEvent {
        StockEvent(id: id, source: nil, seq: nil, kind: .set, sku: "A", location: "DC1", amount: 1)
    }

    @Test func outcomesAreCountedAndRefusalsListedInSubmissionOrder() {
        let events = ["e0", "e2", "e3", "e4", "e5", "e6"].map(event)
        let outcomes: [EventOutcome] = [
            .applied, .rejected(.invalidRequest("bad")), .duplicate, .stale,
            .rejected(.capacityExhausted("full")), .rejected(.invalidEvent("rule")),
        ]
        let malformed = EventRejection(index: 1, id: nil, refusal: .quantityOutOfRange("too many"))
        let tally = EventTally(outcomes, of: events, at: [0, 2, 3, 4, 5, 6], refusedBefore: [malformed])
        #expect(tally.applied == 1 && tally.duplicate == 1 && tally.stale == 1)
        #expect(tally.rejected.map(\.index) == [1, 2, 5, 6])
        #expect(tally.rejected.map(\.id) == [nil, "e2", "e5", "e6"])
        #expect(
            tally.rejected.map(\.code) == [
                "quantity_out_of_range", "invalid_event", "capacity_exhausted", "invalid_event",
            ])
        #expect(tally.rejected.map(\.detail) == ["too many", "bad", "full", "rule"])
    }

    @Test func aBadRequestWhileDecodingIsAnInvalidEvent() {
        let invalid = EventRejection(
            index: 0, id: "a", decoding: .invalidRequest("events[0].sku is required"))
        #expect(invalid.code == "invalid_event" && invalid.detail == "events[0].sku is required")
        let range = EventRejection(index: 0, id: "a", decoding: .quantityOutOfRange("qty"))
        #expect(range.code == "quantity_out_of_range")
    }
}
