import ATPEngine
import ATPHTTP
import ATPJSON
import ATPStore
import ATPUtilities

/// `GET /v1/stock/{sku}` and `PUT /v1/stock/{sku}/{location}/safety-stock`.
///
/// Thread-safety: a value holding only the thread-safe engine; called from every loop thread.
struct StockHandler: Sendable {
    let engine: Engine

    /// `GET /v1/stock/{sku}`: the network figure and every location's cell.
    func read(sku: String, _ response: inout HTTPResponse) throws(APIError) {
        if let problem = Key.problem(sku, name: "sku") { throw .invalidRequest(problem) }
        guard let (available, locations) = engine.stock(sku: sku) else {
            throw APIError(.unknownSku, "sku \(sku) has never been seen")
        }
        response.body.appendASCII(#"{"sku":"#)
        response.body.appendJSONString(sku)
        response.body.appendASCII(#","available":"#)
        response.body.appendDecimal(available)
        response.body.appendASCII(#","locations":["#)
        for (i, row) in locations.enumerated() {
            if i > 0 { response.body.append(UInt8(ascii: ",")) }
            row.appendJSON(sku: nil, to: &response.body)
        }
        response.body.appendASCII("]}")
    }

    /// `PUT /v1/stock/{sku}/{location}/safety-stock`.
    func setSafetyStock(
        sku: String, location: String, body: UnsafeRawBufferPointer, _ response: inout HTTPResponse,
        _ change: inout Mutation
    ) throws(APIError) {
        let object = try JSONBody.object(body)
        guard let value = try object.quantity("safetyStock", at: "", required: true), value >= 0 else {
            throw .quantityOutOfRange("safetyStock must be 0...\(Quantity.requestLimit)")
        }
        let row: Engine.LocationStock
        do {
            row = try change.record { (change) throws(EngineError) in
                try engine.setSafetyStock(sku: sku, location: location, value: value, into: &change)
            }
        } catch {
            throw APIError(error)
        }
        row.appendJSON(sku: sku, to: &response.body)
    }
}
