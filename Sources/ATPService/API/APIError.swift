import ATPEngine
import ATPHTTP

/// A refusal answered as an RFC 9457 problem (`application/problem+json`) with a stable `code`.
///
/// Package access so the fuzz harness can check what a decoding failure answers.
/// Thread-safety: a value type.
package struct APIError: Error, Sendable {
    package var status: Int
    package var code: String
    package var detail: String
    /// For `insufficient_stock`: the short lines.
    var lines: [InsufficientLine]?
    /// For `invalid_state`: the reservation's current status.
    var reservationStatus: ReservationStatus?
    /// Extra header lines, e.g. `Allow` on 405 or `WWW-Authenticate` on 401.
    var headers: [(StaticString, String)] = []

    init(_ status: Int, _ code: String, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    static func invalidRequest(_ detail: String) -> Self { Self(400, "invalid_request", detail) }
    static func invalidJSON(_ detail: String) -> Self { Self(400, "invalid_json", detail) }
    static func quantityOutOfRange(_ detail: String) -> Self { Self(400, "quantity_out_of_range", detail) }
    static func notFound(_ detail: String) -> Self { Self(404, "not_found", detail) }
    static func unknownChannel(_ name: String) -> Self { Self(404, "unknown_channel", "no channel named \(name)") }
    static func notImplemented(_ detail: String) -> Self { Self(501, "not_implemented", detail) }

    static func unauthorized(_ detail: String) -> Self {
        var error = Self(401, "unauthorized", detail)
        error.headers = [("WWW-Authenticate", "Bearer")]
        return error
    }

    static func forbidden(_ detail: String) -> Self { Self(403, "forbidden", detail) }

    static func methodNotAllowed(_ route: Route) -> Self {
        var error = Self(405, "method_not_allowed", "\(route.label) answers \(route.allowHeader)")
        error.headers = [("Allow", route.allowHeader)]
        return error
    }

    /// The problem for an engine refusal, with the status API.md gives its code.
    init(_ error: EngineError) {
        let status =
            switch error.code {
            case "insufficient_stock", "invalid_state": 409
            case "unknown_reservation", "unknown_sku", "unknown_channel": 404
            case "capacity_exhausted": 503
            default: 400
            }
        self.init(status, error.code, error.detail)
    }

    /// Writes the problem into `response`.
    func write(into response: inout HTTPResponse) {
        response.setProblem(status: status, code: code, detail: detail) { body in
            if let lines {
                body.appendASCII(#","lines":["#)
                for (i, line) in lines.enumerated() {
                    if i > 0 { body.append(UInt8(ascii: ",")) }
                    body.appendASCII(#"{"sku":"#)
                    body.appendJSONString(line.sku)
                    body.appendASCII(#","location":"#)
                    body.appendJSONString(line.location)
                    body.appendASCII(#","requested":"#)
                    body.appendDecimal(line.requested)
                    body.appendASCII(#","available":"#)
                    body.appendDecimal(line.available)
                    body.append(UInt8(ascii: "}"))
                }
                body.append(UInt8(ascii: "]"))
            }
            if let reservationStatus {
                body.appendASCII(#","reservationStatus":"#)
                body.appendJSONString(reservationStatus.description)
            }
        }
        for (name, value) in headers { response.addHeader(name, value) }
    }
}
