import ATPEngine
import ATPRedis
import ATPStore
import ATPTestSupport
import Foundation

// RedisBenchmarks — the Redis backend of the store against a real redis-server.
//
//   swift run -c release --scratch-path .build-redisstore RedisBenchmarks \
//       [--redis redis://HOST:PORT] [--skus N] [--locations N] [--samples N] [recover|write|migrate ...]
//
// Without --redis it starts its own redis-server (appendonly off) on a free loopback port.
// recover: fills Redis through the writer with skus x locations cells (default 100,000 x 10 =
//          1,000,000): set events in the partition logs, a compaction into snapshots, then a
//          tenth as many events of log after it; times `RedisJournalWriter.recover` into a fresh
//          engine, once to warm up and N more times.
// write:   times `RedisJournalWriter.write` of batches of 100 stock events (one FCALL each).
// migrate: fills layout 1 (one `bench:cell:<sku>` hash per sku) and times the migration.
// Each prints the median of its samples. The keys it writes under `bench:` are deleted at the end.

struct Options {
    var redis: String?
    var skus = 100_000
    var locations = 10
    var samples = 3
    var selected: Set<String> = []

    static func parse() -> Options {
        var options = Options()
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--redis": options.redis = arguments.popFirst()
            case "--skus": options.skus = Int(arguments.popFirst() ?? "") ?? options.skus
            case "--locations": options.locations = Int(arguments.popFirst() ?? "") ?? options.locations
            case "--samples": options.samples = Int(arguments.popFirst() ?? "") ?? options.samples
            case "-h", "--help":
                print(
                    "usage: RedisBenchmarks [--redis URL] [--skus N] [--locations N] [--samples N] [recover|write|migrate ...]"
                )
                exit(0)
            default: options.selected.insert(argument)
            }
        }
        return options
    }

    func wanted(_ name: String) -> Bool { selected.isEmpty || selected.contains(name) }
}

/// A fixed wall clock: the benchmark needs no passing time.
struct FixedClock: WallClock {
    func now() -> Timestamp { Timestamp(milliseconds: 1_795_000_000_000) }
}

func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

/// Deletes every key matching `bench:*` or `{bench:*` (the partitions' keys).
func cleanUp(_ redis: RedisConnection) throws {
    for pattern in ["bench:*", "{bench:*"] { try cleanUp(redis, pattern) }
}

func cleanUp(_ redis: RedisConnection, _ pattern: String) throws {
    var cursor = Array("0".utf8)
    repeat {
        let reply = try redis.send(.scan(cursor: cursor, match: Array(pattern.utf8), count: 10_000))
        let parts = reply.array ?? []
        cursor = parts.first?.bytes ?? Array("0".utf8)
        let keys = (parts.count > 1 ? parts[1].array ?? [] : []).compactMap(\.bytes)
        if !keys.isEmpty { _ = try redis.send(.unlink(keys)) }
    } while cursor != Array("0".utf8)
}

/// Fills the store through the writer: `skus × locations` set events in the logs, a compaction
/// (snapshots of every partition), then a tenth as many adjust events in the logs after it.
func fillThroughTheWriter(_ url: RedisURL, _ options: Options) throws -> Int {
    let engine = Engine(clock: FixedClock())
    let writer = RedisJournalWriter(
        url: url, prefix: "bench:", waitForFsync: false, engine: engine, commandTimeoutMilliseconds: 30_000)
    _ = try writer.recover(into: engine)
    var events: [StockEvent] = []
    var counter = 0
    func commit() throws {
        guard !events.isEmpty else { return }
        try writer.write([EngineChange(records: engine.apply(events).records)])
        events.removeAll(keepingCapacity: true)
    }
    for s in 0..<options.skus {
        for l in 0..<options.locations {
            counter += 1
            events.append(
                StockEvent(id: "f-\(counter)", kind: .set, sku: "SKU-\(s)", location: "LOC-\(l)", amount: 10))
            if events.count == 1_000 { try commit() }
        }
    }
    try commit()
    try writer.compactNow()
    let cells = options.skus * options.locations
    for i in 0..<(cells / 10) {
        counter += 1
        events.append(
            StockEvent(
                id: "a-\(counter)", kind: .adjust, sku: "SKU-\(i % options.skus)", location: "LOC-0",
                amount: 1))
        if events.count == 1_000 { try commit() }
    }
    try commit()
    writer.close()
    return cells
}

