import CHiredis
import Glibc
import Testing

/// Proves the `CHiredis` system library links and that the 0.14 API behaves as the store
/// expects, without a server: the reply reader parses RESP, and a refused connection reports an
/// error on the context instead of crashing.
@Suite struct HiredisLinkTests {
    @Test func replyReaderParsesRESP() throws {
        let reader = try #require(redisReaderCreate())
        defer { redisReaderFree(reader) }
        let wire = "*3\r\n$3\r\nfoo\r\n:42\r\n+OK\r\n"
        #expect(redisReaderFeed(reader, wire, wire.utf8.count) == REDIS_OK)
        var raw: UnsafeMutableRawPointer?
        #expect(redisReaderGetReply(reader, &raw) == REDIS_OK)
        let reply = try #require(raw?.assumingMemoryBound(to: redisReply.self))
        defer { freeReplyObject(reply) }
        #expect(reply.pointee.type == REDIS_REPLY_ARRAY)
        #expect(reply.pointee.elements == 3)
        let first = reply.pointee.element[0]!.pointee
        #expect(String(cString: first.str) == "foo")
        #expect(reply.pointee.element[1]!.pointee.integer == 42)
        #expect(reply.pointee.element[2]!.pointee.type == REDIS_REPLY_STATUS)
    }

    @Test func commandFormattingProducesRESP() throws {
        var target: UnsafeMutablePointer<CChar>?
        let argv: [String] = ["SET", "atp:k", "v v"]
        let lengths = argv.map { $0.utf8.count }
        let length = withArrayOfCStrings(argv) { pointers in
            redisFormatCommandArgv(&target, Int32(argv.count), pointers, lengths)
        }
        let text = try #require(target)
        defer { redisFreeCommand(text) }
        #expect(String(cString: text) == "*3\r\n$3\r\nSET\r\n$5\r\natp:k\r\n$3\r\nv v\r\n")
        #expect(length == 33)
    }

    @Test func refusedConnectionSetsAnError() throws {
        // Port 1 on loopback: nothing listens there, so the connect is refused at once.
        let context = try #require(redisConnectWithTimeout("127.0.0.1", 1, timeval(tv_sec: 1, tv_usec: 0)))
        defer { redisFree(context) }
        #expect(context.pointee.err != 0)
    }
}

/// Calls `body` with C string pointers for `strings`, valid for the call.
private func withArrayOfCStrings<R>(
    _ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) -> R
) -> R {
    let copies = strings.map { strdup($0) }
    defer { for copy in copies { free(copy) } }
    var pointers = copies.map { UnsafePointer<CChar>($0) }
    return pointers.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
