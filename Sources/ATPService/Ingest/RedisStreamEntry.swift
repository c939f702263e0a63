import ATPEngine

/// Decoding of one entry of the `--events-stream` Redis stream into a `StockEvent`.
///
/// An entry is flat field/value pairs named as the members of a JSON event of `POST /v1/events`,
/// values as text (numbers in decimal):
///
/// | field | required | value |
/// |---|---|---|
/// | `id` | yes | the event id, 1–128 bytes; an id seen before (24 h) is a duplicate |
/// | `type` | yes | `set`, `adjust`, `sale` or `return` |
/// | `qty` | for set, sale, return | integer; `set` ≥ 0, `sale`/`return` ≥ 1, at most 1,000,000,000 |
/// | `delta` | for adjust | non-zero integer, at most 1,000,000,000 in magnitude |
/// | `sku`, `location` | yes | 1–128 bytes of UTF-8 without control characters |
/// | `source` | no | the sending system, e.g. `wms-1` |
/// | `seq` | no | integer ≥ 0 (needs `source`); not above the source's last for the cell = stale |
/// | `reason` | no | free text ≤ 256 bytes, checked and not stored |
/// | `at` | no | RFC 3339 time, checked and not stored |
///
/// An empty value of an optional field counts as absent (Redis has no null); other fields are
/// ignored; a field given twice, or a value that is not UTF-8, makes the entry malformed.
/// Example: `XADD atp:events * id wms-1-000017 source wms-1 seq 17 type set sku A location DC1 qty 100`.
///
/// Thread-safety: stateless. Complexity: O(entry size).
public enum RedisStreamEntry {
    /// The event of an entry's flat `field, value, field, value, …` list, its shape and types
    /// checked (the engine checks the rules between fields, as for `POST /v1/events`); a
    /// malformed entry is `invalid_event` or `quantity_out_of_range`.
    public static func decode(_ flat: [[UInt8]]) -> Result<StockEvent, EngineError> {
        func invalid(_ detail: String) -> Result<StockEvent, EngineError> { .failure(.invalidEvent(detail)) }
        guard flat.count % 2 == 0 else { return invalid("the entry has an odd number of fields and values") }
        var fields: [String: String] = [:]
        for i in stride(from: 0, to: flat.count, by: 2) {
            guard let name = String(validating: flat[i], as: UTF8.self),
                let value = String(validating: flat[i + 1], as: UTF8.self)
            else { return invalid("field \(i / 2 + 1) is not UTF-8") }
            guard fields.updateValue(value, forKey: name) == nil else {
                return invalid("field \(name) is given twice")
            }
        }
        func optional(_ name: String) -> String? { fields[name].flatMap { $0.isEmpty ? nil : $0 } }

        guard let id = fields["id"] else { return invalid("id is required") }
        guard let typeName = fields["type"], let kind = StockEventKind(name: typeName) else {
            return invalid("type must be set, adjust, sale or return")
        }
        guard let sku = fields["sku"] else { return invalid("sku is required") }
        guard let location = fields["location"] else { return invalid("location is required") }
        let amountField = kind == .adjust ? "delta" : "qty"
        guard let amountText = fields[amountField] else {
            return invalid("\(amountField) is required for \(kind)")
        }
        guard let amount = Int64(amountText) else { return invalid("\(amountField) must be an integer") }
        guard amount.magnitude <= UInt64(Quantity.requestLimit) else {
            return .failure(.quantityOutOfRange("\(amountField) is beyond ±\(Quantity.requestLimit)"))
        }
        var seq: Int64?
        if let text = optional("seq") {
            guard let value = Int64(text), value >= 0 else {
                return invalid("seq must be a non-negative integer")
            }
            seq = value
        }
        if let at = optional("at"), Timestamp(rfc3339: at) == nil {
            return invalid("at must be an RFC 3339 date-time")
        }
        if let reason = optional("reason"), reason.utf8.count > 256 {
            return invalid("reason is longer than 256 bytes")
        }
        return .success(
            StockEvent(
                id: id, source: optional("source"), seq: seq, kind: kind, sku: sku, location: location,
                amount: amount))
    }
}
