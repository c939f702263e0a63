import ATPHTTP
import ATPJSON
import ATPPosix
import ATPUtilities

/// atpd over its HTTP API: seeding through `POST /v1/events` and the verdict's reading through
/// `GET /v1/stock/{sku}` over a blocking `HTTPClientConnection`; the load itself through
/// `HTTPWireCodec`s on the event-driven driver's keep-alive connections.
///
/// Thread-safety: `Sendable` (immutable); each codec it makes belongs to one load thread.
public struct HTTPTarget: LoadTarget {
    public let endpoint: HTTPEndpoint
    public let token: String?
    public let timeoutMilliseconds: Int
    public var description: String { "http://\(endpoint.hostHeader)" }
    public var address: SocketAddress { endpoint.address }

    public init(url: String, token: String?, timeoutMilliseconds: Int = 10_000) throws(LoadError) {
        guard let endpoint = HTTPEndpoint(url: url) else {
            throw .usage("--target \(url): not an http://IPv4:port or redis:// URL")
        }
        self.endpoint = endpoint
        self.token = token
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    var authorization: [(String, String)] { token.map { [("Authorization", "Bearer " + $0)] } ?? [] }

    func openConnection() throws(LoadError) -> HTTPClientConnection {
        do {
            return try HTTPClientConnection(
                to: endpoint.address, hostHeader: endpoint.hostHeader,
                readTimeoutMilliseconds: timeoutMilliseconds, writeTimeoutMilliseconds: timeoutMilliseconds)
        } catch {
            throw .target("\(description): \(error)")
        }
    }

    public func makeCodecs(_ catalogue: Catalogue, count: Int) throws(LoadError) -> [any WireCodec] {
        (0..<count).map { _ in HTTPWireCodec(target: self, catalogue: catalogue) }
    }

    /// Seeds onHand of every cell with `set` events, 5,000 a request.
    public func prepare(_ catalogue: Catalogue) throws(LoadError) {
        let connection = try openConnection()
        var cell = 0
        var batch = 0
        while cell < catalogue.cellCount {
            var body: [UInt8] = []
            body.appendASCII("{\"events\":[")
            let first = cell
            while cell < catalogue.cellCount && cell - first < 5_000 {
                if cell > first { body.append(UInt8(ascii: ",")) }
                body.appendASCII("{\"id\":")
                body.appendJSONString("\(catalogue.tag)-seed-\(cell)")
                body.appendASCII(",\"type\":\"set\",\"sku\":")
                body.appendJSONString(catalogue.skuNames[catalogue.sku(ofCell: cell)])
                body.appendASCII(",\"location\":")
                body.appendJSONString(catalogue.locationNames[catalogue.location(ofCell: cell)])
                body.appendASCII(",\"qty\":")
                body.appendDecimal(catalogue.seeded(cell: cell))
                body.appendASCII(",\"reason\":\"atp-load seed\"}")
                cell += 1
            }
            body.appendASCII("]}")
            batch += 1
            let response = try exchange(
                connection,
                HTTPClientRequest(
                    method: .post, path: "/v1/events", json: body, headers: authorization))
            let applied = (try? JSONParser.parse(response.body))?.object?["applied"]?.int64
            guard response.status == 200, applied == Int64(cell - first) else {
                throw .target(
                    "\(description): seeding batch \(batch) answered \(response.status): "
                        + String(decoding: response.body.prefix(300), as: UTF8.self))
            }
        }
    }

    /// `GET /v1/stock/{sku}` for every sku of the catalogue.
    public func readCells(_ catalogue: Catalogue) throws(LoadError) -> [CellReading] {
        let connection = try openConnection()
        var locationIndex: [String: Int] = [:]
        for (i, name) in catalogue.locationNames.enumerated() { locationIndex[name] = i }
        var readings: [CellReading] = []
        readings.reserveCapacity(catalogue.cellCount)
        for (sku, name) in catalogue.skuNames.enumerated() {
            let response = try exchange(
                connection,
                HTTPClientRequest(
                    method: .get, path: "/v1/stock/" + name, headers: authorization))
            if response.status == 404 { continue }
            guard response.status == 200, let root = (try? JSONParser.parse(response.body))?.object,
                let rows = root["locations"]?.array
            else {
                throw .target("\(description): GET /v1/stock/\(name) answered \(response.status)")
            }
            for row in rows {
                guard let row = row.object,
                    let location = row["location"]?.string.flatMap({ locationIndex[$0] }),
                    let cell = catalogue.cell(sku: sku, location: location),
                    let onHand = row["onHand"]?.int64, let reserved = row["reserved"]?.int64,
                    let available = row["available"]?.int64
                else { continue }
                readings.append(
                    CellReading(
                        cell: cell, onHand: Int(onHand), reserved: Int(reserved),
                        available: Int(available)))
            }
        }
        return readings
    }

    private func exchange(_ connection: HTTPClientConnection, _ request: HTTPClientRequest) throws(LoadError)
        -> HTTPClientResponse
    {
        do {
            return try connection.send(request)
        } catch {
            throw .target("\(description): \(request.method) \(request.path): \(error)")
        }
    }
}
