import ATPPosix
import ATPTestExpectations
import ATPTestSupport
import ATPUtilities
import Glibc
import Testing

@testable import ATPHTTP

/// End-to-end tests of `HTTPServer`: a real server per test on 127.0.0.1, raw bytes on the wire.
///
/// Serialized (with the nested suites in the other HTTPServer*Tests files) because several tests
/// measure timeouts and thread CPU time, which parallel load on a 2-core machine would blur.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct HTTPServerTests {
    // MARK: Basics

    @Test func simpleGet() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            try client.send(get("/hello?x=1&y=%20"))
            let response = try client.readResponse()
            try expectDescribed(response, path: "/hello", query: "x=1&y=%20")
            #expect(response.header("Content-Length") == String(response.body.count))
            #expect(response.header("Date")?.hasSuffix(" GMT") == true)
            #expect(response.header("X-Request-Id")?.isEmpty == false)
            #expect(response.header("Connection") == nil)
        }
    }

    @Test func keepAliveServesThreeRequestsOnOneConnection() throws {
        try withServer { server, _, port in
            let client = try connect(port)
            for (i, path) in ["/one", "/two", "/three"].enumerated() {
                try client.send(get(path + "?i=\(i)"))
                let response = try client.readResponse()
                try expectDescribed(response, path: path, query: "i=\(i)")
                #expect(response.header("Connection") == nil)
            }
            #expect(server.openConnections == 1)
            #expect(client.bytesArriving(withinMilliseconds: 100).isEmpty)
        }
    }

    @Test func http10WithoutKeepAliveCloses() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            try client.send("GET /old HTTP/1.0\r\n\r\n")
            let response = try client.readResponse()
            try expectDescribed(response, path: "/old")
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByPeer())
        }
    }

    @Test func http10WithKeepAliveStaysOpen() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            for path in ["/a", "/b"] {
                try client.send("GET \(path) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let response = try client.readResponse()
                try expectDescribed(response, path: path)
                #expect(response.header("Connection") == "keep-alive")
            }
        }
    }

    @Test func connectionCloseClosesAfterTheResponse() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            try client.send(get("/bye", "Connection: close"))
            let response = try client.readResponse()
            try expectDescribed(response, path: "/bye")
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByPeer())
            // Requests pipelined behind `Connection: close` are not answered.
            let pipelined = try connect(port)
            try pipelined.send(get("/last", "Connection: close") + get("/ignored"))
            try expectDescribed(try pipelined.readResponse(), path: "/last")
            #expect(pipelined.readUntilClosed(timeoutMilliseconds: 3_000) == [])
        }
    }

    @Test func headSendsContentLengthButNoBody() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            try client.send("HEAD /thing HTTP/1.1\r\nHost: test\r\n\r\n")
            let head = try client.readRawHead()
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
            let lengthLine = head.split(separator: "\r\n").first {
                $0.lowercased().hasPrefix("content-length:")
            }
            let length = lengthLine.flatMap { Int($0.split(separator: ":")[1].filter { $0 != " " }) }
            // The length of the body a GET would have had.
            #expect(length == #"{"method":"HEAD","path":"/thing","query":"","bodyLength":0}"#.utf8.count)
            #expect(client.bytesArriving(withinMilliseconds: 200).isEmpty)
            // The connection is still in sync: the next answer starts right away.
            try client.send(get("/after"))
            try expectDescribed(try client.readResponse(), path: "/after")
        }
    }

    // MARK: Pipelining

    @Test func tenPipelinedRequestsAreAnsweredInOrder() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            var batch = ""
            for i in 0..<10 {
                batch += i == 5 ? post("/p5", "hello") : get("/p\(i)?n=\(i)")
            }
            try client.send(batch)
            for i in 0..<10 {
                let response = try client.readResponse()
                if i == 5 {
                    try expectDescribed(response, method: "POST", path: "/p5", bodyLength: 5)
                } else {
                    try expectDescribed(response, path: "/p\(i)", query: "n=\(i)")
                }
            }
            #expect(client.bytesArriving(withinMilliseconds: 100).isEmpty)
        }
    }

    @Test func pipelinedDeferredRequestHoldsBackTheOnesBehindIt() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            let started = MonotonicClock.milliseconds()
            try client.send(
                get("/a") + get("/b") + get("/slow", "X-Request-Id: third") + get("/d") + get("/e"))
            try expectDescribed(try client.readResponse(), path: "/a")
            try expectDescribed(try client.readResponse(), path: "/b")
            let third = try client.readResponse()
            try expectDescribed(third, path: "/slow", query: "")
            #expect(third.header("X-Deferred") == "1")
            #expect(third.header("X-Request-Id") == "third")
            #expect(MonotonicClock.milliseconds() - started >= 90)
            let fourth = try client.readResponse()
            try expectDescribed(fourth, path: "/d")
            #expect(fourth.header("X-Deferred") == nil)
            try expectDescribed(try client.readResponse(), path: "/e")
        }
    }

    @Test func pipelinedMalformedRequestIsRefusedAfterTheOnesBeforeIt() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            try client.send(
                get("/first") + get("/slow?ms=50") + "GET / HTTP/1.1\r\nHost : bad\r\n\r\n" + get("/never"))
            try expectDescribed(try client.readResponse(), path: "/first")
            try expectDescribed(try client.readResponse(), path: "/slow", query: "ms=50")
            expectProblem(try client.readResponse(), 400, "invalid_request", closesConnection: true)
            #expect(client.readUntilClosed(timeoutMilliseconds: 3_000) == [])
        }
    }

    // MARK: Deferred responses

    @Test func deferredResponseFromAnotherThread() throws {
        try withServer { _, responder, port in
            let client = try connect(port)
            try client.send(get("/slow", "X-Request-Id: deferred-1"))
            let response = try client.readResponse()
            try expectDescribed(response, path: "/slow")
            #expect(response.header("X-Deferred") == "1")
            #expect(response.header("X-Request-Id") == "deferred-1")
            #expect(responder.deferredCompleted.load(ordering: .relaxed) == 1)
            // The connection goes on after a deferred answer.
            try client.send(get("/slow?ms=1") + get("/next"))
            try expectDescribed(try client.readResponse(), path: "/slow", query: "ms=1")
            try expectDescribed(try client.readResponse(), path: "/next")
        }
    }

    @Test func deferredCompletionAfterTheClientClosed() throws {
        try withServer { server, responder, port in
            do {
                let client = try connect(port)
                try client.send(get("/hold"))
                #expect(eventually { responder.heldCount == 1 })
            }  // closed here, with the answer still pending
            sleepMilliseconds(50)
            #expect(responder.releaseHeld() == 1)
            #expect(eventually { server.openConnections == 0 })
            let other = try connect(port)
            try other.send(get("/alive"))
            try expectDescribed(try other.readResponse(), path: "/alive")
        }
    }

    @Test func deferredCompletionAfterTheClientReset() throws {
        try withServer { server, responder, port in
            do {
                let client = try connect(port)
                try client.send(get("/hold") + get("/queued-behind"))
                #expect(eventually { responder.heldCount == 1 })
                client.resetOnClose()
            }
            #expect(eventually { server.openConnections == 0 })
            #expect(responder.releaseHeld() == 1)
            let other = try connect(port)
            try other.send(get("/alive"))
            try expectDescribed(try other.readResponse(), path: "/alive")
        }
    }

    /// After the client's FIN the socket stays readable (end of stream) for as long as the answer
    /// is pending; the loop must not spin on it.
    @Test func pendingDeferredAfterClientCloseDoesNotBusyLoop() throws {
        try withServer(.testing(threads: 1)) { server, responder, port in
            let client = try connect(port)
            try client.send(get("/hold"))
            #expect(eventually { responder.heldCount == 1 })
            let loopThread = pthread_t(responder.lastLoopThread.load(ordering: .relaxed))
            client.shutdownWrite()
            sleepMilliseconds(50)
            let before = try #require(cpuMilliseconds(ofThread: loopThread))
            sleepMilliseconds(500)
            let after = try #require(cpuMilliseconds(ofThread: loopThread))
            #expect(
                after - before < 100, "the loop thread used \(after - before) ms of CPU in 500 ms while idle")
            responder.releaseHeld()
            // A half-closed client still gets its answer, then the server closes.
            try expectDescribed(try client.readResponse(), path: "/hold")
            #expect(client.isClosedByPeer())
            #expect(eventually { server.openConnections == 0 })
        }
    }

    // MARK: Bodies

    @Test func contentLengthBody() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            try client.send(post("/body", "hello world"))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(response.text == "hello world")
            // Every byte value survives, and the body may arrive after the head in another write.
            let binary = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            try client.send("POST /body/bin HTTP/1.1\r\nHost: test\r\nContent-Length: 1024\r\n\r\n")
            sleepMilliseconds(20)
            try client.send(Array(binary[..<300]))
            sleepMilliseconds(20)
            try client.send(Array(binary[300...]))
            #expect(try client.readResponse().body == binary)
            try client.send(post("/sized", "12345"))
            try expectDescribed(try client.readResponse(), method: "POST", path: "/sized", bodyLength: 5)
        }
    }

    private static let chunkedRequest =
        "POST /body/chunked HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;name=value\r\nhello\r\n1;a;b=\"c d\"\r\n \r\nA\r\nchunked!!!\r\n0\r\nX-Trailer: yes\r\nX-Other: 2\r\n\r\n"

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            // A pipelined request right behind it checks that the trailers were consumed exactly.
            try client.send(Self.chunkedRequest + get("/after"))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello chunked!!!")
            try expectDescribed(try client.readResponse(), path: "/after")
        }
    }

    @Test func chunkedBodySentByteByByte() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            try client.sendByteByByte(Self.chunkedRequest)
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello chunked!!!")
            try client.sendByteByByte(post("/sized", "abc"))
            try expectDescribed(try client.readResponse(), method: "POST", path: "/sized", bodyLength: 3)
        }
    }

    @Test func expectContinueGets100BeforeTheAnswer() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            try client.send(
                "POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            #expect(try client.readRawHead() == "HTTP/1.1 100 Continue\r\n\r\n")
            try client.send("12345")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "12345")
            // Over the limit: no 100, straight to 413.
            try client.send(
                "POST /small HTTP/1.1\r\nHost: test\r\nContent-Length: 65\r\nExpect: 100-continue\r\n\r\n")
            expectProblem(try client.readResponse(), 413, "payload_too_large", closesConnection: true)
            #expect(client.isClosedByPeer())
        }
    }

    @Test func largeBodyIsEchoedWhole() throws {
        try withServer { _, _, port in
            // The body first: making 3 MiB takes seconds under ThreadSanitizer, and a connection
            // opened before could pass the server's 10 s header timeout idle and be closed.
            var generator = SeededGenerator(seed: 7)
            let body = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let client = try connect(port)
            try client.send(
                Array("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
                    + body)
            #expect(try client.readResponse().body == body)
            try client.send(get("/after"))
            try expectDescribed(try client.readResponse(), path: "/after")
        }
    }

    /// A client that sends its request and then its FIN must still get the whole answer, even one
    /// too large for the socket buffer.
    @Test func halfClosedClientGetsTheWholeLargeResponse() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            let body = [UInt8](repeating: UInt8(ascii: "z"), count: 6 << 20)
            try client.send(
                Array("POST /body HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
                    + body)
            client.shutdownWrite()
            sleepMilliseconds(100)  // let the server fill the socket buffer and wait to write more
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.body.count == body.count)
            #expect(client.isClosedByPeer())
        }
    }

    // MARK: Request ids

    @Test func requestIdIsEchoed() throws {
        try withServer { _, _, port in
            let client = try connect(port)
            try client.send(get("/a", "X-Request-Id: abc-123_XYZ"))
            #expect(try client.readResponse().header("X-Request-Id") == "abc-123_XYZ")
            // Too long to echo: a fresh one instead.
            let long = String(repeating: "r", count: 129)
            try client.send(get("/b", "X-Request-Id: \(long)"))
            let generated = try #require(try client.readResponse().header("X-Request-Id"))
            #expect(generated != long && generated.count == 24)
        }
    }

    @Test func generatedRequestIdsAreUnique() throws {
        try withServer { _, _, port in
            var ids: Set<String> = []
            for _ in 0..<10 {
                let client = try connect(port)
                for i in 0..<10 {
                    try client.send(get("/id/\(i)"))
                    let id = try #require(try client.readResponse().header("X-Request-Id"))
                    #expect(id.count == 24 && id.allSatisfy(\.isHexDigit), "\(id)")
                    ids.insert(id)
                }
            }
            #expect(ids.count == 100)
        }
    }
}
