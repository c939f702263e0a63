import ATPRedis
import ATPTestSupport
import Testing

/// Every command of `Sources/ATPRedis/Commands/` against a real `redis-server` started by
/// `RedisServerProcess`: each is sent alone or in a pipeline and its effect is read back, by
/// the same commands or by raw ones.
@Suite struct RedisCommandsTests {
    private func connect(_ server: RedisServerProcess) throws -> RedisConnection {
        try RedisConnection(
            url: RedisURL(server.url), connectTimeoutMilliseconds: 1_000, commandTimeoutMilliseconds: 2_000)
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private func bulk(_ text: String) -> RedisReply { .bulk(Array(text.utf8)) }

    @Test func argumentsAreTheNameThenTheArgumentsAsRedisDocumentsThem() {
        #expect(RedisCommand.ping().arguments == [bytes("PING")])
        #expect(
            RedisCommand.set(bytes("k"), to: bytes("v"), expiringInMilliseconds: 1_500).arguments
                == ["SET", "k", "v", "PX", "1500"].map(bytes))
        #expect(
            RedisCommand.scan(cursor: bytes("0"), match: bytes("p*"), count: 1_000).arguments
                == ["SCAN", "0", "MATCH", "p*", "COUNT", "1000"].map(bytes))
        #expect(
            RedisCommand.waitaof(local: 1, replicas: 0, timeoutMilliseconds: 500).arguments
                == ["WAITAOF", "1", "0", "500"].map(bytes))
        #expect(
            RedisCommand.xpending("s", group: "g", start: "1-0", end: "1-0", count: 1).arguments
                == ["XPENDING", "s", "g", "1-0", "1-0", "1"].map(bytes))
        var hset = RedisCommand.hset(bytes("h"), reservingPairs: 2)
        #expect(hset.arguments.count == 2)
        hset.append(field: bytes("a"), value: bytes("1"))
        hset.append(field: bytes("b"), value: bytes("2"))
        #expect(hset.arguments == ["HSET", "h", "a", "1", "b", "2"].map(bytes))
    }

    @Test func connectionCommands() throws {
        let server = try RedisServerProcess(arguments: ["--requirepass", "s3cret"])
        let redis = try RedisConnection(url: RedisURL("redis://:s3cret@127.0.0.1:\(server.port)"))
        #expect(try redis.send(.ping()) == .status("PONG"))
        #expect(try redis.send(.auth(user: nil, password: "s3cret")) == .status("OK"))
        #expect(try redis.send(.auth(user: "default", password: "s3cret")) == .status("OK"))
        #expect(
            try redis.send(.auth(user: nil, password: "wrong")).errorMessage?.contains("WRONGPASS") == true)
        #expect(try redis.send(.select(database: 3)) == .status("OK"))
        #expect(try redis.send(.set(bytes("where"), to: bytes("db3"))) == .status("OK"))
        #expect(try redis.send(.select(database: 0)) == .status("OK"))
        #expect(try redis.command(["EXISTS", "where"]) == .integer(0))
    }

    @Test func stringCommands() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        let binary: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF]
        #expect(try redis.send(.set(bytes("plain"), to: binary)) == .status("OK"))
        #expect(try redis.command(["PTTL", "plain"]) == .integer(-1))
        #expect(
            try redis.send(.set(bytes("brief"), to: bytes("x"), expiringInMilliseconds: 60_000))
                == .status("OK"))
        let ttl = try #require(try redis.command(["PTTL", "brief"]).integer)
        #expect((59_000...60_000).contains(ttl))
        #expect(try redis.send(.set(bytes("brief"), to: bytes("x"), expiringInMilliseconds: 0)).isError)
        _ = try redis.command(["HSET", "hash", "f", "v"])
        #expect(
            try redis.send(.mget([bytes("plain"), bytes("missing"), bytes("hash"), bytes("brief")]))
                == .array([.bulk(binary), .null, .null, bulk("x")]))
    }

    @Test func hashCommands() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        var hset = RedisCommand.hset(bytes("h"), reservingPairs: 2)
        hset.append(field: bytes("a"), value: bytes("1"))
        hset.append(field: bytes("b"), value: bytes("2"))
        #expect(try redis.send(hset) == .integer(2))
        #expect(try redis.send(.hset(bytes("h"), field: bytes("c"), value: bytes("3"))) == .integer(1))
        #expect(try redis.send(.hset(bytes("h"), field: bytes("c"), value: bytes("4"))) == .integer(0))
        #expect(
            try redis.send(.hmget(bytes("h"), fields: [bytes("a"), bytes("zz"), bytes("c")]))
                == .array([bulk("1"), .null, bulk("4")]))
        var hdel = RedisCommand.hdel(bytes("h"), fields: [bytes("a")])
        hdel.append(bytes("zz"))
        #expect(try redis.send(hdel) == .integer(1))
        let flat = try #require(try redis.send(.hgetall(bytes("h"))).array)
        var fields: [String: String] = [:]
        for i in stride(from: 0, to: flat.count, by: 2) { fields[flat[i].string ?? ""] = flat[i + 1].string }
        #expect(fields == ["b": "2", "c": "4"])
        #expect(try redis.send(.hgetall(bytes("missing"))) == .array([]))
        #expect(try redis.send(.hset(bytes("h"))).isError)  // no field: Redis refuses it
    }

    @Test func keyCommands() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        let keys = (0..<50).map { bytes("scan:\($0)") }
        _ = try redis.pipeline(keys.map { .set($0, to: bytes("v")) })
        _ = try redis.send(.set(bytes("other"), to: bytes("v")))
        var seen: Set<[UInt8]> = []
        var cursor = bytes("0")
        repeat {
            let reply = try redis.send(.scan(cursor: cursor, match: bytes("scan:*"), count: 7))
            let parts = try #require(reply.array)
            cursor = try #require(parts[0].bytes)
            for key in try #require(parts[1].array) { seen.insert(try #require(key.bytes)) }
        } while cursor != bytes("0")
        #expect(seen == Set(keys))
        #expect(try redis.send(.del(keys[0])) == .integer(1))
        #expect(try redis.send(.del(keys[0])) == .integer(0))
        var del = RedisCommand.del([keys[1], keys[2]])
        del.append(bytes("missing"))
        #expect(try redis.send(del) == .integer(2))
        #expect(try redis.send(.unlink(Array(keys[3...]))) == .integer(47))
        #expect(try redis.command(["DBSIZE"]) == .integer(1))
    }

    @Test func transactionAppliesTheQueuedCommandsTogether() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        let replies = try redis.pipeline([
            .multi(), .set(bytes("a"), to: bytes("1")),
            .hset(bytes("b"), field: bytes("f"), value: bytes("2")),
            .exec(),
        ])
        #expect(replies[0] == .status("OK"))
        #expect(replies[1] == .status("QUEUED") && replies[2] == .status("QUEUED"))
        #expect(replies[3] == .array([.status("OK"), .integer(1)]))
        // A command refused while queued makes EXEC refuse the whole transaction.
        let refused = try redis.pipeline([
            .multi(), .set(bytes("c"), to: bytes("3")), RedisCommand.hset(bytes("d")), .exec(),
        ])
        #expect(refused[2].isError)
        #expect(refused[3].errorMessage?.hasPrefix("EXECABORT") == true)
        #expect(try redis.command(["EXISTS", "c"]) == .integer(0))
    }

    @Test func serverCommands() throws {
        let server = try RedisServerProcess(arguments: ["--appendonly", "yes"])
        let redis = try connect(server)
        let info = try #require(try redis.send(.commandInfo(["GET", "NO-SUCH-COMMAND"])).array)
        #expect(info.count == 2)
        #expect(info[0].array?.first?.string?.lowercased() == "get")
        #expect(info[1] == .null)
        let waitaofKnown = try redis.send(.commandInfo(["WAITAOF"])).array?.first?.array != nil
        let wait = try redis.send(.waitaof(local: 1, replicas: 0, timeoutMilliseconds: 1_000))
        if waitaofKnown {  // Redis ≥ 7.2: the local AOF was fsynced, no replica
            #expect(wait.array?.map(\.integer) == [1, 0])
        } else {
            #expect(wait.errorMessage?.hasPrefix("ERR unknown command") == true)
        }
    }

    @Test func scriptLoadAnswersTheScriptsSHA1() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        let sha = try #require(try redis.send(.scriptLoad("return 42")).string)
        #expect(sha == "1fa00e76656cc152ad327c13fe365858fd7be306")  // sha1("return 42")
        #expect(try redis.command(["EVALSHA", sha, "0"]) == .integer(42))
    }

    @Test func streamCommands() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        let first = try #require(try redis.send(.xadd("s", fields: ["sku", "A", "qty", "1"])).string)
        _ = try redis.send(.xadd("s", fields: ["sku", "B", "qty", "2"]))
        #expect(try redis.command(["XGROUP", "CREATE", "s", "g", "0"]) == .status("OK"))
        _ = try redis.command(["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"])

        let groups = try #require(try redis.send(.xinfoGroups("s")).array)
        #expect(groups.count == 1)
        let group = try #require(groups.first?.array)
        #expect(group.firstIndex(of: bulk("pending")).map { group[$0 + 1] } == .integer(1))
        let stream = try #require(try redis.send(.xinfoStream("s")).array)
        #expect(stream.firstIndex(of: bulk("length")).map { stream[$0 + 1] } == .integer(2))
        let pending = try #require(
            try redis.send(.xpending("s", group: "g", start: first, end: first, count: 1)).array)
        #expect(pending.count == 1)
        #expect(pending.first?.array?.first == bulk(first))
        let entry = try #require(try redis.command(["XRANGE", "s", first, first]).array?.first?.array)
        #expect(entry[1] == .array(["sku", "A", "qty", "1"].map(bulk)))
    }
}