func recoverBenchmark(_ url: RedisURL, _ options: Options) throws {
    var cells = 0
    let fill = try seconds { cells = try fillThroughTheWriter(url, options) }
    emit(
        "filled \(cells) cells (snapshot + \(cells / 10) events of log) in \(String(format: "%.2f", fill)) s")
    var samples: [Double] = []
    for sample in 0...options.samples {
        let engine = Engine(clock: FixedClock())
        let writer = RedisJournalWriter(
            url: url, prefix: "bench:", waitForFsync: false, engine: engine,
            commandTimeoutMilliseconds: 30_000)
        var report = RecoveryReport()
        let elapsed = try seconds { report = try writer.recover(into: engine) }
        precondition(report.quarantinedCount == 0 && report.gaps == 0, "recovery quarantined or found gaps")
        precondition(engine.available(sku: "SKU-7", location: "LOC-3") == 10)
        if sample > 0 { samples.append(elapsed) }  // sample 0 warms up
        if sample == options.samples { emit("  last sample replayed \(report.records) records") }
    }
    let m = median(samples)
    emit(
        "recover \(cells) cells".padding(toLength: 40, withPad: " ", startingAt: 0)
            + String(
                format: "median %.2f s  (%.0f k cells/s; samples %@)", m, Double(cells) / m / 1e3,
                samples.map { String(format: "%.2f", $0) }.joined(separator: " ")))
}

/// Fills layout 1 (`bench:cell:<sku>` hashes, as atpd ≤ session 8 wrote them) and times the
/// migration that the first start does.
func migrateBenchmark(_ url: RedisURL, _ options: Options) throws {
    let redis = try RedisConnection(url: url, commandTimeoutMilliseconds: 30_000)
    let schema = RedisKeySchema(prefix: "bench:")
    let locations = (0..<options.locations).map { "LOC-\($0)" }
    var pipeline: [RedisCommand] = []
    for s in 0..<options.skus {
        var command = RedisCommand.hset(schema.cell(sku: "SKU-\(s)"), reservingPairs: locations.count)
        for location in locations {
            let figures = CellSnapshotRecord(
                sku: "", location: location, onHand: 10, version: 1, safetyStock: 0)
            command.append(field: Array(location.utf8), value: RedisKeySchema.cellValue(figures))
        }
        pipeline.append(command)
        if pipeline.count == 1_000 || s == options.skus - 1 {
            _ = try redis.pipeline(pipeline)
            pipeline.removeAll(keepingCapacity: true)
        }
    }
    let engine = Engine(clock: FixedClock())
    let writer = RedisJournalWriter(
        url: url, prefix: "bench:", waitForFsync: false, engine: engine, commandTimeoutMilliseconds: 30_000)
    var report = RecoveryReport()
    let elapsed = try seconds { report = try writer.recover(into: engine) }
    precondition(engine.available(sku: "SKU-7", location: "LOC-3") == 10)
    emit(
        "migrate \(options.skus * options.locations) cells of layout 1".padding(
            toLength: 40, withPad: " ", startingAt: 0)
            + String(format: "%.2f s  (%d records)", elapsed, report.records))
}

func writeBenchmark(_ url: RedisURL, _ options: Options) throws {
    let engine = Engine(clock: FixedClock())
    let writer = RedisJournalWriter(url: url, prefix: "bench:", waitForFsync: false, engine: engine)
    _ = try writer.recover(into: engine)
    var counter = 0
    func batch() -> [EngineChange] {
        (0..<100).map { _ in
            counter += 1
            let event = StockEvent(
                id: "w-\(counter)", kind: .adjust, sku: "SKU-\(counter % 5_000)",
                location: "LOC-\(counter % 10)", amount: 1)
            return EngineChange(records: engine.apply([event]).records)
        }
    }
    for _ in 0..<100 { try writer.write(batch()) }  // warm-up
    var samples: [Double] = []
    for _ in 0..<options.samples {
        let batches = 1_000
        let elapsed = try seconds { for _ in 0..<batches { try writer.write(batch()) } }
        samples.append(elapsed / Double(batches))
    }
    let m = median(samples)
    emit(
        "write batches of 100 events".padding(toLength: 40, withPad: " ", startingAt: 0)
            + String(format: "median %.2f ms/batch  (%.0f k records/s)", m * 1e3, 100 / m / 1e3))
}

let options = Options.parse()
var server: RedisServerProcess?
let url: RedisURL
if let given = options.redis {
    url = try RedisURL(given)
} else {
    server = try RedisServerProcess()
    url = try RedisURL(server!.url)
}
emit(
    "RedisBenchmarks against \(url) (\(server == nil ? "given server" : "own redis-server, appendonly off"))")
let admin = try RedisConnection(url: url, commandTimeoutMilliseconds: 30_000)
try cleanUp(admin)
if options.wanted("recover") { try recoverBenchmark(url, options) }
try cleanUp(admin)
if options.wanted("write") { try writeBenchmark(url, options) }
try cleanUp(admin)
if options.wanted("migrate") { try migrateBenchmark(url, options) }
try cleanUp(admin)
server?.stop()
