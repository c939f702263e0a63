import ATPTestExpectations
import ATPTestSupport
import Testing

@testable import ATPHTTP

extension HTTPServerTests {
    /// Request smuggling and framing edge cases (RFC 9112 §2.2 line endings, §5 field lines, §6.1
    /// and §6.3 message length, §7.1 chunked coding), against the real server over a socket.
    ///
    /// Every refused request has a second request behind it on the same connection. The server
    /// must answer the bad one with a problem and `Connection: close`, then close: the request
    /// behind it is never executed (the responder saw nothing) and never answered.
    @Suite struct Smuggling {
        /// What an attacker hopes the server reads as a request of its own.
        static let smuggled = get("/smuggled")

        static let framing: [RefusedRequest] = [
            // §6.3: both framings at once, in either order, is refused (and never "fixed").
            RefusedRequest(
                "Content-Length then Transfer-Encoding",
                "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            ),
            RefusedRequest(
                "Transfer-Encoding then Content-Length",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello"
            ),
            RefusedRequest(
                "Content-Length with Transfer-Encoding identity",
                "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTransfer-Encoding: identity\r\n\r\n"),
            // RFC 9110 §8.6: differing lengths are an error; identical repeats are one length.
            RefusedRequest(
                "two differing Content-Length headers",
                "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
            RefusedRequest(
                "differing Content-Length list",
                "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!"),
            RefusedRequest(
                "signed Content-Length", "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello"),
            RefusedRequest(
                "hex Content-Length", "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello"),
            RefusedRequest(
                "Content-Length with an inner space",
                "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\nhello"),
            RefusedRequest(
                "non-numeric Content-Length", "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: five\r\n\r\n"
            ),
            RefusedRequest(
                "negative Content-Length", "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"),
            RefusedRequest(
                "empty Content-Length", "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n"),
            // §6.1, §6.3: a final coding other than chunked is 400; an unknown coding before it, 501.
            RefusedRequest(
                "gzip then chunked",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                status: 501,
                code: "not_implemented"),
            RefusedRequest(
                "chunked then identity",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
            RefusedRequest(
                "chunked not last",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"),
            RefusedRequest(
                "chunked twice",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"),
            RefusedRequest(
                "xchunked", "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
            RefusedRequest(
                "gzip alone", "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nhello"),
            RefusedRequest(
                "identity alone", "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"),
            RefusedRequest(
                "empty Transfer-Encoding", "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n"),
            RefusedRequest(
                "quoted chunked",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n"),
            RefusedRequest(
                "chunked split by a space",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chun ked\r\n\r\n0\r\n\r\n"),
            RefusedRequest(
                "chunked with a vertical tab",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\u{0B}\r\n\r\n0\r\n\r\n"),
            RefusedRequest(
                "space before the Transfer-Encoding colon",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n"),
            RefusedRequest(
                "Transfer-Encoding folded onto the line before",
                "POST /body HTTP/1.1\r\nHost: a\r\nX-A: b\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            RefusedRequest(
                "two Transfer-Encoding headers",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            ),
            RefusedRequest(
                "Transfer-Encoding in HTTP/1.0",
                "POST /body HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
            ),
            // §5.2 obs-fold, §5.1 field names.
            RefusedRequest(
                "obsolete line folding", "GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n  two\r\n\r\n"),
            RefusedRequest(
                "obsolete line folding by a tab",
                "GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n\ttwo\r\n\r\n"),
            RefusedRequest("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
            RefusedRequest("tab before colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A\t: b\r\n\r\n"),
            RefusedRequest("empty header name", "GET / HTTP/1.1\r\nHost: a\r\n: value\r\n\r\n"),
            RefusedRequest("header without colon", "GET / HTTP/1.1\r\nHost: a\r\nNoColonHere\r\n\r\n"),
            RefusedRequest("parenthesis in a name", "GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n"),
            RefusedRequest("at sign in a name", "GET / HTTP/1.1\r\nHost: a\r\nX@A: b\r\n\r\n"),
            RefusedRequest("slash in a name", "GET / HTTP/1.1\r\nHost: a\r\nX/A: b\r\n\r\n"),
            RefusedRequest("quote in a name", "GET / HTTP/1.1\r\nHost: a\r\nX\"A: b\r\n\r\n"),
            RefusedRequest("UTF-8 in a name", "GET / HTTP/1.1\r\nHost: a\r\nXé: b\r\n\r\n"),
            // Singletons that an intermediary and this server could each take a different one of.
            RefusedRequest(
                "two Authorization headers",
                "GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer one\r\nAuthorization: Bearer two\r\n\r\n"),
            RefusedRequest(
                "two Idempotency-Key headers",
                "POST /body HTTP/1.1\r\nHost: a\r\nIdempotency-Key: a\r\nIdempotency-Key: b\r\nContent-Length: 0\r\n\r\n"
            ),
            RefusedRequest(
                "two Content-Type headers",
                "POST /body HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}"
            ),
            // §2.2: every line ends in CR LF. A bare LF is refused (not taken as a line end), and a
            // bare CR is never a line end either.
            RefusedRequest("bare LF line endings", "GET / HTTP/1.1\nHost: a\n\n"),
            RefusedRequest("a bare LF after one header", "GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n"),
            RefusedRequest("a bare LF as the empty line", "GET / HTTP/1.1\r\nHost: a\r\n\n"),
            RefusedRequest("a bare LF before the request line", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
            RefusedRequest("a bare CR before the request line", "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
            RefusedRequest("a bare CR ending the request line", "GET / HTTP/1.1\rHost: a\r\n\r\n"),
            RefusedRequest("a bare CR in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rX-B: c\r\n\r\n"),
            RefusedRequest("a bare CR as the empty line", "GET / HTTP/1.1\r\nHost: a\r\n\r\r\n\r\n"),
            RefusedRequest("CR CR LF", "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n"),
            // NUL anywhere.
            RefusedRequest("NUL in the method", "GE\u{0}T / HTTP/1.1\r\nHost: a\r\n\r\n"),
            RefusedRequest("NUL in the target", "GET /a\u{0}b HTTP/1.1\r\nHost: a\r\n\r\n"),
            RefusedRequest("NUL in the version", "GET / HTTP/1.1\u{0}\r\nHost: a\r\n\r\n"),
            RefusedRequest("NUL in a header name", "GET / HTTP/1.1\r\nHost: a\r\nX-\u{0}A: b\r\n\r\n"),
            RefusedRequest("NUL in a header value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{0}c\r\n\r\n"),
            RefusedRequest("DEL in a header value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{7F}\r\n\r\n"),
            // §7.1: chunk sizes, chunk endings, extensions and trailers.
            RefusedRequest(
                "18-digit chunk size", chunked("ffffffffffffffffff\r\nhello\r\n0\r\n\r\n"), status: 413,
                code: "payload_too_large"),
            RefusedRequest(
                "17-digit chunk size", chunked("10000000000000000\r\nhello\r\n0\r\n\r\n"), status: 413,
                code: "payload_too_large"),
            RefusedRequest(
                "chunk size past the body limit",
                "POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n"
                    + String(repeating: "x", count: 65) + "\r\n0\r\n\r\n", status: 413,
                code: "payload_too_large"),
            RefusedRequest("negative chunk size", chunked("-5\r\nhello\r\n0\r\n\r\n")),
            RefusedRequest("0x chunk size", chunked("0x5\r\nhello\r\n0\r\n\r\n")),
            RefusedRequest("signed chunk size", chunked("+5\r\nhello\r\n0\r\n\r\n")),
            RefusedRequest("empty chunk size", chunked("\r\nhello\r\n0\r\n\r\n")),
            RefusedRequest("non-hex chunk size", chunked("zz\r\nhello\r\n0\r\n\r\n")),
            RefusedRequest("chunk size then junk", chunked("5 5\r\nhello\r\n0\r\n\r\n")),
            RefusedRequest("chunk data longer than its size", chunked("3\r\nhello\r\n0\r\n\r\n")),
            RefusedRequest("no CRLF after chunk data", chunked("5\r\nhello0\r\n\r\n")),
            RefusedRequest("CR without LF after chunk data", chunked("5\r\nhello\rX0\r\n\r\n")),
            RefusedRequest("bare LF after chunk data", chunked("5\r\nhello\n0\r\n\r\n")),
            RefusedRequest("bare LF after a chunk size", chunked("5\nhello\r\n0\r\n\r\n")),
            RefusedRequest("bare LF after the last chunk", chunked("5\r\nhello\r\n0\n\r\n")),
            RefusedRequest("NUL in a chunk extension", chunked("5;a=\u{0}\r\nhello\r\n0\r\n\r\n")),
            RefusedRequest("DEL in a chunk extension", chunked("5;a=\u{7F}\r\nhello\r\n0\r\n\r\n")),
            RefusedRequest(
                "chunk extension over 4 KiB",
                chunked("5;" + String(repeating: "e", count: 5_000) + "\r\nhello\r\n0\r\n\r\n")),
            RefusedRequest("trailer with a bare CR", chunked("0\r\nX-T: a\rb\r\n\r\n")),
            RefusedRequest("trailer folded", chunked("0\r\nX-T: a\r\n b\r\n\r\n")),
            RefusedRequest("trailer with a space before the colon", chunked("0\r\nX-T : a\r\n\r\n")),
            RefusedRequest("trailer with NUL", chunked("0\r\nX-T: a\u{0}\r\n\r\n")),
            RefusedRequest("trailer ending in a bare LF", chunked("0\r\nX-T: a\n\r\n")),
            RefusedRequest(
                "trailers over 16 KiB",
                chunked("0\r\n" + (0..<1_000).map { "T\($0): vvvvvvvvvvvv\r\n" }.joined() + "\r\n")),
        ]

        /// A chunked `POST /body` whose body framing is `framing`.
        static func chunked(_ framing: String) -> String {
            "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + framing
        }

        @Test(arguments: framing)
        func refusedAndTheRequestBehindItIsNeverRun(_ request: RefusedRequest) throws {
            try Self.expectRefusedWithNothingRunBehindIt(request)
        }

        /// Sends `request` with `smuggled` behind it on one connection: the answer must be the
        /// expected problem, then the end of the connection, and the responder must see nothing.
        static func expectRefusedWithNothingRunBehindIt(
            _ request: RefusedRequest, sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            try withServer { _, responder, port in
                let client = try connect(port)
                try client.send(request.raw + smuggled)
                expectProblem(
                    try client.readResponse(), request.status, request.code, closesConnection: true,
                    sourceLocation: sourceLocation)
                let rest = client.readToEnd()
                #expect(
                    rest == [],
                    "after the refusal: \(rest.map { String(decoding: $0, as: UTF8.self) } ?? "still open")",
                    sourceLocation: sourceLocation)
                #expect(responder.answered.load(ordering: .relaxed) == 0, sourceLocation: sourceLocation)
            }
        }

        /// Framings a careful server still accepts, each with a request behind it that must be
        /// answered as the second request, so the body ended exactly where it should.
        static let accepted: [(name: String, raw: String)] = [
            (
                "the same Content-Length twice",
                "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"
            ),
            (
                "a Content-Length list of one value",
                "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello"
            ),
            (
                "a Content-Length with leading zeros",
                "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 005\r\n\r\nhello"
            ),
            (
                "chunked in capitals",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
            ),
            (
                "chunked with spaces and tabs around it",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\t chunked \t\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
            ),
            (
                "chunked after an empty list item",
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
            ),
            ("chunk extensions", chunked("2;a=b;quoted=\"x y\"\r\nhe\r\n3 ; c\r\nllo\r\n0;last\r\n\r\n")),
            ("a chunk size with leading zeros", chunked("0000000000000000000005\r\nhello\r\n0\r\n\r\n")),
            ("upper-case hex chunk sizes", chunked("A\r\nhellohello\r\n0\r\n\r\n")),
            ("trailers", chunked("5\r\nhello\r\n0\r\nX-Checksum: 1234\r\nX-Other: a, b\r\n\r\n")),
            (
                "empty lines before the request line",
                "\r\n\r\nPOST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
            ),
        ]

        @Test func acceptedFramingsEndWhereTheyShould() throws {
            try withServer { _, responder, port in
                for (name, raw) in Self.accepted {
                    let client = try connect(port)
                    try client.send(raw + get("/after", "X-Request-Id: after"))
                    let first = try client.readResponse()
                    let expected = name == "upper-case hex chunk sizes" ? "hellohello" : "hello"
                    #expect(
                        first.status == 200 && first.text == expected,
                        "\(name): \(first.status) \(first.text)")
                    let second = try client.readResponse()
                    try expectDescribed(second, path: "/after")
                    #expect(second.header("X-Request-Id") == "after", "\(name)")
                }
                #expect(responder.answered.load(ordering: .relaxed) == 2 * Self.accepted.count)
            }
        }

        /// The smuggled request is not run even when the bad request came after good ones, and
        /// those are answered first.
        @Test func aRefusalMidPipelineStopsEverythingBehindIt() throws {
            try withServer { _, responder, port in
                let client = try connect(port)
                try client.send(
                    post("/body", "first") + Self.chunked("5\r\nhello\n0\r\n\r\n") + Self.smuggled
                        + get("/also-smuggled"))
                let first = try client.readResponse()
                #expect(first.status == 200 && first.text == "first")
                expectProblem(try client.readResponse(), 400, "invalid_request", closesConnection: true)
                #expect(client.readToEnd() == [])
                #expect(responder.answered.load(ordering: .relaxed) == 1)
            }
        }
    }
}
