import ATPTestSupport
import Foundation
import Testing

/// Checks that `response` is an RFC 9457 problem as atpd and its HTTP server send them
/// (docs/reference.md): `status`, `Content-Type: application/problem+json`, an `X-Request-Id`,
/// and a JSON body with `type` `about:blank`, a non-empty `title` and `detail`, the same
/// `status` and the machine-readable `code`. Each failed check is recorded at the caller.
///
/// - Parameters:
///   - closesConnection: also expect `Connection: close` (the server's protocol refusals).
///   - hasRequestID: false for a refusal sent before any request was read (no id to echo).
/// - Returns: the body as a JSON object, for further checks; empty when it is not one.
/// Thread-safety: any thread (a function of its arguments). Complexity: O(body).
@discardableResult
public func expectProblem(
    _ response: RawResponse, _ status: Int, _ code: String, closesConnection: Bool = false,
    hasRequestID: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
) -> [String: Any] {
    #expect(
        response.status == status, "expected \(status) \(code), got \(response.status) \(response.text)",
        sourceLocation: sourceLocation)
    #expect(response.header("Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
    if closesConnection {
        #expect(response.header("Connection") == "close", sourceLocation: sourceLocation)
    }
    if hasRequestID {
        #expect(response.header("X-Request-Id").map { !$0.isEmpty } == true, sourceLocation: sourceLocation)
    }
    guard let object = try? response.json() else {
        Issue.record("problem body is not a JSON object: \(response.text)", sourceLocation: sourceLocation)
        return [:]
    }
    #expect(object["type"] as? String == "about:blank", sourceLocation: sourceLocation)
    #expect((object["title"] as? String).map { !$0.isEmpty } == true, sourceLocation: sourceLocation)
    #expect(object["status"] as? Int == status, sourceLocation: sourceLocation)
    #expect(object["code"] as? String == code, "body: \(response.text)", sourceLocation: sourceLocation)
    #expect(
        (object["detail"] as? String).map { !$0.isEmpty } == true, "body: \(response.text)",
        sourceLocation: sourceLocation)
    return object
}
