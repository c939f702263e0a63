import ATPTestExpectations
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// Body limits on every route (API.md: 8 MiB on `POST /v1/events`, 1 MiB elsewhere; here 4 KiB
/// and 1 KiB): a body of exactly the limit is taken, one byte more is a 413 `payload_too_large`
/// and a close, by `Content-Length` or chunked. Routes that take no body (GET, DELETE, the
/// reservation transitions, replay) ignore one within the limit, as the OpenAPI document says,
/// and refuse one past it the same way.
@Suite struct BodyLimitAPITests {
    static let maxBody = 1_024
    static let maxEventsBody = 4_096

    /// The operation's body (or `{}`) padded with JSON whitespace to `length` bytes.
    static func body(_ operation: AuthAPITests.Operation, length: Int) -> String {
        let json = operation.body ?? "{}"
        return json + String(repeating: " ", count: length - json.utf8.count)
    }

    /// `body` as two chunks.
    static func chunked(_ operation: AuthAPITests.Operation, _ body: String) -> String {
        let bytes = Array(body.utf8)
        let half = bytes.count / 2
        let chunks = [bytes[..<half], bytes[half...]].map {
            String(($0.count), radix: 16) + "\r\n" + String(decoding: $0, as: UTF8.self) + "\r\n"
        }
        return "\(operation.method) \(operation.path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer \(Tokens.all)\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n" + chunks.joined() + "0\r\n\r\n"
    }

    @Test func everyRouteTakesTheLimitAndRefusesOneByteMore() throws {
        let harness = try ServiceHarness {
            $0.maxBody = Self.maxBody
            $0.maxEventsBody = Self.maxEventsBody
        }
        for operation in AuthAPITests.operations where operation.method != "HEAD" {
            let limit = operation.route == .events ? Self.maxEventsBody : Self.maxBody
            for framing in ["Content-Length", "chunked"] {
                let fits = Self.body(operation, length: limit)
                let over = Self.body(operation, length: limit + 1)
                func request(_ body: String) -> String {
                    framing == "chunked"
                        ? Self.chunked(operation, body)
                        : ServiceHarness.requestText(operation.method, operation.path, body: body)
                }
                // One at the limit, then one past it, pipelined: the first is answered (nothing
                // lost), the second refused, then the connection ends.
                let connection = try harness.connect()
                try connection.send(
                    request(fits) + request(over) + ServiceHarness.requestText("GET", "/healthz"))
                let first = try connection.readResponse()
                #expect(
                    first.status != 413 && first.status < 500,
                    "\(operation) \(framing) at the limit: \(first.text)")
                let second = try connection.readResponse()
                expectProblem(second, 413, "payload_too_large")
                #expect(second.header("Connection") == "close", "\(operation) \(framing)")
                #expect(connection.readToEnd() == [], "\(operation) \(framing): more after the 413")
            }
        }
        // The events at the limit were applied (once: the second is a duplicate), the ones past it not.
        #expect(try harness.metric(#"atpd_events_total{outcome="applied"}"#) == 1)
        #expect(try harness.metric(#"atpd_events_total{outcome="duplicate"}"#) == 1)
        #expect(try harness.request("GET", "/v1/stock/A").status == 200)
    }
}
