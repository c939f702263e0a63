import ATPEngine
import ATPPosix
import ATPRedis
import ATPStore
import ATPUtilities
import Dispatch

/// The loop of a `RedisStreamConsumer`, on the consumer's thread: connect, claim, read, apply,
/// make durable, acknowledge.
///
/// Its Redis commands are `RedisCommand`s of `ATPRedis/Commands/StreamCommands.swift`, and the
/// entries of their replies `StreamEntry`s.
///
/// Thread-safety: confined to the consumer's thread (it owns the `RedisConnection`).
final class RedisStreamWorker {
    /// An entry for the dead-letter stream, with the reason.
    private struct DeadLetter {
        var entry: StreamEntry
        var code: String
        var detail: String
    }

    private let consumer: RedisStreamConsumer
    private let config: RedisStreamConfiguration
    private var connection: RedisConnection?
    private var backoff = RedisBackoff()
    /// Monotonic time of the next `XAUTOCLAIM` cycle (0: at once).
    private var nextClaim: Int64 = 0

    init(_ consumer: RedisStreamConsumer) {
        self.consumer = consumer
        self.config = consumer.configuration
    }

    func run() {
        while !consumer.isStopping {
            guard let connection = connect() else {
                pause(max(1, backoff.remainingMilliseconds))
                continue
            }
            do {
                if MonotonicClock.milliseconds() >= nextClaim {
                    try claim(connection)
                    nextClaim = MonotonicClock.milliseconds() + config.claimIntervalMilliseconds
                }
                try read(connection)
            } catch {
                failed(error)
            }
        }
        connection = nil
    }

    // MARK: Reading and claiming

    private func read(_ redis: RedisConnection) throws(RedisError) {
        let reply = try redis.send(
            .xreadgroup(
                group: config.group, consumer: config.consumer, count: config.count,
                blockMilliseconds: config.blockMilliseconds, stream: config.stream))
        if let message = reply.errorMessage {
            // NOGROUP: the stream or the group was deleted; make them again.
            if message.hasPrefix("NOGROUP") { return try createGroup(redis) }
            throw .configuration("XREADGROUP \(config.stream): \(message)")
        }
        // None for the null reply: nothing within the block time.
        for read in StreamEntry.reads(reply) { process(read.entries) }
    }

    /// One `XAUTOCLAIM` cycle: pages of entries idle for the minimum time, at most 10 pages.
    private func claim(_ redis: RedisConnection) throws(RedisError) {
        var cursor = "0-0"
        for _ in 0..<10 where !consumer.isStopping && !redis.isBroken {
            let reply = try redis.send(
                .xautoclaim(
                    config.stream, group: config.group, consumer: config.consumer,
                    minIdleMilliseconds: config.claimMinIdleMilliseconds, start: cursor,
                    count: config.claimCount))
            if let message = reply.errorMessage {
                if message.hasPrefix("NOGROUP") { return try createGroup(redis) }
                throw .configuration("XAUTOCLAIM \(config.stream): \(message)")
            }
            guard let claim = StreamEntry.Claim(reply) else {
                throw .unavailable("XAUTOCLAIM answered \(reply)")
            }
            consumer.counters.claimed.add(claim.entries.count, ordering: .relaxed)
            if !claim.entries.isEmpty { process(claim.entries) }
            cursor = claim.next
            if cursor == "0-0" { return }
        }
    }

    // MARK: Processing

    /// Applies a batch of entries, makes their records durable, dead-letters the bad ones and
    /// acknowledges the batch; returns early (entries left pending) only when stopping.
    private func process(_ entries: [StreamEntry]) {
        var events: [StockEvent] = []
        var sources: [Int] = []  // index in `entries` of each event
        var malformed: [EventRejection] = []
        for (index, entry) in entries.enumerated() {
            guard let fields = entry.fields else { continue }  // deleted: acknowledge only
            switch RedisStreamEntry.decode(fields) {
            case .success(let event):
                events.append(event)
                sources.append(index)
            case .failure(let problem):
                malformed.append(EventRejection(index: index, id: nil, refusal: problem))
            }
        }
        guard let outcomes = commit(events) else { return }  // stopping
        let tally = EventTally(outcomes, of: events, at: sources, refusedBefore: malformed)
        let counters = consumer.counters
        counters.applied.add(tally.applied, ordering: .relaxed)
        counters.duplicate.add(tally.duplicate, ordering: .relaxed)
        counters.stale.add(tally.stale, ordering: .relaxed)
        counters.rejected.add(tally.rejected.count, ordering: .relaxed)
        let dead = tally.rejected.map {
            DeadLetter(entry: entries[$0.index], code: $0.code, detail: $0.detail)
        }
        settle(entries.map(\.id), dead: dead)
    }

