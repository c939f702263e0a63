import ATPTestExpectations
import ATPTestSupport
import Testing

@testable import ATPHTTP

/// A raw request the server must refuse, with the status it must answer.
struct RefusedRequest: Sendable, CustomTestStringConvertible {
    let name: String
    let raw: String
    let status: Int
    let code: String

    init(_ name: String, _ raw: String, status: Int = 400, code: String = "invalid_request") {
        self.name = name
        self.raw = raw
        self.status = status
        self.code = code
    }

    var testDescription: String { name }
}

extension HTTPServerTests {
    /// Size limits and strict parsing: each refusal is a problem+json answer, then a close.
    @Suite struct Limits {
        /// Request-line and version refusals; framing and field-line refusals, each with a
        /// smuggled request behind it, are in `Smuggling`.
        static let refused: [RefusedRequest] = [
            RefusedRequest("request line without target", "GET\r\nHost: a\r\n\r\n"),
            RefusedRequest("two spaces in request line", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n"),
            RefusedRequest("junk after version", "GET / HTTP/1.1 junk\r\nHost: a\r\n\r\n"),
            RefusedRequest("absolute-form target", "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n"),
            RefusedRequest("bad protocol name", "GET / HTTX/1.1\r\nHost: a\r\n\r\n"),
            RefusedRequest("non-token method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n"),
            RefusedRequest("control byte in target", "GET /a\u{1}b HTTP/1.1\r\nHost: a\r\n\r\n"),
            RefusedRequest("control char in value", "GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\u{1}b\r\n\r\n"),
            RefusedRequest("missing Host on HTTP/1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n"),
            RefusedRequest("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            RefusedRequest(
                "HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", status: 505,
                code: "http_version_not_supported"),
            RefusedRequest(
                "HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", status: 505,
                code: "http_version_not_supported"),
            RefusedRequest(
                "HTTP/0.9", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", status: 505,
                code: "http_version_not_supported"),
        ]

        @Test(arguments: refused)
        func refusedRequestIsAnsweredWithProblemAndClosed(_ request: RefusedRequest) throws {
            try Smuggling.expectRefusedWithNothingRunBehindIt(request)
        }

        /// The limit covers the request line and header lines with their line ends; the empty line
        /// that closes the head is not counted.
        @Test func headOverSixteenKiBIs431() throws {
            try withServer { _, responder, port in
                let prefix = "GET /big HTTP/1.1\r\nHost: a\r\nX-Big: "
                let fits =
                    prefix + String(repeating: "a", count: 16 * 1024 - prefix.utf8.count - 2) + "\r\n\r\n"
                let client = try connect(port)
                try client.send(fits)
                try expectDescribed(try client.readResponse(), path: "/big")

                let tooBig =
                    prefix + String(repeating: "a", count: 16 * 1024 - prefix.utf8.count - 1) + "\r\n\r\n"
                let refused = try connect(port)
                try refused.send(tooBig)
                expectProblem(
                    try refused.readResponse(), 431, "headers_too_large", closesConnection: true)
                #expect(refused.isClosedByPeer())

                let huge = try connect(port)
                try huge.send(prefix + String(repeating: "b", count: 40_000) + "\r\n\r\n")
                expectProblem(try huge.readResponse(), 431, "headers_too_large", closesConnection: true)
                #expect(huge.isClosedByPeer())
                #expect(responder.answered.load(ordering: .relaxed) == 1)
            }
        }

        @Test func moreThanAHundredHeadersIs431() throws {
            try withServer { _, _, port in
                let headers = (1...99).map { "X-H\($0): v\r\n" }.joined()
                let client = try connect(port)
                try client.send("GET /many HTTP/1.1\r\nHost: a\r\n\(headers)\r\n")
                try expectDescribed(try client.readResponse(), path: "/many")
                try client.send("GET /many HTTP/1.1\r\nHost: a\r\n\(headers)X-One-More: v\r\n\r\n")
                expectProblem(try client.readResponse(), 431, "headers_too_large", closesConnection: true)
                #expect(client.isClosedByPeer())
            }
        }

        @Test func contentLengthOverTheLimitIs413() throws {
            try withServer { _, _, port in
                let client = try connect(port)
                try client.send(post("/small", String(repeating: "x", count: 64)))
                #expect(try client.readResponse().status == 200)
                // Refused on the head alone, before any body byte.
                try client.send("POST /small HTTP/1.1\r\nHost: a\r\nContent-Length: 65\r\n\r\n")
                expectProblem(try client.readResponse(), 413, "payload_too_large", closesConnection: true)
                #expect(client.isClosedByPeer())
                // With the body sent anyway: still 413, and the unread body does not reset the answer.
                let eager = try connect(port)
                try eager.send(post("/small", String(repeating: "y", count: 100_000)))
                expectProblem(try eager.readResponse(), 413, "payload_too_large", closesConnection: true)
                #expect(eager.isClosedByPeer())
            }
        }

        @Test func chunkedBodyOverTheLimitIs413() throws {
            try withServer { _, _, port in
                let chunk = String(repeating: "c", count: 32)
                let client = try connect(port)
                try client.send(
                    "POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n\(chunk)\r\n20\r\n\(chunk)\r\n0\r\n\r\n"
                )
                #expect(try client.readResponse().status == 200)
                try client.send(
                    "POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n\(chunk)\r\n20\r\n\(chunk)\r\n1\r\nc\r\n0\r\n\r\n"
                )
                expectProblem(try client.readResponse(), 413, "payload_too_large", closesConnection: true)
                #expect(client.isClosedByPeer())
                // One chunk whose size alone is over the limit.
                let single = try connect(port)
                try single.send("POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n")
                expectProblem(try single.readResponse(), 413, "payload_too_large", closesConnection: true)
                #expect(single.isClosedByPeer())
            }
        }

        @Test func chunkFramingCannotGrowWithoutBound() throws {
            try withServer { _, _, port in
                // 1-byte chunks, each with 4000 bytes of extensions: a small body in a lot of framing.
                let chunk = "1;" + String(repeating: "e", count: 4_000) + "\r\nx\r\n"
                let client = try connect(port)
                try client.send("POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
                try client.send(String(repeating: chunk, count: 30))
                expectProblem(try client.readResponse(), 413, "payload_too_large", closesConnection: true)
                #expect(client.isClosedByPeer())
            }
        }
    }
}
