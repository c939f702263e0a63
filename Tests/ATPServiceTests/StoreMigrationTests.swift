import ATPEngine
import ATPRedis
import ATPStore
import ATPTestSupport
import Testing

@testable import ATPService

/// `atpd migrate [--dry-run]` against a real `redis-server` holding layout 1.
@Suite struct StoreMigrationTests {
    private func parse(_ arguments: [String]) throws -> (ServiceConfiguration, Bool) {
        guard
            case .migrate(let configuration, let dryRun) = try ConfigurationParser.parse(
                arguments: arguments, environment: [:])
        else { throw JSONShapeError(description: "not a migrate") }
        return (configuration, dryRun)
    }

    @Test func dryRunReportsAndTheMigrationRewrites() throws {
        let server = try RedisServerProcess()
        let admin = try redis(server)
        _ = try admin.command(["HSET", "atp:cell:A", "DC1", "12 3 1", "DC2", "bad"])
        _ = try admin.command(["SET", "atp:evt:e-1", "1795000000000"])

        let (dry, isDry) = try parse(["migrate", "--dry-run", "--store", server.url])
        #expect(isDry)
        let reported = try StoreMigration.run(dry, dryRun: true)
        #expect(
            reported.first?.contains("layout 1 would be migrated: 2 records, 1 quarantined") == true,
            "\(reported)")
        #expect(reported.contains { $0.contains("quarantined redis key atp:cell:A field DC2") })
        #expect(try admin.command(["EXISTS", "atp:meta", "atp:evt:e-1"]) == .integer(1))

        let (wet, _) = try parse(["migrate", "--store", server.url, "--redis-partitions", "16"])
        let done = try StoreMigration.run(wet, dryRun: false)
        #expect(
            done.first?.contains("migrated layout 1 to layout 2 (16 partitions): 2 records") == true,
            "\(done)")
        #expect(try admin.command(["HGET", "atp:meta", "partitions"]).string == "16")
        #expect(try admin.command(["EXISTS", "atp:evt:e-1"]) == .integer(0))
        #expect(try StoreMigration.run(wet, dryRun: false).first?.contains("already layout 2") == true)

        // The migrated store recovers with its partition count and keeps the facts.
        let engine = Engine(clock: ManualClock())
        var options = RedisJournalWriter.Options()
        options.partitions = 16
        _ = try RedisJournalWriter(
            url: try RedisURL(server.url), waitForFsync: false, engine: engine, options: options
        )
        .recover(into: engine)
        #expect(engine.stock(sku: "A")?.locations.first?.onHand == 12)
        #expect(
            engine.apply([StockEvent(id: "e-1", kind: .set, sku: "A", location: "DC1", amount: 1)]).outcomes
                == [.duplicate])
    }

    @Test func migrateNeedsARedisStore() {
        #expect(throws: ConfigurationError.self) {
            _ = try ConfigurationParser.parse(arguments: ["migrate", "--store", "memory"], environment: [:])
        }
    }
}
