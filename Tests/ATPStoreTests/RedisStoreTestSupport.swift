import ATPEngine
import ATPRedis
import ATPStore
import ATPTestSupport
import ATPUtilities
import Glibc

/// Creates a reservation of `lines` (sku, location, qty) and returns it with its record.
func hold(_ engine: Engine, _ lines: [(String, String, Int64)], ttl: Int64 = 900) throws -> (
    Reservation, JournalRecord
) {
    do {
        return try engine.createReservation(
            ReservationRequest(
                lines: lines.map { ReservationLine(sku: $0.0, location: $0.1, qty: $0.2) }, ttlSeconds: ttl))
    } catch {
        throw TestFailure("hold failed: \(error)")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A stock event with the given fields.
func event(
    _ id: String, _ kind: StockEventKind, _ sku: String, _ location: String, _ amount: Int64,
    source: String? = nil,
    seq: Int64? = nil
) -> StockEvent {
    StockEvent(id: id, source: source, seq: seq, kind: kind, sku: sku, location: location, amount: amount)
}
