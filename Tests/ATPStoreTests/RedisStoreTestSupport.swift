import ATPEngine
import ATPRedis
import ATPStore
import ATPTestSupport
import ATPUtilities
import Glibc

/// A fresh connection to `server`.
func redis(_ server: RedisServerProcess) throws -> RedisConnection {
    try RedisConnection(url: RedisURL(server.url), commandTimeoutMilliseconds: 5_000)
}

/// Everything observable about an engine, sorted: every snapshot record (cells with on-hand,
/// version and safety stock; channels; sequence marks; event ids; reservations; idempotency
/// keys), then per sku its stock detail (on-hand, reserved, safety, available per location) and
/// its availability network-wide and in every channel.
func canonicalDump(_ engine: Engine, skus: [String]) -> [String] {
    var lines: [String] = []
    engine.exportSnapshot { lines.append("\($0)") }
    for sku in skus {
        if let stock = engine.stock(sku: sku) {
            lines.append("stock \(sku) available=\(stock.available)")
            for row in stock.locations {
                lines.append(
                    "stock \(sku)@\(row.location) onHand=\(row.onHand) reserved=\(row.reserved) "
                        + "safety=\(row.safetyStock) available=\(row.available)")
            }
        }
        for view in engine.channelViews {
            lines.append(
                "channel \(view.name) \(sku)=\(engine.available(sku: sku, channel: view.name) ?? -1)")
        }
    }
    return lines.sorted()
}

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
