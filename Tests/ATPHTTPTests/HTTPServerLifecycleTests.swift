import ATPJSON
import ATPPosix
import ATPTestExpectations
import ATPTestSupport
import ATPUtilities
import Glibc
import Testing

@testable import ATPHTTP

extension HTTPServerTests {
    /// Timeouts, the connection cap, graceful shutdown and many clients at once.
    @Suite struct Lifecycle {
        // MARK: Timeouts

        @Test func partialHeadThenSilenceIs408() throws {
            try withServer(.testing { $0.headerTimeoutMilliseconds = 300 }) { _, _, port in
                let client = try connect(port)
                let started = MonotonicClock.milliseconds()
                try client.send("GET /slowloris HTTP/1.1\r\nHost: a\r\nX-Partial: ")
                expectProblem(try client.readResponse(), 408, "request_timeout", closesConnection: true)
                let elapsed = MonotonicClock.milliseconds() - started
                #expect(elapsed >= 250 && elapsed < 2_000, "408 after \(elapsed) ms")
                #expect(client.isClosedByPeer())
            }
        }

        @Test func silentConnectionIsClosedWithoutAnswer() throws {
            try withServer(.testing { $0.headerTimeoutMilliseconds = 300 }) { server, _, port in
                let client = try connect(port)
                let started = MonotonicClock.milliseconds()
                let received = client.readUntilClosed(timeoutMilliseconds: 3_000)
                let elapsed = MonotonicClock.milliseconds() - started
                #expect(received == [], "expected a silent close")
                #expect(elapsed >= 200 && elapsed < 2_000, "closed after \(elapsed) ms")
                #expect(eventually { server.openConnections == 0 })
            }
        }

        @Test func idleKeepAliveConnectionIsClosed() throws {
            try withServer(.testing { $0.idleTimeoutMilliseconds = 300 }) { _, _, port in
                let client = try connect(port)
                // Requests closer together than the idle timeout keep the connection.
                for i in 0..<4 {
                    try client.send(get("/tick/\(i)"))
                    try expectDescribed(try client.readResponse(), path: "/tick/\(i)")
                    sleepMilliseconds(150)
                }
                let started = MonotonicClock.milliseconds()
                let received = client.readUntilClosed(timeoutMilliseconds: 3_000)
                let elapsed = MonotonicClock.milliseconds() - started
                #expect(received == [], "expected a silent close")
                #expect(elapsed < 2_000, "closed after \(elapsed) ms")
            }
        }

