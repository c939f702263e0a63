import ATPRedis

/// One load connection's RESP2 codec for the Redis+Lua baseline: turns `Operation`s into
/// `EVALSHA` of the reservation scripts, pipelined `HMGET`s (availability) or `HSET`/`HINCRBY`s
/// (warehouse events), written straight into the output bytes, and scans the replies with
/// `RESP.scan` (no reply values are built). Reservation ids are the session's own
/// (`Operation.reservationID`).
///
/// Every new connection first sends a greeting — `AUTH` and `SELECT` when the URL asks, and
/// `SCRIPT LOAD` of the three scripts (so a restarted server has them again) — whose replies
/// are read and dropped. Outcomes use the HTTP codes of the same operations: 201 held, 409
/// refused, 200 done, 500 an error reply (any reply of a pipelined operation).
/// Thread-safety: not thread-safe; one connection on one load thread.
/// Complexity: O(request + reply size) per operation.
final class RedisWireCodec: WireCodec {
    /// The SHA1s of `RedisScripts.hold`, `.confirm` and `.finish`, as `SCRIPT LOAD` returned them.
    struct ScriptSHAs: Sendable {
        var hold: [UInt8]
        var confirm: [UInt8]
        var finish: [UInt8]
    }

    private let catalogue: Catalogue
    private let url: RedisURL
    private let shas: ScriptSHAs
    /// `atpl:<tag>:`, and `atpl:<tag>:exp` (the expiry sorted set).
    private let prefix: [UInt8]
    private let expiryKey: [UInt8]
    private var key: [UInt8] = []
    private var kind = OperationKind.availability
    /// Greeting replies still to drop, replies the operation expects, and those seen so far.
    private var skip = 0
    private var expected = 0
    private var seen = 0
    private var sawError = false
    private var firstInteger: Int64?
    private var reservationID = ""

    init(url: RedisURL, catalogue: Catalogue, shas: ScriptSHAs) {
        self.url = url
        self.catalogue = catalogue
        self.shas = shas
        prefix = Array(RedisTarget.prefix(catalogue).utf8)
        expiryKey = prefix + Array("exp".utf8)
        key.reserveCapacity(prefix.count + 32)
    }

    func greet(into out: inout [UInt8]) {
        skip = 0
        if let password = url.password {
            if let user = url.user {
                RESP.appendCommand(count: 3, to: &out)
                RESP.appendBulk("AUTH".utf8, to: &out)
                RESP.appendBulk(user.utf8, to: &out)
            } else {
                RESP.appendCommand(count: 2, to: &out)
                RESP.appendBulk("AUTH".utf8, to: &out)
            }
            RESP.appendBulk(password.utf8, to: &out)
            skip += 1
        }
        if url.db != 0 {
            RESP.appendCommand(count: 2, to: &out)
            RESP.appendBulk("SELECT".utf8, to: &out)
            RESP.appendBulk(decimal: url.db, to: &out)
            skip += 1
        }
        for script in [RedisScripts.hold, RedisScripts.confirm, RedisScripts.finish] {
            RESP.appendCommand(count: 3, to: &out)
            RESP.appendBulk("SCRIPT".utf8, to: &out)
            RESP.appendBulk("LOAD".utf8, to: &out)
            RESP.appendBulk(script.utf8, to: &out)
            skip += 1
        }
    }

