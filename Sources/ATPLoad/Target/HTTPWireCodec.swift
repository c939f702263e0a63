import ATPHTTP
import ATPJSON
import ATPUtilities

/// One load connection's HTTP/1.1 codec for atpd: turns `Operation`s into v1 API requests and
/// reads the responses with `HTTPResponseReader`.
///
/// The request value (method, path, headers, body) is kept and rewritten in place for every
/// operation, so steady state allocates only what the parsed response needs; no Foundation, no
/// string formatting. A hold's 201 carries the reservation id the server chose, found by a byte
/// scan of the body.
/// Thread-safety: not thread-safe; one connection on one load thread.
/// Complexity: O(request + response size) per operation.
final class HTTPWireCodec: WireCodec {
    private let catalogue: Catalogue
    private let hostHeader: String
    private var request: HTTPClientRequest
    private var reader = HTTPResponseReader()
    private var kind = OperationKind.availability

    init(target: HTTPTarget, catalogue: Catalogue) {
        self.catalogue = catalogue
        hostHeader = target.endpoint.hostHeader
        request = HTTPClientRequest(method: .get, path: "/", headers: target.authorization)
        request.path.reserveCapacity(4096)
        request.body.reserveCapacity(16 * 1024)
    }

    func greet(into out: inout [UInt8]) {}

    func encode(_ operation: Operation, into out: inout [UInt8]) -> Bool {
        build(operation)
        kind = operation.kind
        do {
            try request.serialize(defaultHost: hostHeader, into: &out)
        } catch {
            return false
        }
        reader.begin(method: request.method)
        return true
    }

    func consume(_ bytes: UnsafeRawBufferPointer) -> WireStep {
        let used: Int
        do {
            used = try reader.consume(bytes)
        } catch {
            return .failed
        }
        guard reader.isComplete else { return .partial(consumed: used) }
        return finish(consumed: used)
    }

    func endOfStream() -> WireStep {
        do {
            try reader.endOfStream()
        } catch {
            return .failed
        }
        return finish(consumed: 0)
    }

    private func finish(consumed: Int) -> WireStep {
        let response = reader.takeResponse()
        var outcome = Outcome(status: response.status)
        if kind == .hold && response.status == 201 {
            outcome.reservationID = Self.reservationID(in: response.body)
        }
        return .complete(consumed: consumed, outcome: outcome, closes: response.closesConnection)
    }

    private func build(_ op: Operation) {
        request.path.removeAll(keepingCapacity: true)
        request.body.removeAll(keepingCapacity: true)
        request.contentType = nil
        switch op.kind {
        case .availability:
            request.method = .get
            request.path += "/v1/availability?sku="
            for (i, sku) in op.skus.enumerated() {
                if i > 0 { request.path += "&sku=" }
                request.path += catalogue.skuNames[sku]
            }
        case .hold:
            request.method = .post
            request.path += "/v1/reservations"
            request.contentType = "application/json"
            request.body.appendASCII("{\"lines\":[")
            for (i, line) in op.lines.enumerated() {
                if i > 0 { request.body.append(UInt8(ascii: ",")) }
                request.body.appendASCII("{\"sku\":")
                request.body.appendJSONString(catalogue.skuNames[line.sku])
                request.body.appendASCII(",\"location\":")
                request.body.appendJSONString(catalogue.locationNames[line.location])
                request.body.appendASCII(",\"qty\":")
                request.body.appendDecimal(line.qty)
                request.body.append(UInt8(ascii: "}"))
            }
            request.body.appendASCII("],\"ttlSeconds\":")
            request.body.appendDecimal(op.ttlSeconds)
            request.body.append(UInt8(ascii: "}"))
        case .confirm, .fulfil, .release:
            request.method = .post
            request.path += "/v1/reservations/"
            request.path += op.reservationID
            request.path += op.kind == .confirm ? "/confirm" : op.kind == .fulfil ? "/fulfill" : "/release"
        case .events:
            request.method = .post
            request.path += "/v1/events"
            request.contentType = "application/json"
            request.body.appendASCII("{\"events\":[")
            for (i, event) in op.events.enumerated() {
                if i > 0 { request.body.append(UInt8(ascii: ",")) }
                request.body.appendASCII("{\"id\":\"")
                request.body.append(contentsOf: op.eventPrefix.utf8)
                request.body.appendDecimal(op.eventFirstNumber + i)
                request.body.appendASCII(
                    event.isSet ? "\",\"type\":\"set\",\"sku\":" : "\",\"type\":\"adjust\",\"sku\":")
                request.body.appendJSONString(catalogue.skuNames[event.sku])
                request.body.appendASCII(",\"location\":")
                request.body.appendJSONString(catalogue.locationNames[event.location])
                request.body.appendASCII(event.isSet ? ",\"qty\":" : ",\"delta\":")
                request.body.appendDecimal(event.value)
                request.body.append(UInt8(ascii: "}"))
            }
            request.body.appendASCII("]}")
        }
    }

    /// The value of the first `"id":"…"` member of a reservation body, found by a byte scan (no
    /// JSON tree); nil when absent.
    private static let idKey: [UInt8] = Array("\"id\":\"".utf8)

    static func reservationID(in body: [UInt8]) -> String? {
        let key = idKey
        guard body.count > key.count else { return nil }
        var i = 0
        while i + key.count <= body.count {
            if body[i] == key[0] && body[i..<(i + key.count)].elementsEqual(key) {
                let start = i + key.count
                var end = start
                while end < body.count && body[end] != UInt8(ascii: "\"") { end += 1 }
                return String(decoding: body[start..<end], as: UTF8.self)
            }
            i += 1
        }
        return nil
    }
}
