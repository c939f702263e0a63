import ATPTestSupport
import Foundation
import Testing

/// The requests the HTTP layer refuses itself are answered, through the service's
/// `renderProtocolError` hook, with exactly the bytes atpd sent when ATPHTTP rendered them.
@Suite struct ProtocolErrorWireTests {
    @Test func aSecondAuthorizationHeaderIsAnInvalidRequestProblem() throws {
        let harness = try ServiceHarness()
        let connection = try harness.connect()
        try connection.send(
            "GET /v1/availability?sku=A HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer x\r\nAuthorization: Bearer y\r\n\r\n"
        )
        let response = try connection.readResponse()
        #expect(response.status == 400)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.header("Connection") == "close")
        #expect(
            response.text
                == #"{"type":"about:blank","title":"Bad Request","status":400,"code":"invalid_request","detail":"more than one Authorization header"}"#
        )
    }

    @Test func anUnsupportedVersionIsA505Problem() throws {
        let harness = try ServiceHarness()
        let connection = try harness.connect()
        try connection.send("GET /healthz HTTP/2.0\r\nHost: a\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 505)
        #expect(
            response.text
                == #"{"type":"about:blank","title":"HTTP Version Not Supported","status":505,"code":"http_version_not_supported","detail":"only HTTP/1.0 and HTTP/1.1 are supported"}"#
        )
    }

    @Test func aConnectionOverTheLimitGetsThePreRendered503() throws {
        let harness = try ServiceHarness { $0.maxConnections = 1 }
        let first = try harness.connect()
        try first.send(ServiceHarness.requestText("GET", "/healthz"))
        #expect(try first.readResponse().status == 200)
        let second = try harness.connect()
        let body =
            #"{"type":"about:blank","title":"Service Unavailable","status":503,"code":"too_many_connections","detail":"the server is at its connection limit"}"#
        let expected =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nContent-Length: \(body.utf8.count)\r\nRetry-After: 1\r\nConnection: close\r\n\r\n\(body)"
        #expect(second.readToEnd().map { String(decoding: $0, as: UTF8.self) } == expected)
    }
}
