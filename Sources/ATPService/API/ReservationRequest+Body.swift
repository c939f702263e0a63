import ATPEngine
import ATPHTTP
import ATPJSON

extension ReservationRequest {
    /// Decodes the body of `POST /v1/reservations`: `lines` (sku, location, qty), optional
    /// `ttlSeconds` and `reference`. The engine checks the rest (line count, ttl range, duplicates).
    ///
    /// Reads the fields straight off the bytes (`ReservationBodyDecoder`), with no JSON tree:
    /// a well-formed body allocates only what the request keeps (the lines array, and sku,
    /// location and reference strings longer than 15 bytes). Package access so the fuzz harness
    /// decodes bodies exactly as the handler does.
    /// - Throws: `invalid_json` for the first syntax error in the document; otherwise 400 naming
    ///   the first field (in the order lines, each line's sku, location, qty, then ttlSeconds,
    ///   reference) that is missing or of the wrong type or size.
    /// - Complexity: O(body length).
    package init(body: UnsafeRawBufferPointer) throws(APIError) {
        guard !body.isEmpty else { throw .invalidJSON("the request needs a JSON body") }
        var decoder = ReservationBodyDecoder(body)
        do throws(JSONError) {
            try decoder.readDocument()
        } catch {
            throw .invalidJSON(error.description)
        }
        self = try decoder.request()
    }
}
