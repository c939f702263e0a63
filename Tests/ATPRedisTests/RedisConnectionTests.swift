import ATPRedis
import ATPTestSupport
import Testing

/// `RedisConnection` against a real `redis-server` started by `RedisServerProcess`: replies of
/// every kind, binary safety, pipelining, login and database selection, and how transport
/// failures (timeout, server killed, nothing listening) break a connection.
@Suite struct RedisConnectionTests {
    private func connect(_ server: RedisServerProcess, timeout: Int = 2_000) throws -> RedisConnection {
        try RedisConnection(
            url: RedisURL(server.url), connectTimeoutMilliseconds: 1_000, commandTimeoutMilliseconds: timeout)
    }

    private func bulk(_ text: String) -> RedisReply { .bulk(Array(text.utf8)) }

    @Test func pingAndEcho() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        #expect(try redis.command(["PING"]) == .status("PONG"))
        #expect(try redis.command(["ECHO", "héllo"]).string == "héllo")
        #expect(!redis.isBroken)
        let byName = try RedisConnection(url: RedisURL("redis://localhost:\(server.port)"))
        #expect(try byName.command(["PING"]) == .status("PONG"))
    }

    @Test func valuesAreBinarySafe() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        let everyByte = (0...255).map(UInt8.init)
        let key: [UInt8] = [0x61, 0x00, 0x0D, 0x0A, 0xFF]  // "a\0\r\n\xFF"
        #expect(try redis.command([Array("SET".utf8), key, everyByte]) == .status("OK"))
        #expect(try redis.command([Array("GET".utf8), key]) == .bulk(everyByte))

        #expect(try redis.command([Array("SET".utf8), Array("empty".utf8), []]) == .status("OK"))
        #expect(try redis.command(["GET", "empty"]) == .bulk([]))
        #expect(try redis.command(["STRLEN", "empty"]) == .integer(0))

        let mebibyte = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        #expect(try redis.command([Array("SET".utf8), Array("big".utf8), mebibyte]) == .status("OK"))
        #expect(try redis.command(["GET", "big"]).bytes == mebibyte)
    }

    @Test func pipelineOfAThousandIncrementsKeepsOrder() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        let replies = try redis.pipeline(Array(repeating: ["INCR", "counter"], count: 1_000))
        #expect(replies.map(\.integer) == (1...1_000).map { Int64($0) })
        #expect(try redis.pipeline([] as [[String]]).isEmpty)
    }

    @Test func errorRepliesAreValuesAndKeepTheConnection() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        #expect(try redis.command(["SET", "text", "abc"]) == .status("OK"))
        let notInteger = try redis.command(["INCR", "text"])
        #expect(notInteger.isError)
        #expect(notInteger.errorMessage?.hasPrefix("ERR") == true)
        #expect(try redis.command(["LPUSH", "text", "x"]).errorMessage?.hasPrefix("WRONGTYPE") == true)
        #expect(try redis.command(["NO-SUCH-COMMAND"]).errorMessage?.hasPrefix("ERR unknown command") == true)

        let replies = try redis.pipeline([["INCR", "n"], ["INCR", "text"], ["INCR", "n"]])
        #expect(replies[0] == .integer(1))
        #expect(replies[1].isError)
        #expect(replies[2] == .integer(2))
        #expect(!redis.isBroken)
        #expect(try redis.command(["PING"]) == .status("PONG"))
    }

    @Test func nullReplies() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        let missing = try redis.command(["GET", "missing"])
        #expect(missing == .null)
        #expect(missing.isNull && missing.bytes == nil && missing.array == nil)
        _ = try redis.command(["SET", "present", "1"])
        #expect(try redis.command(["MGET", "present", "missing"]) == .array([bulk("1"), .null]))
    }

    @Test func arrayReplies() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        #expect(try redis.command(["RPUSH", "list", "a", "b", "c"]) == .integer(3))
        #expect(
            try redis.command(["LRANGE", "list", "0", "-1"]) == .array([bulk("a"), bulk("b"), bulk("c")]))
        #expect(try redis.command(["LRANGE", "nothing", "0", "-1"]) == .array([]))

        _ = try redis.command(["HSET", "hash", "f1", "v1", "f2", "v2"])
        let flat = try #require(try redis.command(["HGETALL", "hash"]).array?.compactMap(\.string))
        #expect(flat.count == 4)
        let fields = Dictionary(
            uniqueKeysWithValues: stride(from: 0, to: flat.count, by: 2).map { (flat[$0], flat[$0 + 1]) })
        #expect(fields == ["f1": "v1", "f2": "v2"])

        // Streams nest arrays: [[id, [field, value]]].
        let id = try #require(try redis.command(["XADD", "stream", "*", "field", "value"]).string)
        let entries = try redis.command(["XRANGE", "stream", "-", "+"])
        #expect(entries == .array([.array([bulk(id), .array([bulk("field"), bulk("value")])])]))
    }

    @Test func replyHelpers() {
        #expect(RedisReply.status("OK").string == "OK")
        #expect(RedisReply.status("OK").bytes == Array("OK".utf8))
        #expect(RedisReply.bulk([0xFF, 0xFE]).string == nil)
        #expect(RedisReply.bulk(Array("42".utf8)).integer == nil)
        #expect(RedisReply.integer(-7).integer == -7)
        #expect(RedisReply.error("ERR x").isError && RedisReply.error("ERR x").string == nil)
        #expect(!RedisReply.null.isError && RedisReply.null.array == nil)
        #expect(RedisReply.array([.null]).array == [.null])
    }

    @Test func passwordLogin() throws {
        let server = try RedisServerProcess(arguments: ["--requirepass", "s3cret"])
        let redis = try RedisConnection(url: RedisURL(server.url(password: "s3cret")))
        #expect(try redis.command(["PING"]) == .status("PONG"))
        // Redis ≥ 6: the ACL form, AUTH user password.
        let named = try RedisConnection(url: RedisURL(server.url(user: "default", password: "s3cret")))
        #expect(try named.command(["ACL", "WHOAMI"]).string == "default")

        let wrong = #expect(throws: RedisError.self) {
            try RedisConnection(url: RedisURL(server.url(password: "nope")))
        }
        #expect(wrong == .configuration(""))
        #expect(wrong?.detail.contains("nope") == false)
        let none = #expect(throws: RedisError.self) { try RedisConnection(url: RedisURL(server.url)) }
        #expect(none == .configuration(""))
        #expect(none?.detail.contains("NOAUTH") == true)
    }

    @Test func selectsTheDatabase() throws {
        let server = try RedisServerProcess()
        let three = try RedisConnection(url: RedisURL(server.url(db: 3)))
        let zero = try connect(server)
        _ = try three.command(["SET", "where", "three"])
        #expect(try zero.command(["GET", "where"]) == .null)
        #expect(
            try RedisConnection(url: RedisURL(server.url(db: 3))).command(["GET", "where"]) == bulk("three"))
        let outOfRange = #expect(throws: RedisError.self) {
            try RedisConnection(url: RedisURL(server.url(db: 99)))
        }
        #expect(outOfRange == .configuration(""))
    }

    @Test func emptyCommandIsRefusedWithoutBreaking() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        #expect(throws: RedisError.configuration("")) { try redis.command([] as [[UInt8]]) }
        #expect(throws: RedisError.configuration("")) { try redis.pipeline([["PING"], []]) }
        #expect(!redis.isBroken)
        #expect(try redis.command(["PING"]) == .status("PONG"))
        #expect(throws: RedisError.configuration("")) {
            try RedisConnection(url: RedisURL(server.url), commandTimeoutMilliseconds: 0)
        }
    }

    @Test func commandTimeoutBreaksTheConnection() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server, timeout: 300)
        let start = ContinuousClock.now
        let error = #expect(throws: RedisError.self) { try redis.command(["BLPOP", "never", "2"]) }
        #expect(ContinuousClock.now - start < .milliseconds(1_500))
        #expect(error == .unavailable(""))
        #expect(error?.detail.contains("timed out after 300 ms") == true)
        #expect(redis.isBroken)

        let again = ContinuousClock.now
        let repeated = #expect(throws: RedisError.self) { try redis.command(["PING"]) }
        #expect(ContinuousClock.now - again < .milliseconds(50))
        #expect(repeated?.detail == error?.detail)
        #expect(try connect(server).command(["PING"]) == .status("PONG"))
    }

    @Test func killedServerFailsFastAndRestartKeepsTheAppendOnlyFile() throws {
        let server = try RedisServerProcess(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
        let redis = try connect(server)
        #expect(try redis.command(["SET", "durable", "yes"]) == .status("OK"))
        server.kill()

        let start = ContinuousClock.now
        #expect(throws: RedisError.unavailable("")) { try redis.command(["GET", "durable"]) }
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(redis.isBroken)
        #expect(throws: RedisError.unavailable("")) { try connect(server) }

        try server.restart()
        let fresh = try connect(server)
        #expect(try fresh.command(["GET", "durable"]) == bulk("yes"))
    }

    @Test func largePipelineToAKilledServerThrowsInsteadOfSIGPIPE() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        server.kill()
        let value = [UInt8](repeating: 0x78, count: 4 << 20)
        let commands = (0..<4).map { [Array("SET".utf8), Array("k\($0)".utf8), value] }
        #expect(throws: RedisError.unavailable("")) { try redis.pipeline(commands) }
        #expect(redis.isBroken)
    }

    @Test func stoppedServerClosesTheConnection() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        server.stop()
        #expect(!server.isRunning)
        #expect(throws: RedisError.unavailable("")) { try redis.command(["PING"]) }
    }

    @Test func closedPortFailsFast() throws {
        let server = try RedisServerProcess()
        server.stop()
        let start = ContinuousClock.now
        let error = #expect(throws: RedisError.self) { try connect(server) }
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(error == .unavailable(""))
        #expect(error?.detail.contains("refused") == true)
    }
}

