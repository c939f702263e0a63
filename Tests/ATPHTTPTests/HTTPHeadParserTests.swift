import Testing

@testable import ATPHTTP

/// `HTTPHeadParser` on its own, without a server: request line forms, versions, field lines,
/// framing headers, the indexed headers, limits and line endings.
@Suite struct HTTPHeadParserTests {
    /// A parsed head with the bytes its ranges index into.
    struct Parsed {
        var head: HTTPRequestHead
        var bytes: [UInt8]

        /// The text of `range`, or nil for nil.
        func text(_ range: Range<Int>?) -> String? {
            range.map { String(decoding: bytes[$0], as: UTF8.self) }
        }

        func header(_ name: StaticString) -> String? {
            bytes.withUnsafeBytes { text(head.value(of: name, in: $0)) }
        }
    }

    /// Skips leading empty lines, finds the end of the head and parses it, as a connection does.
    /// - Returns: nil when the head is not complete.
    static func parse(_ text: String, with parser: HTTPHeadParser = HTTPHeadParser()) throws(HTTPParseError)
        -> Parsed?
    {
        var parser = parser
        let all = Array(text.utf8)
        let result = all.withUnsafeBytes { raw in
            Result { () throws(HTTPParseError) -> Parsed? in
                let skipped = try parser.emptyLinesBefore(raw)
                let rest = UnsafeRawBufferPointer(rebasing: raw[skipped...])
                guard let length = try parser.findEnd(rest) else { return nil }
                var head = HTTPRequestHead()
                try parser.parse(rest, length: length, into: &head)
                return Parsed(head: head, bytes: Array(rest[..<length]))
            }
        }
        return try result.get()
    }

    /// The error parsing `text` fails with, or nil when it parses.
    static func refusal(_ text: String, with parser: HTTPHeadParser = HTTPHeadParser()) -> HTTPParseError? {
        do throws(HTTPParseError) {
            _ = try parse(text, with: parser)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Request line

    @Test func originFormSplitsPathAndQuery() throws {
        let parsed = try #require(try Self.parse("GET /v1/items/a%20b?x=1&y=2 HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(parsed.head.method == .get)
        #expect(parsed.text(parsed.head.path) == "/v1/items/a%20b")
        #expect(parsed.text(parsed.head.query) == "x=1&y=2")
        #expect(parsed.head.minorVersion == 1)
        let bare = try #require(try Self.parse("POST / HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(bare.head.method == .post)
        #expect(bare.text(bare.head.path) == "/")
        #expect(bare.head.query.isEmpty)
    }

    @Test func methodsAreCaseSensitiveTokens() throws {
        #expect(try Self.parse("DELETE /a HTTP/1.1\r\nHost: h\r\n\r\n")?.head.method == .delete)
        #expect(try Self.parse("get /a HTTP/1.1\r\nHost: h\r\n\r\n")?.head.method == .other)
        #expect(try Self.parse("PURGE /a HTTP/1.1\r\nHost: h\r\n\r\n")?.head.method == .other)
        #expect(Self.refusal("G(T /a HTTP/1.1\r\nHost: h\r\n\r\n")?.detail == "malformed request line")
    }

    @Test(arguments: [
        ("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n", "the request target must be a path"),
        ("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "the request target must be a path"),
        ("CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n", "the request target must be a path"),
        ("GET\r\nHost: h\r\n\r\n", "malformed request line"),
        ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", "malformed request target"),
        ("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", "malformed HTTP version"),
        ("GET /a\u{7F}b HTTP/1.1\r\nHost: h\r\n\r\n", "malformed request target"),
    ])
    func otherRequestTargetsAreRefused(request: String, detail: String) {
        let error = Self.refusal(request)
        #expect(error?.kind == .malformed)
        #expect(error?.status == 400)
        #expect(error?.detail == detail)
    }

    // MARK: Versions

    @Test func http10ClosesUnlessKeepAliveIsAsked() throws {
        let plain = try #require(try Self.parse("GET / HTTP/1.0\r\n\r\n"))
        #expect(plain.head.minorVersion == 0)
        #expect(!plain.head.keepAlive)
        let kept = try #require(try Self.parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"))
        #expect(kept.head.keepAlive)
    }

    @Test func http11KeepsAliveUnlessCloseIsAmongTheTokens() throws {
        #expect(try Self.parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n")?.head.keepAlive == true)
        #expect(
            try Self.parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, close\r\n\r\n")?.head.keepAlive
                == false)
        // keep-alive does not undo a close, and means nothing more in HTTP/1.1.
        #expect(
            try Self.parse(
                "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n")?
                .head.keepAlive == false)
    }

    @Test(arguments: ["HTTP/2.0", "HTTP/1.2", "HTTP/0.9", "HTTP/3.0"])
    func otherVersionsAre505(version: String) {
        let error = Self.refusal("GET / \(version)\r\nHost: h\r\n\r\n")
        #expect(error?.kind == .unsupportedVersion)
        #expect(error?.status == 505)
    }

    @Test(arguments: ["http/1.1", "HTTP/1.x", "HTTP/11", "HTTP/1.10", "HTTP/1,1", "HTTP 1.1"])
    func malformedVersionsAre400(version: String) {
        let error = Self.refusal("GET / \(version)\r\nHost: h\r\n\r\n")
        #expect(error?.kind == .malformed)
        #expect(error?.detail == "malformed HTTP version")
    }

    @Test func http11NeedsExactlyOneHost() {
        #expect(Self.refusal("GET / HTTP/1.1\r\n\r\n")?.detail == "an HTTP/1.1 request needs a Host header")
        #expect(
            Self.refusal("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n")?.detail
                == "more than one Host header")
        #expect(Self.refusal("GET / HTTP/1.0\r\n\r\n") == nil)
    }

