import ATPEngine
import ATPHTTP

extension ReservationRequest {
    /// Decodes the body of `POST /v1/reservations`: `lines` (sku, location, qty), optional
    /// `ttlSeconds` and `reference`. The engine checks the rest (line count, ttl range, duplicates).
    ///
    /// Package access so the fuzz harness decodes bodies exactly as the handler does.
    /// - Throws: 400 naming the first field that is missing or of the wrong type or size.
    /// - Complexity: O(body length).
    package init(body: UnsafeRawBufferPointer) throws(APIError) {
        let object = try JSONBody.object(body)
        let items = try object.array("lines", at: "", required: true)!
        guard items.count <= Self.maxLines else {
            throw .invalidRequest("lines must hold 1 to \(Self.maxLines) entries")
        }
        var lines: [ReservationLine] = []
        lines.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard let line = item.object else { throw .invalidRequest("lines[\(i)] must be an object") }
            let at = "lines[\(i)]."
            let sku = try line.string("sku", at: at, required: true)!
            let location = try line.string("location", at: at, required: true)!
            let qty = try line.quantity("qty", at: at, required: true)!
            lines.append(ReservationLine(sku: sku, location: location, qty: qty))
        }
        self.init(lines: lines)
        if let ttl = try object.quantity("ttlSeconds", at: "", required: false) { ttlSeconds = ttl }
        reference = try object.text("reference", at: "", maxBytes: Self.maxReferenceBytes)
    }
}
