import ATPHTTP
import ATPPosix
import ATPRedis

/// The Redis+Lua baseline: the same scenarios straight against redis-server. Seeding, script
/// loading and the verdict's reading go over hiredis (`RedisConnection`, blocking); the load
/// over `RedisWireCodec`s (RESP2) on the same event-driven driver as atpd's. Cells are hashes
/// `atpl:<tag>:c:<cell>` with `onHand` and `reserved`; holds and their transitions are `EVALSHA`
/// of `RedisScripts`; availability reads are pipelined `HMGET`s (one round trip per request,
/// like one HTTP request).
///
/// Thread-safety: `Sendable` (immutable); each codec it makes belongs to one load thread.
public struct RedisTarget: LoadTarget {
    public let url: RedisURL
    public let address: SocketAddress
    public let timeoutMilliseconds: Int
    public var description: String { url.description }

    /// - Throws: `usage` for a malformed URL, or a host that is not an IPv4 literal or
    ///   `localhost` (the load driver does no DNS).
    public init(url: String, timeoutMilliseconds: Int = 10_000) throws(LoadError) {
        do {
            self.url = try RedisURL(url)
        } catch {
            throw .usage("--target: \(error)")
        }
        guard let address = SocketAddress(parsing: "\(self.url.host):\(self.url.port)") else {
            throw .usage("--target \(self.url): the host must be an IPv4 address or localhost")
        }
        self.address = address
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    func openConnection() throws(LoadError) -> RedisConnection {
        do {
            return try RedisConnection(
                url: url, connectTimeoutMilliseconds: 2_000,
                commandTimeoutMilliseconds: timeoutMilliseconds)
        } catch {
            throw .target("\(error)")
        }
    }

    static func prefix(_ catalogue: Catalogue) -> String { "atpl:\(catalogue.tag):" }

    static func cellKey(_ catalogue: Catalogue, _ cell: Int) -> [UInt8] {
        Array((prefix(catalogue) + "c:" + String(cell)).utf8)
    }

    /// Loads the three scripts once (`SCRIPT LOAD`, for their SHA1s), then makes the codecs.
    public func makeCodecs(_ catalogue: Catalogue, count: Int) throws(LoadError) -> [any WireCodec] {
        let connection = try openConnection()
        func load(_ script: String) throws(LoadError) -> [UInt8] {
            guard let reply = try? connection.send(.scriptLoad(script)), !reply.isError,
                let sha = reply.bytes
            else { throw .target("\(description): SCRIPT LOAD failed") }
            return sha
        }
        let shas = RedisWireCodec.ScriptSHAs(
            hold: try load(RedisScripts.hold), confirm: try load(RedisScripts.confirm),
            finish: try load(RedisScripts.finish))
        return (0..<count).map { _ in RedisWireCodec(url: url, catalogue: catalogue, shas: shas) }
    }

    /// Seeds every cell with `HSET onHand <n> reserved 0`, 1,000 commands a round trip.
    public func prepare(_ catalogue: Catalogue) throws(LoadError) {
        let connection = try openConnection()
        var cell = 0
        while cell < catalogue.cellCount {
            var commands: [RedisCommand] = []
            while cell < catalogue.cellCount && commands.count < 1_000 {
                var seed = RedisCommand.hset(Self.cellKey(catalogue, cell), reservingPairs: 2)
                seed.append(
                    field: Array("onHand".utf8), value: Array(String(catalogue.seeded(cell: cell)).utf8))
                seed.append(field: Array("reserved".utf8), value: [0x30])
                commands.append(seed)
                cell += 1
            }
            try run(connection, commands, "seeding")
        }
    }

    /// `HMGET onHand reserved` of every cell, 1,000 a round trip.
    public func readCells(_ catalogue: Catalogue) throws(LoadError) -> [CellReading] {
        let connection = try openConnection()
        var readings: [CellReading] = []
        var cell = 0
        while cell < catalogue.cellCount {
            let first = cell
            var commands: [RedisCommand] = []
            while cell < catalogue.cellCount && commands.count < 1_000 {
                commands.append(
                    .hmget(
                        Self.cellKey(catalogue, cell), fields: [Array("onHand".utf8), Array("reserved".utf8)])
                )
                cell += 1
            }
            let replies = try run(connection, commands, "reading the stock")
            for (i, reply) in replies.enumerated() {
                guard let fields = reply.array, fields.count == 2,
                    let onHand = fields[0].string.flatMap({ Int($0) }),
                    let reserved = fields[1].string.flatMap({ Int($0) })
                else { continue }
                readings.append(
                    CellReading(
                        cell: first + i, onHand: onHand, reserved: reserved,
                        available: onHand - reserved))
            }
        }
        return readings
    }

    @discardableResult
    private func run(_ connection: RedisConnection, _ commands: [RedisCommand], _ what: String)
        throws(LoadError)
        -> [RedisReply]
    {
        let replies: [RedisReply]
        do {
            replies = try connection.pipeline(commands)
        } catch {
            throw .target("\(description): \(what): \(error)")
        }
        if let failure = replies.first(where: \.isError) {
            throw .target("\(description): \(what): \(failure.errorMessage ?? "error")")
        }
        return replies
    }
}