extension RedisConnectionTests {
    @Test(arguments: [
        ("redis://127.0.0.1:6380/2", RedisURL(host: "127.0.0.1", port: 6380, db: 2)),
        ("redis://cache.example-1.internal", RedisURL(host: "cache.example-1.internal")),
        ("redis://localhost:7000/", RedisURL(host: "localhost", port: 7000)),
        ("redis://:pa%40ss:w@10.0.0.1:6379/0", RedisURL(host: "10.0.0.1", password: "pa@ss:w")),
        (
            "redis://app:secret@redis:6379/15",
            RedisURL(host: "redis", user: "app", password: "secret", db: 15)
        ),
    ])
    func validURLs(text: String, expected: RedisURL) throws {
        #expect(try RedisURL(text) == expected)
    }

    @Test(arguments: [
        "", "127.0.0.1:6379", "http://host", "rediss://host", "redis://", "redis://:6379", "redis://host:0",
        "redis://host:65536", "redis://host:port", "redis://host:", "redis://host/x", "redis://host/-1",
        "redis://[::1]:6379", "redis://host?db=1", "redis://user@host", "redis://:@host", "redis://999.1.1.1",
        "redis://bad_host", "redis://-host", "redis://a..b", "redis://:p%4@host", "redis://host:6379/1/2",
    ])
    func invalidURLs(text: String) {
        #expect(throws: RedisError.configuration("")) { try RedisURL(text) }
    }

    @Test func descriptionHidesThePassword() throws {
        let url = try RedisURL("redis://app:hunter2@redis:6379/1")
        #expect(url.description == "redis://app:***@redis:6379/1")
        #expect(try RedisURL("redis://:hunter2@redis").description == "redis://:***@redis:6379")
        #expect(try RedisURL("redis://redis").description == "redis://redis:6379")
        let error = #expect(throws: RedisError.self) { try RedisURL("redis://:hunter2@redis:99999") }
        #expect(error?.detail.contains("hunter2") == false)
        #expect(error?.detail.contains("port") == true)
    }
}
