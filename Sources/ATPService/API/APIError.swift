import ATPEngine
import ATPHTTP
import ATPJSON
import ATPUtilities

/// A refusal answered as an RFC 9457 problem (`application/problem+json`) with a stable `code`.
///
/// Package access so the fuzz harness can check what a decoding failure answers.
/// Thread-safety: a value type.
package struct APIError: Error, Sendable {
    package var status: Int
    /// Which problem, from the one table.
    let problem: ProblemCode
    /// Its stable code, e.g. `insufficient_stock`.
    package var code: String { problem.rawValue }
    package var detail: String
    /// For `insufficient_stock`: the short lines.
    var lines: [InsufficientLine]?
    /// For `invalid_state`: the reservation's current status.
    var reservationStatus: ReservationStatus?
    /// Extra header lines, e.g. `Allow` on 405 or `WWW-Authenticate` on 401.
    var headers: [(StaticString, String)] = []

    init(_ code: ProblemCode, _ detail: String) {
        status = code.status
        problem = code
        self.detail = detail
    }

    static func invalidRequest(_ detail: String) -> Self { Self(.invalidRequest, detail) }
    static func invalidJSON(_ detail: String) -> Self { Self(.invalidJSON, detail) }
    static func quantityOutOfRange(_ detail: String) -> Self { Self(.quantityOutOfRange, detail) }
    static func notFound(_ detail: String) -> Self { Self(.notFound, detail) }
    static func unknownChannel(_ name: String) -> Self { Self(.unknownChannel, "no channel named \(name)") }
    static func notImplemented(_ detail: String) -> Self { Self(.notImplemented, detail) }

    static func unauthorized(_ detail: String) -> Self {
        var error = Self(.unauthorized, detail)
        error.headers = [("WWW-Authenticate", "Bearer")]
        return error
    }

    /// 503 `store_unavailable` with `Retry-After`: the store refused or lost the change and it
    /// was rolled back; `why` says how, and the detail says what to do.
    static func nothingChanged(_ why: String) -> Self {
        var error = Self(
            .storeUnavailable,
            "\(why); nothing was changed: retry it (with the same Idempotency-Key or event ids, or as a new request)"
        )
        error.headers = [("Retry-After", "1")]
        return error
    }

    static func forbidden(_ detail: String) -> Self { Self(.forbidden, detail) }

    static func methodNotAllowed(_ route: Route) -> Self {
        var error = Self(.methodNotAllowed, "\(route.label) answers \(route.allowHeader)")
        error.headers = [("Allow", route.allowHeader)]
        return error
    }

    /// The problem for an engine refusal (`ProblemCode.init(_:)` is the table).
    init(_ error: EngineError) {
        self.init(ProblemCode(error.kind), error.detail)
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
