import ATPTestSupport
import Glibc
import Testing

@testable import ATPHTTP

extension HTTPServerTests {
    /// Hostile and broken clients: none may crash the server or disturb a well-behaved client.
    @Suite struct Robustness {
        /// A client on its own connection that must keep getting answers throughout.
        final class WellBehavedClient {
            let connection: RawConnection
            private var count = 0

            init(port: UInt16) throws {
                connection = try connect(port)
            }

            func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
                count += 1
                try connection.send(get("/good/\(count)"))
                try expectDescribed(
                    try connection.readResponse(), path: "/good/\(count)", sourceLocation: sourceLocation)
            }
        }

        /// Sends `payload` on a fresh connection, then our FIN; the server must close within the
        /// timeout, and whatever it sent must be HTTP responses.
        static func sendAndExpectClose(
            _ payload: [UInt8], port: UInt16, sourceLocation: SourceLocation = #_sourceLocation
        ) throws -> [UInt8] {
            let client = try connect(port)
            try? client.send(payload)
            client.shutdownWrite()
            let received = client.readUntilClosed(timeoutMilliseconds: 5_000)
            #expect(received != nil, "the server kept the connection open", sourceLocation: sourceLocation)
            if let received, !received.isEmpty {
                #expect(
                    received.starts(with: "HTTP/1.1 ".utf8),
                    "\(String(decoding: received.prefix(80), as: UTF8.self))",
                    sourceLocation: sourceLocation)
            }
            return received ?? []
        }

        static let words: [String] = [
            "GET", "POST", "HEAD", " ", "  ", "/", "/fuzz", "?", "a=b", "HTTP/1.1", "HTTP/1.0", "HTTP/9.9",
            "\r\n", "\n", "\r", "\r\n\r\n", ":", ": ", "Host", "Content-Length", "Transfer-Encoding",
            "chunked", "gzip", ",", "0", "5", "ffffffffffffffff", "-1", ";", "\t", "\u{0}", "\u{7F}",
            "Expect: 100-continue", "Connection: close", "X-Request-Id", "%00", "é", "\u{1}",
        ]

        static let validRequests: [String] = [
            get("/fuzz?q=1", "X-Request-Id: fuzz"),
            post("/fuzz/body", "0123456789"),
            "POST /fuzz HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nwiki\r\n0\r\nT: 1\r\n\r\n",
            "GET /fuzz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        ]

        static func garbage(_ generator: inout SeededGenerator) -> [UInt8] {
            switch generator.next() % 5 {
            case 0:  // random bytes
                return (0..<Int.random(in: 1...2_000, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            case 1:  // printable noise with line breaks
                return (0..<Int.random(in: 1...2_000, using: &generator)).map { _ in
                    Int.random(in: 0..<12, using: &generator) == 0
                        ? 10 : UInt8.random(in: 32...126, using: &generator)
                }
            case 2:  // a valid request with a few bytes replaced, inserted or deleted
                var bytes = Array(validRequests.randomElement(using: &generator)!.utf8)
                for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &generator)
                    switch generator.next() % 3 {
                    case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator)
                    case 1: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: at)
                    default: bytes.remove(at: at)
                    }
                }
                return bytes
            case 3:  // a valid request line, then random header lines
                var text = "GET /fuzz HTTP/1.1\r\nHost: a\r\n"
                for _ in 0..<Int.random(in: 1...6, using: &generator) {
                    text += (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                        words.randomElement(using: &generator)!
                    }.joined()
                    text += "\r\n"
                }
                return Array((text + "\r\n").utf8)
            default:  // a soup of protocol words
                return Array(
                    (0..<Int.random(in: 1...40, using: &generator)).map { _ in
                        words.randomElement(using: &generator)!
                    }.joined().utf8)
            }
        }

        @Test func randomGarbageNeverHurtsTheServer() throws {
            try withServer { server, _, port in
                let good = try WellBehavedClient(port: port)
                var generator = SeededGenerator(seed: 0x5EED_0001)
                var answered = 0
                for i in 0..<200 {
                    let payload = Self.garbage(&generator)
                    if try !Self.sendAndExpectClose(payload, port: port).isEmpty { answered += 1 }
                    if i % 5 == 4 { try good.check() }
                }
                #expect(answered > 100, "most garbage gets a 400; only \(answered) of 200 got any answer")
                try good.check()
                #expect(eventually { server.openConnections == 1 })
            }
        }

        @Test func truncatedRequestsGetNoAnswer() throws {
            try withServer { server, _, port in
                let good = try WellBehavedClient(port: port)
                let requests = [
                    post("/fuzz/cl?x=1", "hello world", "X-Request-Id: r1"),
                    "POST /fuzz HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n",
                ]
                var sent = 0
                for request in requests {
                    let bytes = Array(request.utf8)
                    for length in 1..<bytes.count {
                        let prefix = Array(bytes[..<length])
                        switch length % 3 {
                        case 0:  // FIN, then read: an incomplete request is not answered
                            #expect(
                                try Self.sendAndExpectClose(prefix, port: port) == [],
                                "prefix of \(length) bytes")
                        case 1:  // plain close
                            let client = try connect(port)
                            try client.send(prefix)
                        default:  // reset
                            let client = try connect(port)
                            try client.send(prefix)
                            client.resetOnClose()
                        }
                        sent += 1
                        if sent % 20 == 0 { try good.check() }
                    }
                }
                try good.check()
                #expect(eventually { server.openConnections == 1 })
            }
        }

        @Test func oversizedInputs() throws {
            try withServer { server, _, port in
                let good = try WellBehavedClient(port: port)
                let cases: [(String, [UInt8], Int)] = [
                    ("1 MiB without a line end", Array(repeating: UInt8(ascii: "A"), count: 1 << 20), 431),
                    (
                        "64 KiB request target",
                        Array(
                            "GET /\(String(repeating: "p", count: 65_536)) HTTP/1.1\r\nHost: a\r\n\r\n".utf8),
                        431
                    ),
                    (
                        "100 KiB header value",
                        Array(get("/", "X-Big: " + String(repeating: "v", count: 100_000)).utf8), 431
                    ),
                    (
                        "200 headers",
                        Array(get("/", (0..<200).map { "X-\($0): v" }.joined(separator: "\r\n")).utf8), 431
                    ),
                    (
                        "huge Content-Length",
                        Array(
                            "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999999999999\r\n\r\n"
                                .utf8), 413
                    ),
                    (
                        "Content-Length past the body limit",
                        Array(
                            "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: \((8 << 20) + 1)\r\n\r\n".utf8),
                        413
                    ),
                    (
                        "Content-Length with 19 digits",
                        Array(
                            "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 1234567890123456789\r\n\r\n"
                                .utf8), 400
                    ),
                    (
                        "chunk size that overflows",
                        Array(
                            "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\(String(repeating: "f", count: 40))\r\n"
                                .utf8), 413
                    ),
                    (
                        "endless chunk size line",
                        Array(
                            "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;\(String(repeating: "e", count: 10_000))"
                                .utf8), 400
                    ),
                    (
                        "20 KiB of trailers",
                        Array(
                            "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\((0..<1_000).map { "T\($0): vvvvvvvvvvvv\r\n" }.joined())\r\n"
                                .utf8), 400
                    ),
                ]
                for (name, payload, status) in cases {
                    let client = try connect(port)
                    try client.send(payload)
                    let response = try client.readResponse()
                    #expect(response.status == status, "\(name): \(response.status) \(response.text)")
                    #expect(response.header("Connection") == "close", "\(name)")
                    #expect(client.isClosedByPeer(), "\(name)")
                    try good.check()
                }
                #expect(eventually { server.openConnections == 1 })
            }
        }

        @Test func clientsThatResetMidRequest() throws {
            try withServer { server, _, port in
                let good = try WellBehavedClient(port: port)
                let partials = [
                    "GET /reset HTTP/1.1\r\nHost: a\r\nX-Partial: ",
                    "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\nonly part of it",
                    "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
                    "POST /body HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
                ]
                for partial in partials {
                    let client = try connect(port)
                    try client.send(partial)
                    sleepMilliseconds(20)
                    client.resetOnClose()
                }
                // A reset while the server is writing a large answer the client never reads.
                do {
                    let client = try connect(port)
                    let body = String(repeating: "x", count: 4 << 20)
                    try client.send(post("/body", body) + get("/after"))
                    sleepMilliseconds(100)
                    client.resetOnClose()
                }
                try good.check()
                #expect(eventually { server.openConnections == 1 })
                try good.check()
            }
        }
    }
}
