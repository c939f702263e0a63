import ATPTestSupport
import Testing

@testable import ATPHTTP

extension HTTPServerTests {
    /// Two pipelined requests cut in two at every byte boundary: wherever a read ends (inside a
    /// request line, a header, the CR LF pair, a chunk size, chunk data or a trailer), both are
    /// answered, correctly and in order, on the one connection.
    @Suite struct PipelineSplits {
        /// Sends `pair` as two writes cut at `split`, with a short pause between them on every
        /// other cut (so the server sees two reads) and none on the rest.
        static func sendSplit(_ pair: [UInt8], at split: Int, to client: RawConnection) throws {
            try client.send(Array(pair[..<split]))
            if split % 2 == 0 { sleepMilliseconds(2) }
            try client.send(Array(pair[split...]))
        }

        /// Sends `first` and `GET /second` as one pair cut at every byte boundary, each on a new
        /// connection; `checkFirst` checks the first answer, the second must describe `/second`.
        static func everySplit(
            of first: String, sourceLocation: SourceLocation = #_sourceLocation,
            _ checkFirst: (RawResponse, Int) throws -> Void
        ) throws {
            try withServer { server, responder, port in
                let pair = Array((first + get("/second?q=2", "X-Request-Id: second")).utf8)
                for split in 1..<pair.count {
                    let client = try connect(port)
                    try sendSplit(pair, at: split, to: client)
                    try checkFirst(try client.readResponse(), split)
                    let second = try client.readResponse()
                    try expectDescribed(second, path: "/second", query: "q=2", sourceLocation: sourceLocation)
                    #expect(
                        second.header("X-Request-Id") == "second", "cut at \(split)",
                        sourceLocation: sourceLocation)
                }
                #expect(
                    responder.answered.load(ordering: .relaxed) == 2 * (pair.count - 1),
                    sourceLocation: sourceLocation)
                #expect(eventually { server.openConnections == 0 }, sourceLocation: sourceLocation)
            }
        }

        @Test func contentLengthRequestThenAnother() throws {
            try Self.everySplit(of: post("/body", "hello, world", "X-Request-Id: first")) { response, split in
                #expect(response.status == 200 && response.text == "hello, world", "cut at \(split)")
                #expect(response.header("X-Request-Id") == "first", "cut at \(split)")
            }
        }

        @Test func getThenAnother() throws {
            try Self.everySplit(of: get("/first?a=1", "X-Request-Id: first")) { response, split in
                try expectDescribed(response, path: "/first", query: "a=1")
                #expect(response.header("X-Request-Id") == "first", "cut at \(split)")
            }
        }

        @Test func chunkedRequestWithExtensionsAndTrailersThenAnother() throws {
            let chunked =
                "POST /body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nX-Request-Id: first\r\n\r\n"
                + "5;ext=1\r\nhello\r\n2\r\n, \r\nA\r\nchunked!!!\r\n0\r\nX-Trailer: t\r\n\r\n"
            try Self.everySplit(of: chunked) { response, split in
                #expect(
                    response.status == 200 && response.text == "hello, chunked!!!",
                    "cut at \(split): \(response.text)")
                #expect(response.header("X-Request-Id") == "first", "cut at \(split)")
            }
        }
    }
}
