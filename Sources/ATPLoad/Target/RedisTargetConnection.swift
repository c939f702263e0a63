import ATPStore

/// One load thread's connection to the Redis baseline: turns `Operation`s into `EVALSHA`,
/// pipelined `HMGET` or `HSET`/`HINCRBY` commands. Loads the scripts (`SCRIPT LOAD`) when it
/// connects. Reservation ids are the session's own (`Operation.reservationID`).
///
/// Outcomes use the HTTP codes of the same operations: 201 held, 409 refused, 200 done, 500 an
/// error reply, 0 a transport failure (the connection is then replaced on the next call).
/// Thread-safety: not thread-safe; one thread. Complexity: one round trip per operation.
final class RedisTargetConnection: TargetConnection {
    private let target: RedisTarget
    private let catalogue: Catalogue
    private var connection: RedisConnection?
    private var holdSHA: [UInt8] = []
    private var confirmSHA: [UInt8] = []
    private var finishSHA: [UInt8] = []
    private let prefix: String
    private let expiryKey: [UInt8]
    private var commands: [[[UInt8]]] = []

    init(target: RedisTarget, catalogue: Catalogue, connection: RedisConnection) throws(LoadError) {
        self.target = target
        self.catalogue = catalogue
        prefix = RedisTarget.prefix(catalogue)
        expiryKey = Array((prefix + "exp").utf8)
        try adopt(connection)
    }

    private func adopt(_ connection: RedisConnection) throws(LoadError) {
        func load(_ script: String) throws(LoadError) -> [UInt8] {
            guard let reply = try? connection.command(["SCRIPT", "LOAD", script]), let sha = reply.bytes,
                !reply.isError
            else { throw .target("\(target.description): SCRIPT LOAD failed") }
            return sha
        }
        holdSHA = try load(RedisScripts.hold)
        confirmSHA = try load(RedisScripts.confirm)
        finishSHA = try load(RedisScripts.finish)
        self.connection = connection
    }

    func perform(_ op: Operation) -> Outcome {
        if connection == nil || connection!.isBroken {
            connection = nil
            guard let fresh = try? target.openConnection(), (try? adopt(fresh)) != nil else {
                MonotonicClock.sleep(nanoseconds: 10_000_000)
                return Outcome(status: 0)
            }
        }
        commands.removeAll(keepingCapacity: true)
        let reservationKey = Array((prefix + "r:" + op.reservationID).utf8)
        let id = Array(op.reservationID.utf8)
        switch op.kind {
        case .availability:
            for sku in op.skus {
                for location in 0..<catalogue.locations {
                    guard let cell = catalogue.cell(sku: sku, location: location) else { continue }
                    commands.append([Self.hmget, RedisTarget.cellKey(catalogue, cell), Self.onHand, Self.reserved])
                }
            }
        case .hold:
            var command = [Self.evalsha, holdSHA, Array(String(op.lines.count + 2).utf8), reservationKey, expiryKey]
            for line in op.lines { command.append(RedisTarget.cellKey(catalogue, line.cell)) }
            command.append(Array(String(op.ttlSeconds).utf8))
            command.append(id)
            for line in op.lines { command.append(Array(String(line.qty).utf8)) }
            commands.append(command)
        case .confirm:
            commands.append([Self.evalsha, confirmSHA, [0x32], reservationKey, expiryKey, id])
        case .fulfil, .release:
            var command = [Self.evalsha, finishSHA, Array(String(op.lines.count + 2).utf8), reservationKey, expiryKey]
            for line in op.lines { command.append(RedisTarget.cellKey(catalogue, line.cell)) }
            command.append(id)
            command.append(op.kind == .fulfil ? Self.fulfilled : Self.released)
            for line in op.lines { command.append(Array(String(line.qty).utf8)) }
            commands.append(command)
        case .events:
            for event in op.events {
                let key = RedisTarget.cellKey(catalogue, catalogue.regularCell(sku: event.sku, location: event.location))
                let value = Array(String(event.value).utf8)
                commands.append(event.isSet ? [Self.hset, key, Self.onHand, value] : [Self.hincrby, key, Self.onHand, value])
            }
        }
        let replies: [RedisReply]
        do {
            replies = try connection!.pipeline(commands)
        } catch {
            return Outcome(status: 0)
        }
        if replies.contains(where: \.isError) { return Outcome(status: 500) }
        switch op.kind {
        case .availability, .events: return Outcome(status: 200)
        case .hold: return replies[0].integer == 1 ? Outcome(status: 201, reservationID: op.reservationID) : Outcome(status: 409)
        case .confirm, .fulfil, .release: return Outcome(status: replies[0].integer == 1 ? 200 : 409)
        }
    }

    private static let hmget = Array("HMGET".utf8)
    private static let hset = Array("HSET".utf8)
    private static let hincrby = Array("HINCRBY".utf8)
    private static let evalsha = Array("EVALSHA".utf8)
    private static let onHand = Array("onHand".utf8)
    private static let reserved = Array("reserved".utf8)
    private static let fulfilled = Array("fulfilled".utf8)
    private static let released = Array("released".utf8)
}
