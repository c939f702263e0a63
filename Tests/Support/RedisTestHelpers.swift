import ATPEngine
import ATPRedis

/// A fresh connection to `server`.
public func redis(_ server: RedisServerProcess) throws -> RedisConnection {
    try RedisConnection(url: RedisURL(server.url), commandTimeoutMilliseconds: 5_000)
}

/// Everything observable about an engine, sorted: every snapshot record (cells with on-hand,
/// version and safety stock; channels; sequence marks; event ids; reservations; idempotency
/// keys), then per sku its stock detail (on-hand, reserved, safety, available per location) and
/// its availability network-wide and in every channel.
public func canonicalDump(_ engine: Engine, skus: [String]) -> [String] {
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
