import ATPRedis
import ATPTestSupport
import Glibc
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
            RedisCommand.scan(cursor: bytes("0"), match: bytes("p*"), count: 1_000).arguments
                == ["SCAN", "0", "MATCH", "p*", "COUNT", "1000"].map(bytes))
        #expect(
            RedisCommand.xpending("s", group: "g", start: "1-0", end: "1-0", count: 1).arguments
                == ["XPENDING", "s", "g", "1-0", "1-0", "1"].map(bytes))
        var hset = RedisCommand.hset(bytes("h"), reservingPairs: 2)
        #expect(hset.arguments.count == 2)
        hset.append(field: bytes("a"), value: bytes("1"))
        hset.append(field: bytes("b"), value: bytes("2"))
        #expect(hset.arguments == ["HSET", "h", "a", "1", "b", "2"].map(bytes))
    }

    /// The stream consumer's commands, argument for argument as it sent them as raw vectors.
    @Test func streamConsumerCommandsAreTheOnesTheConsumerSends() {
        #expect(
            RedisCommand.xgroupCreate("atp:events", group: "atpd", startID: "0", makeStream: true).arguments
                == ["XGROUP", "CREATE", "atp:events", "atpd", "0", "MKSTREAM"].map(bytes))
        #expect(
            RedisCommand.xgroupCreate("s", group: "g", startID: "$", makeStream: false).arguments
                == ["XGROUP", "CREATE", "s", "g", "$"].map(bytes))
        #expect(
            RedisCommand.xreadgroup(
                group: "atpd", consumer: "host-1", count: 500, blockMilliseconds: 1_000, stream: "atp:events"
            ).arguments
                == [
                    "XREADGROUP", "GROUP", "atpd", "host-1", "COUNT", "500", "BLOCK", "1000", "STREAMS",
                    "atp:events", ">",
                ].map(bytes))
        #expect(
            RedisCommand.xreadgroup(
                group: "g", consumer: "c", count: 10, blockMilliseconds: nil, stream: "s", after: "0"
            ).arguments == ["XREADGROUP", "GROUP", "g", "c", "COUNT", "10", "STREAMS", "s", "0"].map(bytes))
        #expect(
            RedisCommand.xautoclaim(
                "atp:events", group: "atpd", consumer: "host-1", minIdleMilliseconds: 30_000, start: "0-0",
                count: 100
            ).arguments
                == ["XAUTOCLAIM", "atp:events", "atpd", "host-1", "30000", "0-0", "COUNT", "100"].map(bytes))
        #expect(
            RedisCommand.xack("atp:events", group: "atpd", ids: [bytes("1-0"), bytes("2-0")]).arguments
                == ["XACK", "atp:events", "atpd", "1-0", "2-0"].map(bytes))
        var dead = RedisCommand.xadd("atp:events:dead", approximateMaxLength: 100_000, reservingArguments: 4)
        #expect(dead.arguments == ["XADD", "atp:events:dead", "MAXLEN", "~", "100000", "*"].map(bytes))
        dead.append(field: bytes("dead-code"), value: bytes("invalid_event"))
        dead.append([0xFF])
        #expect(dead.arguments.suffix(3) == [bytes("dead-code"), bytes("invalid_event"), [0xFF]])
        #expect(
            RedisCommand.xadd("s", approximateMaxLength: nil).arguments == ["XADD", "s", "*"].map(bytes))
        #expect(
            RedisCommand.xadd("s", fields: ["a", "1"]).arguments == ["XADD", "s", "*", "a", "1"].map(bytes))
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
        #expect(try redis.command(["SET", "where", "db3"]) == .status("OK"))
        #expect(try redis.send(.select(database: 0)) == .status("OK"))
        #expect(try redis.command(["EXISTS", "where"]) == .integer(0))
    }

    @Test func stringCommands() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        let binary: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF]
        #expect(try redis.command([bytes("SET"), bytes("plain"), binary]) == .status("OK"))
        #expect(try redis.command(["SET", "brief", "x"]) == .status("OK"))
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
        let flat = try #require(try redis.send(.hgetall(bytes("h"))).array)
        var fields: [String: String] = [:]
        for i in stride(from: 0, to: flat.count, by: 2) { fields[flat[i].string ?? ""] = flat[i + 1].string }
        #expect(fields == ["a": "1", "b": "2", "c": "4"])
        #expect(try redis.send(.hgetall(bytes("missing"))) == .array([]))
        #expect(try redis.send(.hset(bytes("h"))).isError)  // no field: Redis refuses it
    }

    @Test func keyCommands() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        let keys = (0..<50).map { bytes("scan:\($0)") }
        _ = try redis.pipeline(keys.map { [bytes("SET"), $0, bytes("v")] })
        _ = try redis.command(["SET", "other", "v"])
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

    @Test func serverCommands() throws {
        let server = try RedisServerProcess(arguments: ["--appendonly", "yes"])
        let redis = try connect(server)
        let info = try #require(try redis.send(.commandInfo(["GET", "NO-SUCH-COMMAND"])).array)
        #expect(info.count == 2)
        #expect(info[0].array?.first?.string?.lowercased() == "get")
        #expect(info[1] == .null)
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
        #expect(
            try redis.send(.xgroupCreate("s", group: "g", startID: "0", makeStream: false)) == .status("OK"))
        _ = try redis.send(
            .xreadgroup(group: "g", consumer: "c", count: 1, blockMilliseconds: nil, stream: "s"))

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

    /// `XGROUP CREATE … MKSTREAM` makes the stream and the group; a second one answers
    /// `BUSYGROUP`, which the stream consumer takes as "the group exists" (it keeps its position).
    @Test func groupCreationMakesTheStreamAndABusyGroupAnswerKeepsThePosition() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        // Without MKSTREAM a missing key is an error.
        #expect(try redis.send(.xgroupCreate("s", group: "g", startID: "0", makeStream: false)).isError)
        #expect(
            try redis.send(.xgroupCreate("s", group: "g", startID: "0", makeStream: true)) == .status("OK"))
        #expect(try redis.command(["TYPE", "s"]) == .status("stream"))
        let id = try #require(try redis.send(.xadd("s", fields: ["k", "v"])).string)
        let read = RedisCommand.xreadgroup(
            group: "g", consumer: "c", count: 10, blockMilliseconds: nil, stream: "s")
        #expect(StreamEntry.reads(try redis.send(read)).first?.entries.map(\.id) == [bytes(id)])

        let again = try redis.send(.xgroupCreate("s", group: "g", startID: "0", makeStream: true))
        #expect(again.errorMessage?.hasPrefix("BUSYGROUP") == true, "answered \(again)")
        // The group was not reset to 0: nothing is delivered twice.
        #expect(try redis.send(read) == .null)
    }

    /// `XADD` then `XREADGROUP` returns the entry, fields in order and bytes unchanged; a read
    /// with nothing new answers null once the block time passed; `XACK` acknowledges it.
    @Test func readGroupReturnsWhatWasAddedAndAckAcknowledgesIt() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        _ = try redis.send(.xgroupCreate("s", group: "g", startID: "0", makeStream: true))
        var add = RedisCommand.xadd("s", approximateMaxLength: nil, reservingArguments: 4)
        add.append(field: bytes("id"), value: bytes("e-1"))
        add.append(field: [0x00, 0xFF], value: [0x0D, 0x0A])
        let id = try #require(try redis.send(add).bytes)
        let second = try #require(try redis.send(.xadd("s", fields: ["id", "e-2"])).bytes)

        let reads = StreamEntry.reads(
            try redis.send(
                .xreadgroup(group: "g", consumer: "c", count: 10, blockMilliseconds: 50, stream: "s")))
        #expect(reads.count == 1)
        #expect(reads.first?.stream == bytes("s"))
        #expect(
            reads.first?.entries == [
                StreamEntry(id: id, fields: [bytes("id"), bytes("e-1"), [0x00, 0xFF], [0x0D, 0x0A]]),
                StreamEntry(id: second, fields: [bytes("id"), bytes("e-2")]),
            ])
        let started = ContinuousClock.now
        let nothing = try redis.send(
            .xreadgroup(group: "g", consumer: "c", count: 10, blockMilliseconds: 50, stream: "s"))
        #expect(nothing == .null && StreamEntry.reads(nothing).isEmpty)
        #expect(ContinuousClock.now - started >= .milliseconds(40))
        #expect(try redis.command(["XPENDING", "s", "g"]).array?.first == .integer(2))

        #expect(try redis.send(.xack("s", group: "g", ids: [id, bytes("9-9")])) == .integer(1))
        #expect(try redis.send(.xack("s", group: "g", ids: [id])) == .integer(0))  // acked already
        #expect(try redis.command(["XPENDING", "s", "g"]).array?.first == .integer(1))
        #expect(try redis.send(.xack("s", group: "g", ids: [second])) == .integer(1))
        #expect(try redis.command(["XPENDING", "s", "g"]).array?.first == .integer(0))
        #expect(
            try redis.send(
                .xreadgroup(group: "g", consumer: "x", count: 1, blockMilliseconds: nil, stream: "gone")
            )
            .errorMessage?.hasPrefix("NOGROUP") == true)
    }

    /// `XAUTOCLAIM` leaves an entry pending for less than the idle time, then claims it for the
    /// new consumer; an entry deleted while pending is reported, not claimed with fields.
    @Test func autoclaimClaimsAnIdlePendingEntry() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        _ = try redis.send(.xgroupCreate("s", group: "g", startID: "0", makeStream: true))
        let id = try #require(try redis.send(.xadd("s", fields: ["id", "e-1"])).bytes)
        let gone = try #require(try redis.send(.xadd("s", fields: ["id", "e-2"])).bytes)
        _ = try redis.send(
            .xreadgroup(group: "g", consumer: "dies", count: 10, blockMilliseconds: nil, stream: "s"))

        let early = try #require(
            StreamEntry.Claim(
                try redis.send(
                    .xautoclaim(
                        "s", group: "g", consumer: "takes", minIdleMilliseconds: 60_000, start: "0-0",
                        count: 10))))
        #expect(early.entries.isEmpty && early.next == "0-0")

        #expect(try redis.command([Array("XDEL".utf8), bytes("s"), gone]) == .integer(1))
        usleep(60_000)
        let reply = try redis.send(
            .xautoclaim("s", group: "g", consumer: "takes", minIdleMilliseconds: 50, start: "0-0", count: 10))
        let claim = try #require(StreamEntry.Claim(reply), "XAUTOCLAIM answered \(reply)")
        #expect(claim.next == "0-0")
        #expect(claim.entries.first == StreamEntry(id: id, fields: [bytes("id"), bytes("e-1")]))
        // Redis ≥ 7 lists the deleted entry apart; before, it is an entry without fields.
        #expect(
            (claim.deleted == [gone] && claim.entries.count == 1)
                || (claim.deleted.isEmpty && claim.entries.last == StreamEntry(id: gone, fields: nil)))
        let owner = try redis.send(.xpending("s", group: "g", start: "-", end: "+", count: 10)).array
        #expect(owner?.first?.array?[1] == bulk("takes"))
        #expect(
            try redis.send(
                .xautoclaim(
                    "missing", group: "g", consumer: "c", minIdleMilliseconds: 0, start: "0-0", count: 1)
            ).errorMessage?.hasPrefix("NOGROUP") == true)
    }

    /// `XADD … MAXLEN ~ n` keeps the stream near `n` entries (whole nodes are trimmed, so a few more).
    @Test func addTrimsApproximately() throws {
        let server = try RedisServerProcess()
        let redis = try connect(server)
        for i in 0..<500 {
            var add = RedisCommand.xadd("dead", approximateMaxLength: 10)
            add.append(field: bytes("n"), value: bytes(String(i)))
            _ = try redis.send(add)
        }
        let length = try #require(try redis.command(["XLEN", "dead"]).integer)
        #expect((10..<500).contains(length), "XLEN \(length)")
    }
}