    /// Applies `events` through the commit seam until the change is durable; a failed commit was
    /// rolled back, so the events are applied again after a pause. Nil when stopping first.
    private func commit(_ events: [StockEvent]) -> [EventOutcome]? {
        var retry = RedisBackoff()
        while !consumer.isStopping {
            let submission = Submission()
            let engine = consumer.durable.engine
            let (outcomes, pending) = consumer.durable.commit(
                { m in m.record { engine.apply(events, into: &$0) } },
                answer: { _ in
                    { result in
                        submission.outcome.withLock { $0 = result }
                        submission.done.signal()
                    }
                })
            guard pending else { return outcomes }
            while submission.done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
                if consumer.isStopping { return nil }  // the completion still runs; entries stay pending
            }
            guard case .failure(let error) = submission.outcome.withLock({ $0 }) else { return outcomes }
            consumer.noteError(
                "\(events.count) stream events were not made durable and were rolled back: \(error)")
            retry.failed()
            pause(retry.remainingMilliseconds)
        }
        return nil
    }

    /// One commit's completion, waited for on the consumer's thread.
    private final class Submission: Sendable {
        let done = DispatchSemaphore(value: 0)
        let outcome = Locked<Result<Void, StoreError>?>(nil)
    }

    /// Copies `dead` to the dead-letter stream, then acknowledges `ids` (except dead letters that
    /// could not be copied), reconnecting as needed; gives up only when stopping.
    private func settle(_ ids: [[UInt8]], dead: [DeadLetter]) {
        while !consumer.isStopping {
            guard let redis = connect() else {
                pause(max(1, backoff.remainingMilliseconds))
                continue
            }
            do {
                var keep: Set<[UInt8]> = []
                if !dead.isEmpty {
                    let replies = try redis.pipeline(dead.map(deadLetterCommand))
                    for (letter, reply) in zip(dead, replies) {
                        if let message = reply.errorMessage {
                            consumer.noteError("XADD \(config.deadLetterStream): \(message)")
                            keep.insert(letter.entry.id)  // stays pending; claimed and tried again later
                        } else {
                            consumer.counters.deadLettered.add(1, ordering: .relaxed)
                        }
                    }
                }
                let acking = ids.filter { !keep.contains($0) }
                guard !acking.isEmpty else { return }
                let reply = try redis.send(.xack(config.stream, group: config.group, ids: acking))
                if let count = reply.integer {
                    consumer.counters.acked.add(Int(count), ordering: .relaxed)
                } else {
                    consumer.noteError("XACK \(config.stream): \(reply)")
                }
                return
            } catch {
                failed(error)
            }
        }
    }

    private static let deadCode = Array("dead-code".utf8)
    private static let deadReason = Array("dead-reason".utf8)
    private static let deadEntry = Array("dead-entry".utf8)
    private static let deadConsumer = Array("dead-consumer".utf8)

    /// `XADD KEY:dead [MAXLEN ~ n] * dead-code … dead-reason … dead-entry <id> dead-consumer <name>`
    /// and then the entry's own fields, as they were.
    private func deadLetterCommand(_ letter: DeadLetter) -> RedisCommand {
        let fields = letter.entry.fields ?? []
        var command = RedisCommand.xadd(
            config.deadLetterStream,
            approximateMaxLength: config.deadLetterMaxLength > 0 ? config.deadLetterMaxLength : nil,
            reservingArguments: 8 + fields.count)
        command.append(field: Self.deadCode, value: Array(letter.code.utf8))
        command.append(field: Self.deadReason, value: Array(letter.detail.utf8))
        command.append(field: Self.deadEntry, value: letter.entry.id)
        command.append(field: Self.deadConsumer, value: Array(config.consumer.utf8))
        for field in fields { command.append(field) }
        return command
    }

    // MARK: Connection

    /// The live connection, or a new one (group created) once the backoff allows; nil meanwhile.
    private func connect() -> RedisConnection? {
        if let connection, !connection.isBroken { return connection }
        connection = nil
        consumer.setConnected(false)
        guard backoff.isDue else { return nil }
        do {
            let fresh = try RedisConnection(
                url: config.url, connectTimeoutMilliseconds: 1_000,
                commandTimeoutMilliseconds: config.blockMilliseconds + 2_000)
            try createGroup(fresh)
            connection = fresh
            backoff.succeeded()
            consumer.setConnected(true)
            return fresh
        } catch {
            failed(error)
            return nil
        }
    }

    private func createGroup(_ redis: RedisConnection) throws(RedisError) {
        let reply = try redis.send(
            .xgroupCreate(config.stream, group: config.group, startID: config.startID, makeStream: true))
        if let message = reply.errorMessage, !message.hasPrefix("BUSYGROUP") {
            throw .configuration("XGROUP CREATE \(config.stream) \(config.group): \(message)")
        }
    }

    /// Notes a failure; drops the connection and backs off.
    private func failed(_ error: RedisError) {
        consumer.noteError(error.description)
        connection = nil
        consumer.setConnected(false)
        backoff.failed()
    }

    /// Sleeps `milliseconds`, or less if `stop` is called.
    private func pause(_ milliseconds: Int64) {
        guard !consumer.isStopping else { return }
        if consumer.wake.wait(timeout: .now() + .milliseconds(Int(milliseconds))) == .success {
            consumer.wake.signal()  // keep the stop signal for the next pause
        }
    }
}
