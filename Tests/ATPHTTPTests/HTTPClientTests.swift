import ATPPosix
import ATPTestSupport
import ATPUtilities
import Glibc
import Testing

@testable import ATPHTTP

private func ok(_ body: String, _ extra: String = "") -> String {
    "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\(extra)\r\n\(body)"
}

private func text(_ response: HTTPClientResponse) -> String { String(decoding: response.body, as: UTF8.self) }

/// The client error `body` throws, or nil when it throws none.
private func failure(_ body: () throws -> Void) -> HTTPClientError? {
    do { try body() } catch let error as HTTPClientError { return error } catch { Issue.record("\(error)") }
    return nil
}

// MARK: Tests

@Suite(.serialized, .timeLimit(.minutes(1)))
struct HTTPClientTests {
    @Test func contentLengthBodyAndRequestFraming() throws {
        let server = try ScriptedServer(responses: [
            "HTTP/1.1 201 Created\r\nX-Thing:  v \r\nContent-Length: 5\r\n\r\nhello"
        ])
        defer { server.finish() }
        let connection = try HTTPClientConnection(to: server.address)
        let response = try connection.send(
            HTTPClientRequest(
                method: .post, path: "/orders?x=1", json: Array("{}".utf8), headers: [("X-Custom", "1")]))
        connection.close()
        server.finish()
        #expect(response.status == 201 && text(response) == "hello" && !response.closesConnection)
        #expect(response.header("x-THING") == "v")
        #expect(
            server.requests == [
                "POST /orders?x=1 HTTP/1.1\r\nHost: \(server.address)\r\nX-Custom: 1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 2\r\n"
                    + "Connection: keep-alive\r\n\r\n{}"
            ])
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let server = try ScriptedServer { peer, _ in
            _ = peer.readRequest()
            // In pieces, so the client parses across reads.
            for piece in [
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r",
                "\nhello\r\n6 ; name=\"v\"\r\n wo",
                "rld\r\n0\r\nX-Trailer: t\r\n\r\n",
            ] {
                peer.write(piece)
                MonotonicClock.sleep(milliseconds: 20)
            }
            peer.answer([ok("next")])
        }
        defer { server.finish() }
        let connection = try HTTPClientConnection(to: server.address)
        let first = try connection.send(HTTPClientRequest(path: "/"))
        let second = try connection.send(HTTPClientRequest(path: "/"))
        connection.close()
        #expect(server.finish() == false)
        #expect(text(first) == "hello world" && text(second) == "next")
    }

    @Test func bodyUntilClose() throws {
        for head in ["HTTP/1.1 200 OK\r\n\r\n", "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"] {
            let server = try ScriptedServer { peer, _ in
                _ = peer.readRequest()
                peer.write(head + "until ")
                MonotonicClock.sleep(milliseconds: 20)
                peer.write("close")
            }
            defer { server.finish() }
            let connection = try HTTPClientConnection(to: server.address)
            let response = try connection.send(HTTPClientRequest(path: "/"))
            server.finish()
            #expect(text(response) == "until close" && response.closesConnection && !connection.isOpen)
        }
    }

    @Test func responsesWithoutBody() throws {
        let server = try ScriptedServer(responses: [
            "HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", ok("body"),
        ])
        defer { server.finish() }
        let connection = try HTTPClientConnection(to: server.address)
        let responses = try [HTTPMethod.delete, .head, .get, .get].map { method throws(HTTPClientError) in
            try connection.send(HTTPClientRequest(method: method, path: "/"))
        }
        connection.close()
        server.finish()
        #expect(responses.map(\.status) == [204, 200, 304, 200])
        #expect(responses.map(text) == ["", "", "", "body"])
        #expect(
            server.requests[2].hasPrefix("GET / HTTP/1.1\r\n")
                && !server.requests[2].contains("Content-Length"))
    }

    @Test func interimResponsesAreSkipped() throws {
        let server = try ScriptedServer(responses: [
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + ok("done", "X-Final: 1\r\n")
        ])
        defer { server.finish() }
        let connection = try HTTPClientConnection(to: server.address)
        let response = try connection.send(HTTPClientRequest(method: .put, path: "/x"))
        connection.close()
        server.finish()
        #expect(response.status == 200 && text(response) == "done")
        #expect(response.headers.map(\.name) == ["Content-Length", "X-Final"])
    }

    @Test func keepAliveReusesOneConnection() throws {
        let server = try ScriptedServer(responses: [ok("a"), ok("b"), ok("c")])
        defer { server.finish() }
        let client = HTTPClient(readTimeoutMilliseconds: 3_000)
        let bodies = try ["a", "b", "c"].map { _ throws(HTTPClientError) in
            text(try client.send(HTTPClientRequest(path: "/"), to: server.address))
        }
        #expect(client.idleConnectionCount(to: server.address) == 1)
        client.closeIdleConnections()
        #expect(server.finish() == false)  // no second connection was attempted
        #expect(bodies == ["a", "b", "c"] && server.accepted == 1 && server.requests.count == 3)
    }

    /// A pooled connection the server closed: after its response (caught before sending), and
    /// on receiving the next request (caught after sending). Both succeed on a new connection.
    @Test(arguments: [false, true]) func stalePooledConnectionIsReplaced(closeOnNextRequest: Bool) throws {
        let server = try ScriptedServer(connections: 2) { peer, index in
            guard index == 0 else { return peer.answer([ok("second")]) }
            _ = peer.readRequest()
            peer.write(ok("first"))
            if closeOnNextRequest { _ = peer.readRequest() }
        }
        defer { server.finish() }
        let client = HTTPClient(readTimeoutMilliseconds: 3_000)
        let first = try client.send(HTTPClientRequest(path: "/1"), to: server.address)
        if !closeOnNextRequest { MonotonicClock.sleep(milliseconds: 50) }
        let second = try client.send(HTTPClientRequest(path: "/2"), to: server.address)
        client.closeIdleConnections()
        #expect(server.finish() == false)
        #expect(text(first) == "first" && text(second) == "second" && server.accepted == 2)
        #expect(server.requests.count == (closeOnNextRequest ? 3 : 2))
    }

    @Test func noRetryAfterPartOfAResponse() throws {
        let server = try ScriptedServer { peer, _ in
            _ = peer.readRequest()
            peer.write(ok("first"))
            _ = peer.readRequest()
            peer.write("HTTP/1.1 200 OK\r\nContent-Le")
        }
        defer { server.finish() }
        let client = HTTPClient(readTimeoutMilliseconds: 3_000)
        _ = try client.send(HTTPClientRequest(path: "/"), to: server.address)
        let error = failure { _ = try client.send(HTTPClientRequest(path: "/"), to: server.address) }
        #expect(error == .connectionClosed)
        #expect(server.finish() == false && server.accepted == 1)
    }

    @Test func silentServerTimesOutWithoutRetry() throws {
        let server = try ScriptedServer { peer, _ in
            _ = peer.readRequest()
            peer.write(ok("first"))
            peer.drain()  // reads the second request, never answers, waits for the client to close
        }
        defer { server.finish() }
        let client = HTTPClient(readTimeoutMilliseconds: 400)
        _ = try client.send(HTTPClientRequest(path: "/"), to: server.address)
        let clock = ContinuousClock()
        let start = clock.now
        let error = failure { _ = try client.send(HTTPClientRequest(path: "/"), to: server.address) }
        let elapsed = clock.now - start
        #expect(error == .timedOut && error?.isTimeout == true)
        #expect(elapsed >= .milliseconds(390) && elapsed < .milliseconds(800))
        #expect(server.finish() == false && server.accepted == 1)
    }

    @Test func refusedPortFailsToConnect() throws {
        let listener = try TCPSocket.listen(on: .loopback(port: 0))
        let address = try TCPSocket.localAddress(listener)
        Syscall.close(listener)
        let error = failure { _ = try HTTPClient().send(HTTPClientRequest(path: "/"), to: address) }
        #expect(error == .connectFailed(errno: ECONNREFUSED) && error?.isTimeout == false)
    }

    @Test func malformedStatusLine() throws {
        let server = try ScriptedServer(responses: ["HTTP/1.1 2O0 OK\r\nContent-Length: 0\r\n\r\n"])
        defer { server.finish() }
        let connection = try HTTPClientConnection(to: server.address)
        let error = failure { _ = try connection.send(HTTPClientRequest(path: "/")) }
        server.finish()
        #expect(error?.isMalformedResponse == true && !connection.isOpen)
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 1500\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" + String(repeating: "x", count: 600)
            + "\r\n258\r\n",
        "HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 1500),
    ])
    func oversizedBody(response: String) throws {
        let server = try ScriptedServer(responses: [response])
        defer { server.finish() }
        let client = HTTPClient(maxResponseBodyBytes: 1000)
        let error = failure { _ = try client.send(HTTPClientRequest(path: "/"), to: server.address) }
        server.finish()
        #expect(error == .bodyTooLarge)
    }

    @Test func pipelinedRequestsAnsweredInOrder() throws {
        let server = try ScriptedServer { peer, _ in
            for _ in 0..<5 { _ = peer.readRequest() }
            peer.write(
                ok("r0") + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nr1\r\n0\r\n\r\n"
                    + "HTTP/1.1 204 No Content\r\n\r\n" + ok("r3") + ok("r4"))
            peer.drain()
        }
        defer { server.finish() }
        let connection = try HTTPClientConnection(to: server.address)
        let requests = (0..<5).map {
            HTTPClientRequest(method: $0 == 2 ? .delete : .post, path: "/\($0)", body: [UInt8(48 + $0)])
        }
        let responses = try connection.sendPipelined(requests)
        #expect(connection.isOpen)
        connection.close()
        server.finish()
        #expect(responses.map(text) == ["r0", "r1", "", "r3", "r4"])
        #expect(server.requests.map { $0.split(separator: " ")[1] } == ["/0", "/1", "/2", "/3", "/4"])
    }

    // MARK: Without sockets

    @Test(arguments: [
        "HTTP/2.0 200 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n", "HTTP/1.1 600 X\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA : b\r\n\r\n",
        "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", "HTTP/1.1 200 OK\r\nA: b\u{1}\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\n\r\n",
    ])
    func parserRefusesMalformedHeads(head: String) {
        var parser = HTTPResponseParser()
        parser.begin(method: .get)
        let error = failure { _ = try Array(head.utf8).withUnsafeBytes { try parser.consume($0) } }
        #expect(error?.isMalformedResponse == true)
    }

    @Test func parserTakesBytesOneAtATime() throws {
        let wire = Array(
            ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
                + "Content-Length: 3, 3\r\n\r\nabc"
                + "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n")
                .utf8)
        var parser = HTTPResponseParser()
        var responses: [HTTPClientResponse] = []
        var pending: [UInt8] = []
        parser.begin(method: .get)
        for byte in wire {
            pending.append(byte)
            let used = try pending.withUnsafeBytes { bytes throws(HTTPClientError) in
                try parser.consume(bytes)
            }
            pending.removeFirst(used)
            if parser.isComplete {
                responses.append(parser.takeResponse())
                parser.begin(method: .get)
            }
        }
        #expect(responses.map(text) == ["abc", "z"] && pending.isEmpty)
        #expect(responses.map(\.closesConnection) == [false, false])
        parser.begin(method: .get)
        let close = "HTTP/1.0 200 OK\r\nConnection: close, keep-alive\r\nContent-Length: 0\r\n\r\n"
        _ = try Array(close.utf8).withUnsafeBytes { try parser.consume($0) }
        #expect(parser.isComplete && parser.takeResponse().closesConnection)
        // Limits: a head past 16 KiB, a declared body past the maximum (refused before it arrives).
        var small = HTTPResponseParser(maxBodyBytes: 10)
        for (head, expected) in [
            ("A: " + String(repeating: "b", count: 16_400), "malformed response"),
            ("Content-Length: 11", "the response body"),
        ] {
            small.begin(method: .get)
            let error = failure {
                _ = try Array("HTTP/1.1 200 OK\r\n\(head)\r\n\r\n".utf8).withUnsafeBytes {
                    try small.consume($0)
                }
            }
            #expect(error?.description.hasPrefix(expected) == true)
        }
    }

    @Test func retryAfter() {
        #expect(HTTPResponseParser.retryAfterSeconds("120", nowUnixSeconds: 0) == 120)
        #expect(
            HTTPResponseParser.retryAfterSeconds("Sun, 06 Nov 1994 08:49:37 GMT", nowUnixSeconds: 784_111_770)
                == 7)
        #expect(
            HTTPResponseParser.retryAfterSeconds("Sun, 06 Nov 1994 08:49:37 GMT", nowUnixSeconds: 784_111_800)
                == 0)
        #expect(HTTPResponseParser.retryAfterSeconds("soon", nowUnixSeconds: 0) == nil)
        #expect(HTTPClientResponse(status: 429, headers: [("retry-after", "5")]).retryAfterSeconds == 5)
    }

    @Test func endpoints() {
        let endpoint = HTTPEndpoint(url: "HTTP://127.0.0.1:8080/hooks/a?b=c#frag")
        #expect(
            endpoint?.address == SocketAddress(parsing: "127.0.0.1:8080")
                && endpoint?.hostHeader == "127.0.0.1:8080")
        #expect(endpoint?.path == "/hooks/a?b=c")
        #expect(HTTPEndpoint(url: "http://localhost")?.address == .loopback(port: 80))
        #expect(HTTPEndpoint(url: "http://localhost?q")?.path == "/?q")
        for bad in [
            "https://127.0.0.1/", "http://example.com/", "http://u@127.0.0.1/", "http://127.0.0.1:99999/",
            "http://127.0.0.1:/", "http:///x", "http://127.0.0.1/a b", "ftp://127.0.0.1/",
        ] {
            #expect(HTTPEndpoint(url: bad) == nil, "\(bad)")
        }
    }

    @Test func invalidRequestsAreRefusedBeforeSending() {
        var out: [UInt8] = []
        let bad = [
            HTTPClientRequest(path: "/", headers: [("X-A", "1\r\nX-Injected: 1")]),
            HTTPClientRequest(path: "/", headers: [("Bad Name", "1")]),
            HTTPClientRequest(path: "/", headers: [("content-length", "1")]),
            HTTPClientRequest(path: "no-slash"), HTTPClientRequest(path: "/a b"),
            HTTPClientRequest(method: .other, path: "/"),
        ]
        for request in bad {
            let error = failure { try request.serialize(defaultHost: "h", into: &out) }
            #expect(error?.description.hasPrefix("invalid request") == true && out.isEmpty)
        }
        let endpoint = HTTPEndpoint(url: "http://127.0.0.1:9/p")!
        #expect(
            failure {
                try HTTPClientRequest(method: .get, endpoint: endpoint).serialize(
                    defaultHost: "h", into: &out)
            } == nil)
        #expect(
            String(decoding: out, as: UTF8.self)
                == "GET /p HTTP/1.1\r\nHost: 127.0.0.1:9\r\nConnection: keep-alive\r\n\r\n")
    }

    // MARK: Against HTTPServer

    private final class EchoResponder: HTTPResponder {
        func bodyLimit(for head: HTTPRequestHead, headBytes: UnsafeRawBufferPointer) -> Int { 1 << 20 }
        func respond(to request: HTTPRequest, _ response: inout HTTPResponse) -> HTTPDisposition {
            response.contentType = .plainText
            response.body.append(contentsOf: request.body)
            return .answered
        }
    }

    @Test func hundredKeepAliveRequestsToHTTPServer() throws {
        let server = try HTTPServer(
            configuration: HTTPServerConfiguration(address: .loopback(port: 0)), responder: EchoResponder())
        server.start()
        defer {
            server.shutdown()
            server.wait()
        }
        let connection = try HTTPClientConnection(to: server.boundAddress, readTimeoutMilliseconds: 5_000)
        defer { connection.close() }
        for i in 0..<100 {
            let response = try connection.send(
                HTTPClientRequest(method: .post, path: "/echo", body: Array("request \(i)".utf8)))
            #expect(response.status == 200 && text(response) == "request \(i)" && !response.closesConnection)
        }
        let batch = try connection.sendPipelined(
            (0..<10).map { HTTPClientRequest(method: .put, path: "/", body: [UInt8(65 + $0)]) })
        #expect(batch.map(text).joined() == "ABCDEFGHIJ" && connection.isOpen && server.openConnections == 1)
    }

    /// Four threads share one pooled client; the pool hands each its own connection.
    @Test func sharedClientFromSeveralThreads() throws {
        let server = try HTTPServer(
            configuration: HTTPServerConfiguration(address: .loopback(port: 0)), responder: EchoResponder())
        server.start()
        defer {
            server.shutdown()
            server.wait()
        }
        let client = HTTPClient(readTimeoutMilliseconds: 5_000, maxIdlePerHost: 2)
        let echoed = Locked([0, 0, 0, 0])
        onThreads(4) { index in
            for i in 0..<50 {
                let body = Array("\(index)/\(i)".utf8)
                let response = try? client.send(
                    HTTPClientRequest(method: .post, path: "/", body: body), to: server.boundAddress)
                if response?.body == body { echoed.withLock { $0[index] += 1 } }
            }
        }
        #expect(echoed.withLock { $0 } == [50, 50, 50, 50])
        #expect(client.idleConnectionCount(to: server.boundAddress) <= 2)
        client.closeIdleConnections()
    }
}