        @Test func bodyThatStopsArrivingIs408() throws {
            try withServer(.testing { $0.progressTimeoutMilliseconds = 300 }) { _, _, port in
                let client = try connect(port)
                try client.send("POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789")
                let started = MonotonicClock.milliseconds()
                expectProblem(try client.readResponse(), 408, "request_timeout", closesConnection: true)
                let elapsed = MonotonicClock.milliseconds() - started
                #expect(elapsed >= 250 && elapsed < 2_000, "408 after \(elapsed) ms")
                #expect(client.isClosedByPeer())

                let chunked = try connect(port)
                try chunked.send(
                    "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
                expectProblem(try chunked.readResponse(), 408, "request_timeout", closesConnection: true)
                #expect(chunked.isClosedByPeer())
            }
        }

        @Test func clientThatStopsReadingIsClosedAfterTheProgressTimeout() throws {
            let responder = TestResponder(bodyLimit: 32 << 20)
            try withServer(.testing { $0.progressTimeoutMilliseconds = 300 }, responder: responder) {
                server, _, port in
                let client = try connect(port)
                // An echo far larger than both socket buffers together, and we never read it.
                let body = [UInt8](repeating: UInt8(ascii: "s"), count: 24 << 20)
                try client.send(
                    Array("POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
                        + body)
                #expect(eventually(within: 5_000) { server.openConnections == 0 })
                let received = try #require(client.readUntilClosed(timeoutMilliseconds: 5_000))
                #expect(received.starts(with: "HTTP/1.1 200 OK\r\n".utf8))
                #expect(received.count < body.count, "the whole response arrived: no stall to detect")
            }
        }

        // MARK: Connection cap

        @Test func connectionsOverTheCapGet503() throws {
            try withServer(.testing { $0.maxConnections = 4 }) { server, _, port in
                var clients: [RawConnection] = []
                for i in 0..<4 {
                    let client = try connect(port)
                    try client.send(get("/c\(i)"))
                    try expectDescribed(try client.readResponse(), path: "/c\(i)")
                    clients.append(client)
                }
                let fifth = try connect(port)
                let refused = try fifth.readResponse()
                // Refused before any request was read: a canned answer, without a request id.
                expectProblem(
                    refused, 503, "too_many_connections", closesConnection: true, hasRequestID: false)
                #expect(refused.header("Retry-After") == "1")
                #expect(fifth.isClosedByPeer())
                #expect(server.refusedConnections == 1)
                for (i, client) in clients.enumerated() {
                    try client.send(get("/again\(i)"))
                    try expectDescribed(try client.readResponse(), path: "/again\(i)")
                }
                clients.removeFirst()  // closes it
                #expect(eventually { server.openConnections == 3 })
                let replacement = try connect(port)
                try replacement.send(get("/replacement"))
                try expectDescribed(try replacement.readResponse(), path: "/replacement")
                #expect(server.refusedConnections == 1)
                #expect(clients.count == 3)
            }
        }

        // MARK: Graceful shutdown

        @Test func gracefulShutdownFinishesInFlightRequests() throws {
            let configuration = HTTPServerConfiguration.testing { $0.shutdownGraceMilliseconds = 5_000 }
            let responder = TestResponder()
            let server = try HTTPServer(configuration: configuration, responder: responder)
            let port = server.boundAddress.port
            server.start()
            defer {
                server.shutdown()
                responder.releaseHeld()
                server.wait()
            }
            let idle = try connect(port)
            try idle.send(get("/idle"))
            try expectDescribed(try idle.readResponse(), path: "/idle")
            var busy: RawConnection? = try connect(port)
            try busy?.send(get("/hold"))
            #expect(eventually { responder.heldCount == 1 })

            let started = MonotonicClock.milliseconds()
            server.shutdown()
            #expect(idle.isClosedByPeer())
            sleepMilliseconds(100)
            // No new connections: refused, or (if one slipped into a backlog) closed unanswered.
            if let late = try? connect(port, timeoutMilliseconds: 1_000) {
                try? late.send(get("/late"))
                #expect(late.readUntilClosed(timeoutMilliseconds: 3_000)?.isEmpty == true)
            }
            #expect(responder.heldCount == 1)
            responder.releaseHeld()
            let answer = try #require(try busy?.readResponse())
            try expectDescribed(answer, path: "/hold")
            #expect(answer.header("Connection") == "close")
            #expect(busy?.isClosedByPeer() == true)
            busy = nil  // our close ends the server's linger on that connection
            server.wait()
            let elapsed = MonotonicClock.milliseconds() - started
            #expect(
                elapsed < 1_500,
                "wait() returned after \(elapsed) ms: the grace period, not the answer, ended it")
            #expect(server.openConnections == 0)
        }

        @Test func shutdownGracePeriodClosesStuckRequests() throws {
            let configuration = HTTPServerConfiguration.testing { $0.shutdownGraceMilliseconds = 300 }
            let responder = TestResponder()
            let server = try HTTPServer(configuration: configuration, responder: responder)
            server.start()
            defer {
                server.shutdown()
                responder.releaseHeld()
                server.wait()
            }
            let busy = try connect(server.boundAddress.port)
            try busy.send(get("/hold"))
            #expect(eventually { responder.heldCount == 1 })
            let started = MonotonicClock.milliseconds()
            server.shutdown()
            server.wait()
            let elapsed = MonotonicClock.milliseconds() - started
            #expect(elapsed >= 250 && elapsed < 2_000, "wait() returned after \(elapsed) ms")
            #expect(busy.readUntilClosed(timeoutMilliseconds: 2_000) == [])
            // Completing after the server is gone does nothing.
            #expect(responder.releaseHeld() == 1)
        }

        // MARK: Many connections

        @Test func manyConcurrentClients() throws {
            try withServer(.testing(threads: 2)) { server, responder, port in
                let failures = FailureLog()
                let clientCount = 64
                let requestsEach = 50
                onThreads(clientCount) { c in
                    do {
                        let client = try connect(port)
                        var j = 0
                        while j < requestsEach {
                            // Mostly one at a time; some pipelined pairs; some deferred answers.
                            let paths =
                                j % 10 == 3
                                ? ["/c\(c)/r\(j)", "/c\(c)/r\(j + 1)"]
                                : j % 10 == 7 ? ["/slow/c\(c)/r\(j)"] : ["/c\(c)/r\(j)"]
                            let query = paths[0].hasPrefix("/slow") ? "ms=1" : "k=\(j)"
                            try client.send(paths.map { get($0 + "?" + query) }.joined())
                            for path in paths {
                                let response = try client.readResponse()
                                let object = try JSONParser.parse(response.body).object
                                if response.status != 200 || object?["path"]?.string != path
                                    || object?["query"]?.string != query
                                {
                                    failures.add(
                                        "client \(c): wanted \(path), got \(response.status) \(response.text)"
                                    )
                                }
                            }
                            j += paths.count
                        }
                    } catch {
                        failures.add("client \(c): \(error)")
                    }
                }
                let all = failures.all
                #expect(all.isEmpty, "\(all.count) failures, first: \(all.prefix(3))")
                #expect(responder.answered.load(ordering: .relaxed) == clientCount * requestsEach)
                #expect(eventually { server.openConnections == 0 })
            }
        }
    }
}
