import ATPEngine
import ATPPosix
import ATPRedis

/// Recovery: the layout checked (and made, or migrated from layout 1), then every partition's
/// snapshot and logs replayed.
extension RedisJournalWriter {
    /// What `P meta` says Redis holds.
    public enum Found: Sendable {
        /// Nothing of atpd's.
        case nothing
        /// Keys of layout 1 and no `P meta`.
        case legacy
        /// Layout 2 with this atpd's partition count.
        case current
    }

    /// Loads the store into `engine` (which must be empty), then calls `engine.finishReplay()`.
    ///
    /// Installs the function library (`RedisFunctions.install`), then reads `P meta`: a new
    /// Redis gets layout 2; layout 1 is migrated (`migrate`); layout 2 is replayed partition by
    /// partition, each in one round trip: its snapshot, then its logs from the snapshot's
    /// generation to `head`, in order.
    /// - Throws: `.configuration` for another layout version or partition count, a Redis without
    ///   Functions or with a newer library; `.corrupt` for a damaged frame (naming the key and
    ///   offset: a frame in Redis is never torn, so damage is never skipped); `.unavailable` when
    ///   Redis cannot be reached — start again with a fresh engine.
    /// - Complexity: O(snapshot and log bytes); memory O(one partition's bytes) besides the engine.
    public func recover(into engine: Engine) throws(StoreError) -> RecoveryReport {
        let started = MonotonicClock.milliseconds()
        var report = try run { connection throws(StoreError) -> RecoveryReport in
            try RedisFunctions.install(on: connection)
            switch try Self.inspect(connection, layout: layout) {
            case .nothing:
                try Self.initialize(connection, layout: layout, snapshotGeneration: 0)
                adoptFresh(snapshotGeneration: 0)
                engine.finishReplay()
                return RecoveryReport()
            case .legacy:
                return try migrate(connection, into: engine, dryRun: false)
            case .current:
                return try replay(connection, into: engine)
            }
        }
        report.milliseconds = MonotonicClock.milliseconds() - started
        return report
    }

    /// `atpd migrate`: finds what Redis holds and, for layout 1, migrates it into the writer's
    /// engine (which must be empty; with `dryRun` it is only loaded, and nothing is written).
    /// Layout 2 and an empty Redis are left alone.
    /// - Returns: what was found, and the records loaded from layout 1.
    public func migrate(dryRun: Bool) throws(StoreError) -> (found: Found, report: RecoveryReport) {
        try run { connection throws(StoreError) in
            let found = try Self.inspect(connection, layout: layout)
            guard found == .legacy else { return (found, RecoveryReport()) }
            if !dryRun { try RedisFunctions.install(on: connection) }
            return (found, try migrate(connection, into: engine, dryRun: dryRun))
        }
    }

    /// Loads layout 1 into `engine`, writes it as layout 2 (snapshots of generation 1, then the
    /// partition metas, then `P meta` — the commit point: a crash before it leaves layout 1 as it
    /// was), and removes the layout-1 keys but the cell hashes, which layout 2 keeps as its mirror.
    /// With `dryRun` nothing is written: the report says what would be migrated.
    func migrate(_ connection: RedisConnection, into engine: Engine, dryRun: Bool) throws(StoreError)
        -> RecoveryReport
    {
        let schema = RedisKeySchema(prefix: layout.prefix)
        let report = try RedisLegacyLayout.load(connection, schema: schema, into: engine)
        guard !dryRun else { return report }
        try RedisCompaction.writeSnapshots(
            engine: engine, layout: layout, generation: 1, recordsPerFrame: options.snapshotRecordsPerFrame,
            on: connection)
        try Self.initialize(connection, layout: layout, snapshotGeneration: 1)
        var legacy: [[UInt8]] = []
        try RedisLegacyLayout.scan(connection, schema: schema) { key in
            switch schema.kind(of: key) {
            case nil, .cell?: break
            default: legacy.append(key)
            }
            return true
        }
        for start in stride(from: 0, to: legacy.count, by: 512) {
            _ = try connection.storeSend(.unlink(Array(legacy[start..<min(start + 512, legacy.count)])))
        }
        adoptFresh(snapshotGeneration: 1)
        return report
    }

    /// What Redis holds under the prefix.
    static func inspect(_ connection: RedisConnection, layout: RedisLogLayout) throws(StoreError) -> Found {
        let reply = try connection.storeSend(
            .hmget(layout.meta, fields: [Array("layout".utf8), Array("partitions".utf8)]))
        guard let fields = reply.array, fields.count == 2 else {
            throw .corrupt("redis \(connection.url): HMGET \(layout.prefix)meta answered \(reply)")
        }
        guard let version = fields[0].string else {
            let legacy = try RedisLegacyLayout.hasData(
                connection, schema: RedisKeySchema(prefix: layout.prefix))
            return legacy ? .legacy : .nothing
        }
        guard version == String(RedisLogLayout.version) else {
            throw .configuration(
                "redis \(connection.url): \(layout.prefix)meta says layout \(version); this atpd reads layout "
                    + "\(RedisLogLayout.version) (and migrates layout 1): run the atpd that wrote it, or move the data "
                    + "under another --redis-prefix")
        }
        guard let count = fields[1].string.flatMap({ Int($0) }), count == layout.partitions else {
            throw .configuration(
                "redis \(connection.url): the store has \(fields[1].string ?? "no") partitions and this atpd is "
                    + "configured for \(layout.partitions); the count is fixed at first start: start with "
                    + "--redis-partitions \(fields[1].string ?? "?")")
        }
        return .current
    }