    func encode(_ op: Operation, into out: inout [UInt8]) -> Bool {
        kind = op.kind
        expected = 0
        seen = 0
        sawError = false
        firstInteger = nil
        reservationID = op.reservationID
        switch op.kind {
        case .availability:
            for sku in op.skus {
                for location in 0..<catalogue.locations {
                    guard let cell = catalogue.cell(sku: sku, location: location) else { continue }
                    RESP.appendCommand(count: 4, to: &out)
                    RESP.appendBulk(Self.hmget, to: &out)
                    appendCellKey(cell, to: &out)
                    RESP.appendBulk(Self.onHand, to: &out)
                    RESP.appendBulk(Self.reserved, to: &out)
                    expected += 1
                }
            }
        case .hold:
            appendScriptHead(
                shas.hold, lines: op.lines, id: op.reservationID, to: &out,
                argumentCount: 2 + op.lines.count)
            RESP.appendBulk(decimal: op.ttlSeconds, to: &out)
            RESP.appendBulk(op.reservationID.utf8, to: &out)
            for line in op.lines { RESP.appendBulk(decimal: line.qty, to: &out) }
            expected = 1
        case .confirm:
            appendScriptHead(shas.confirm, lines: [], id: op.reservationID, to: &out, argumentCount: 1)
            RESP.appendBulk(op.reservationID.utf8, to: &out)
            expected = 1
        case .fulfil, .release:
            appendScriptHead(
                shas.finish, lines: op.lines, id: op.reservationID, to: &out,
                argumentCount: 2 + op.lines.count)
            RESP.appendBulk(op.reservationID.utf8, to: &out)
            RESP.appendBulk(op.kind == .fulfil ? Self.fulfilled : Self.released, to: &out)
            for line in op.lines { RESP.appendBulk(decimal: line.qty, to: &out) }
            expected = 1
        case .events:
            for event in op.events {
                RESP.appendCommand(count: 4, to: &out)
                RESP.appendBulk(event.isSet ? Self.hset : Self.hincrby, to: &out)
                appendCellKey(catalogue.regularCell(sku: event.sku, location: event.location), to: &out)
                RESP.appendBulk(Self.onHand, to: &out)
                RESP.appendBulk(decimal: event.value, to: &out)
                expected += 1
            }
        }
        if expected == 0 {  // nothing to ask (an empty batch): a PING keeps one answer per request
            RESP.appendCommand(count: 1, to: &out)
            RESP.appendBulk("PING".utf8, to: &out)
            expected = 1
        }
        return true
    }

    func consume(_ bytes: UnsafeRawBufferPointer) -> WireStep {
        var position = 0
        while true {
            switch RESP.scan(bytes, from: position) {
            case .incomplete: return .partial(consumed: position)
            case .malformed: return .failed
            case .reply(let reply, let end):
                position = end
                if skip > 0 {
                    skip -= 1
                    continue
                }
                if seen == 0, case .integer(let value) = reply { firstInteger = value }
                if reply == .error { sawError = true }
                seen += 1
                if seen == expected {
                    return .complete(consumed: position, outcome: outcome(), closes: false)
                }
            }
        }
    }

    func endOfStream() -> WireStep { .failed }

    private func outcome() -> Outcome {
        if sawError { return Outcome(status: 500) }
        switch kind {
        case .availability, .events: return Outcome(status: 200)
        case .hold:
            return firstInteger == 1
                ? Outcome(status: 201, reservationID: reservationID) : Outcome(status: 409)
        case .confirm, .fulfil, .release: return Outcome(status: firstInteger == 1 ? 200 : 409)
        }
    }

    /// `EVALSHA sha numkeys reservation-key expiry-key cell-keys…`, announcing `argumentCount`
    /// arguments to follow.
    private func appendScriptHead(
        _ sha: [UInt8], lines: [Operation.Line], id: String, to out: inout [UInt8],
        argumentCount: Int
    ) {
        RESP.appendCommand(count: 3 + 2 + lines.count + argumentCount, to: &out)
        RESP.appendBulk(Self.evalsha, to: &out)
        RESP.appendBulk(sha, to: &out)
        RESP.appendBulk(decimal: lines.count + 2, to: &out)
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: prefix)
        key.append(UInt8(ascii: "r"))
        key.append(UInt8(ascii: ":"))
        key.append(contentsOf: id.utf8)
        RESP.appendBulk(key, to: &out)
        RESP.appendBulk(expiryKey, to: &out)
        for line in lines { appendCellKey(line.cell, to: &out) }
    }

    /// `atpl:<tag>:c:<cell>` (`RedisTarget.cellKey`) as one argument.
    private func appendCellKey(_ cell: Int, to out: inout [UInt8]) {
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: prefix)
        key.append(UInt8(ascii: "c"))
        key.append(UInt8(ascii: ":"))
        key.append(contentsOf: String(cell).utf8)
        RESP.appendBulk(key, to: &out)
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