    // MARK: Field lines

    @Test func valuesAreTrimmedAndNamesMatchInAnyCase() throws {
        let parsed = try #require(
            try Self.parse("GET / HTTP/1.1\r\nHost: h\r\nX-Thing: \t a b \t\r\nX-Empty:\r\n\r\n"))
        #expect(parsed.header("x-thing") == "a b")
        #expect(parsed.header("X-THING") == "a b")
        #expect(parsed.header("x-empty") == "")
        #expect(parsed.header("x-missing") == nil)
        #expect(parsed.head.headers.count == 3)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  folded\r\n\r\n", "obsolete line folding is not allowed"),
        ("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\tfolded\r\n\r\n", "obsolete line folding is not allowed"),
        ("GET / HTTP/1.1\r\n Host: h\r\n\r\n", "obsolete line folding is not allowed"),
        ("GET / HTTP/1.1\r\nHost : h\r\n\r\n", "malformed header line"),
        ("GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", "malformed header line"),
        ("GET / HTTP/1.1\r\nHost: h\r\nNo-Colon\r\n\r\n", "malformed header line"),
        ("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u{0}b\r\n\r\n", "control character in a header value"),
        ("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u{7F}b\r\n\r\n", "control character in a header value"),
    ])
    func foldingAndMalformedFieldLinesAreRefused(request: String, detail: String) {
        #expect(Self.refusal(request)?.detail == detail)
    }

    @Test func expectContinueIsNoticed() throws {
        #expect(
            try Self.parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n\r\n")?.head.expectsContinue
                == true)
        #expect(
            try Self.parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: other\r\n\r\n")?.head.expectsContinue
                == false)
    }

    // MARK: Framing

    @Test func repeatsOfOneContentLengthAreOneLength() throws {
        #expect(
            try Self.parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n")?.head.contentLength == 5
        )
        #expect(
            try Self.parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n")?.head.contentLength
                == 5)
        #expect(
            try Self.parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n")?
                .head
                .contentLength == 5)
        #expect(try Self.parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n")?.head.contentLength == nil)
    }

    @Test(arguments: [
        ("Content-Length: 5\r\nContent-Length: 6", "differing Content-Length values"),
        ("Content-Length: 5, 6", "differing Content-Length values"),
        ("Content-Length: -1", "malformed Content-Length"),
        ("Content-Length: +5", "malformed Content-Length"),
        ("Content-Length: 0x10", "malformed Content-Length"),
        ("Content-Length: ", "malformed Content-Length"),
        ("Content-Length: 1234567890123456789", "malformed Content-Length"),
        ("Content-Length: 5\r\nTransfer-Encoding: chunked", "Content-Length and Transfer-Encoding together"),
        ("Transfer-Encoding: gzip", "the final transfer coding must be chunked"),
        ("Transfer-Encoding: chunked, chunked", "chunked may be applied only once"),
        (
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked",
            "more than one Transfer-Encoding header"
        ),
    ])
    func ambiguousFramingIsRefused(headers: String, detail: String) {
        let error = Self.refusal("POST / HTTP/1.1\r\nHost: h\r\n\(headers)\r\n\r\n")
        #expect(error?.kind == .malformed)
        #expect(error?.detail == detail)
    }

    @Test func chunkedIsTheOnlyCoding() throws {
        #expect(
            try Self.parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n")?.head.chunked
                == true)
        #expect(
            Self.refusal("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")?.status
                == 501)
        #expect(
            Self.refusal("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")?.detail
                == "Transfer-Encoding in an HTTP/1.0 request")
    }

    // MARK: Indexed headers

    static let indexing: HTTPHeadParser = {
        var parser = HTTPHeadParser()
        parser.indexedHeaders = [
            IndexedHeader("Authorization"), IndexedHeader("X-Trace", repeats: .lastWins),
        ]
        return parser
    }()

    @Test func indexedHeadersAreFoundByPosition() throws {
        let parsed = try #require(
            try Self.parse(
                "GET / HTTP/1.1\r\nhost: h\r\nx-trace: one\r\nAUTHORIZATION:  Bearer t \r\nX-Request-Id: r1\r\n\r\n",
                with: Self.indexing))
        #expect(parsed.text(parsed.head.indexedValue(at: 0)) == "Bearer t")
        #expect(parsed.text(parsed.head.indexedValue(at: 1)) == "one")
        #expect(parsed.text(parsed.head.requestID) == "r1")
        #expect(parsed.head.indexedValue(at: 2) == nil)
        let none = try #require(try Self.parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n", with: Self.indexing))
        #expect(none.head.indexedValue(at: 0) == nil && none.head.indexedValue(at: 1) == nil)
    }

    @Test func aRepeatedIndexedHeaderIsRefusedOrTheLastOneWins() throws {
        let twice = "GET / HTTP/1.1\r\nHost: h\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n"
        #expect(Self.refusal(twice, with: Self.indexing)?.detail == "more than one Authorization header")
        // Without the index the repeat is just two header lines.
        #expect(Self.refusal(twice) == nil)
        let last = try #require(
            try Self.parse(
                "GET / HTTP/1.1\r\nHost: h\r\nX-Trace: a\r\nX-Trace: b\r\n\r\n", with: Self.indexing))
        #expect(last.text(last.head.indexedValue(at: 1)) == "b")
        let ids = try #require(
            try Self.parse("GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: a\r\nX-Request-Id: b\r\n\r\n"))
        #expect(ids.text(ids.head.requestID) == "b")
    }

    @Test func aNameThatOnlyStartsLikeAnIndexedOneIsNotIt() throws {
        let parsed = try #require(
            try Self.parse(
                "GET / HTTP/1.1\r\nHost: h\r\nAuthorizations: x\r\nX-Trac: y\r\n\r\n", with: Self.indexing))
        #expect(parsed.head.indexedValue(at: 0) == nil)
        #expect(parsed.head.indexedValue(at: 1) == nil)
    }

    // MARK: Limits

    @Test func tooManyHeaderLinesAre431() {
        var parser = HTTPHeadParser()
        parser.maxHeaders = 2
        #expect(Self.refusal("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n\r\n", with: parser) == nil)
        let error = Self.refusal("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", with: parser)
        #expect(error?.kind == .headersTooLarge)
        #expect(error?.status == 431)
    }

    @Test func aHeadPastTheByteLimitIs431EvenBeforeItEnds() throws {
        let parser = HTTPHeadParser(maxHeadBytes: 64)
        let head = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: \(String(repeating: "a", count: 24))\r\n"
        #expect(head.utf8.count <= 64)
        #expect(try Self.parse(head + "\r\n", with: parser) != nil)
        #expect(
            Self.refusal(head + "X-More: \(String(repeating: "b", count: 40))\r\n\r\n", with: parser)?.status
                == 431)
        // No line end yet, but already too long.
        #expect(
            Self.refusal("GET /\(String(repeating: "c", count: 80))", with: parser)?.kind == .headersTooLarge)
    }

    @Test func findEndWaitsForTheEmptyLineAndResumes() throws {
        var parser = HTTPHeadParser()
        let whole = Array("GET / HTTP/1.1\r\nHost: h\r\n\r\nbody".utf8)
        var ends: [Int?] = []
        // Cut after the request line's LF, before the empty line's LF, after it, and in the body.
        try whole.withUnsafeBytes { raw in
            for cut in [17, 26, 27, 30] {
                ends.append(try parser.findEnd(UnsafeRawBufferPointer(rebasing: raw[..<cut])))
            }
        }
        #expect(ends == [nil, nil, 27, 27])
        #expect(try Self.parse("GET / HTTP/1.1\r\nHost: h\r\n") == nil)
    }

    // MARK: Line endings

    @Test func bareLineFeedsAreRefusedUnlessAllowed() throws {
        let lf = "GET / HTTP/1.1\nHost: h\n\n"
        #expect(Self.refusal(lf)?.detail == "a line ends in LF without CR")
        #expect(Self.refusal("GET / HTTP/1.1\r\nHost: h\n\r\n")?.detail == "a line ends in LF without CR")
        var lenient = HTTPHeadParser()
        lenient.allowsBareLineFeed = true
        let parsed = try #require(try Self.parse(lf, with: lenient))
        #expect(parsed.header("host") == "h")
    }

    @Test func emptyLinesBeforeTheRequestLineAreSkippedButNotBareOnes() throws {
        let parsed = try #require(try Self.parse("\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(parsed.text(parsed.head.path) == "/x")
        #expect(Self.refusal("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")?.detail == "a line ends in LF without CR")
        #expect(Self.refusal("\rGET / HTTP/1.1\r\nHost: h\r\n\r\n")?.detail == "a CR not followed by LF")
        // A CR as the last byte so far may begin CR LF: wait for more.
        #expect(try Self.parse("\r") == nil)
    }

    @Test func aBareCarriageReturnInsideALineIsRefused() {
        #expect(
            Self.refusal("GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n")?.detail
                == "control character in a header value")
        #expect(Self.refusal("GET / HTTP/1.1\rX\r\nHost: h\r\n\r\n")?.kind == .malformed)
    }
}