    /// Writes the metas of a new layout-2 store: each partition at epoch 1 and generation 1, then
    /// `P meta`.
    static func initialize(_ connection: RedisConnection, layout: RedisLogLayout, snapshotGeneration: UInt64)
        throws(StoreError)
    {
        var commands = RESPWriter()
        for p in 0..<layout.partitions {
            commands.command(arguments: 8)
            commands.argument("HSET")
            commands.argument(layout.meta(partition: p))
            commands.argument("epoch")
            commands.argument(decimal: 1)
            commands.argument("head")
            commands.argument(decimal: 1)
            commands.argument("snap")
            commands.argument(decimal: Int64(snapshotGeneration))
        }
        commands.command(arguments: 6)
        commands.argument("HSET")
        commands.argument(layout.meta)
        commands.argument("layout")
        commands.argument(decimal: Int64(RedisLogLayout.version))
        commands.argument("partitions")
        commands.argument(decimal: Int64(layout.partitions))
        try RedisCompaction.send(commands, on: connection)
    }

    private func adoptFresh(snapshotGeneration: UInt64) {
        adopt(
            epochs: Array(repeating: Array("1".utf8), count: layout.partitions), generation: 1,
            snapshotGeneration: snapshotGeneration, logLengths: Array(repeating: 0, count: layout.partitions))
    }

    /// Replays every partition of a layout-2 store.
    private func replay(_ connection: RedisConnection, into engine: Engine) throws(StoreError)
        -> RecoveryReport
    {
        var metas = RESPWriter()
        for p in 0..<layout.partitions {
            metas.command(arguments: 5)
            metas.argument("HMGET")
            metas.argument(layout.meta(partition: p))
            metas.argument("epoch")
            metas.argument("head")
            metas.argument("snap")
        }
        let replies = try redisCall { () throws(RedisError) in try connection.sendFormatted(metas) }
        var epochs: [[UInt8]] = []
        var heads: [UInt64] = []
        var snaps: [UInt64] = []
        for (p, reply) in replies.enumerated() {
            guard let fields = reply.array, fields.count == 3, let epoch = fields[0].bytes,
                let head = fields[1].string.flatMap({ UInt64($0) }), head >= 1,
                let snap = fields[2].string.flatMap({ UInt64($0) }), snap <= head
            else {
                throw .corrupt(
                    "redis \(connection.url): \(layout.tag(p)):meta is not epoch/head/snap (\(reply)); the store is damaged"
                )
            }
            epochs.append(epoch)
            heads.append(head)
            snaps.append(snap)
        }
        let head = heads.max() ?? 1
        var report = RecoveryReport()
        var lengths: [Int] = []
        for p in 0..<layout.partitions {
            lengths.append(
                try replayPartition(
                    p, snapshot: snaps[p], head: head, connection, into: engine, report: &report))
        }
        report.gaps = engine.finishReplay()
        adopt(epochs: epochs, generation: head, snapshotGeneration: snaps.min() ?? 0, logLengths: lengths)
        return report
    }

    /// Replays partition `p`: its snapshot of generation `snapshot` (if any), then its logs from
    /// that generation (or 1) to `head`.
    /// - Returns: the length of its log of generation `head`.
    private func replayPartition(
        _ p: Int, snapshot: UInt64, head: UInt64, _ connection: RedisConnection, into engine: Engine,
        report: inout RecoveryReport
    ) throws(StoreError) -> Int {
        var commands = RESPWriter()
        var keys: [[UInt8]] = []
        if snapshot > 0 { keys.append(layout.snapshot(partition: p, generation: snapshot)) }
        for g in max(snapshot, 1)...head { keys.append(layout.log(partition: p, generation: g)) }
        for key in keys {
            commands.command(arguments: 2)
            commands.argument("GET")
            commands.argument(key)
        }
        let replies = try redisCall { () throws(RedisError) in try connection.sendFormatted(commands) }
        var headLength = 0
        for (index, (key, reply)) in zip(keys, replies).enumerated() {
            let place = "redis key \(String(decoding: key, as: UTF8.self))"
            let isSnapshot = snapshot > 0 && index == 0
            if reply.isNull {
                if isSnapshot { throw .corrupt("\(place) is missing, and \(layout.tag(p)):meta names it") }
                continue
            }
            guard let bytes = reply.bytes else { throw .corrupt("\(place) is not a string: \(reply)") }
            if index == keys.count - 1, !isSnapshot { headLength = bytes.count }
            bytesSinceRotation += isSnapshot ? 0 : bytes.count
            let problem = bytes.withUnsafeBytes { data -> String? in
                if isSnapshot {
                    switch JournalReplay.snapshotFrames(data) {
                    case .success(let frames):
                        for payload in frames {
                            report.records += JournalReplay.replayFrame(
                                data, payload, place: place, into: engine, report: &report)
                        }
                        return nil
                    case .failure(let problem): return problem.description
                    }
                }
                var offset = 0
                while true {
                    switch JournalFrame.read(data, at: offset) {
                    case .frame(let payload, let next):
                        let replayed = JournalReplay.replayFrame(
                            data, payload, place: place, into: engine, report: &report)
                        report.records += replayed
                        recordsSinceRotation += replayed
                        offset = next
                    case .end: return nil
                    case .truncated, .damaged: return "damaged frame at offset \(offset) of \(data.count)"
                    }
                }
            }
            if let problem { throw .corrupt("\(place): \(problem)") }
        }
        return headLength
    }
}
