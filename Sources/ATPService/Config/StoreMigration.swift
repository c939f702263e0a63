import ATPEngine
import ATPRedis
import ATPStore

/// `atpd migrate [--dry-run] --store redis://…`: rewrites a Redis store of layout 1 (one key per
/// fact, current values) as layout 2 (partitioned logs and snapshots), as a start would do by
/// itself, and says what it found.
///
/// Thread-safety: runs once, on the main thread, before (instead of) the service.
public enum StoreMigration {
    /// Runs the migration the configuration describes.
    /// - Returns: the lines to print.
    /// - Throws: `StoreError` when Redis cannot be reached or refuses; `ConfigurationError` for a
    ///   store that is not Redis.
    public static func run(_ configuration: ServiceConfiguration, dryRun: Bool) throws -> [String] {
        guard case .redis(let text) = configuration.store else {
            throw ConfigurationError("migrate: needs --store redis://…")
        }
        let url = try RedisURL(text)
        let engine = Engine(configuration: configuration.engine, clock: SystemClock())
        var options = RedisJournalWriter.Options()
        options.partitions = configuration.redisPartitions
        let writer = RedisJournalWriter(
            url: url, prefix: configuration.redisPrefix, waitForFsync: false, engine: engine,
            options: options,
            commandTimeoutMilliseconds: 30_000)
        defer { writer.close() }
        let (found, report) = try writer.migrate(dryRun: dryRun)
        let place = "redis \(url) prefix \(configuration.redisPrefix)"
        switch found {
        case .nothing: return ["\(place): no atpd data; nothing to migrate"]
        case .current: return ["\(place): already layout \(RedisLogLayout.version); nothing to migrate"]
        case .legacy:
            var lines = [
                dryRun
                    ? "\(place): layout 1 would be migrated: \(report.records) records, \(report.quarantinedCount) quarantined"
                    : "\(place): migrated layout 1 to layout \(RedisLogLayout.version) (\(options.partitions) partitions): "
                        + "\(report.records) records, \(report.quarantinedCount) quarantined"
            ]
            for (where_, why) in report.quarantined { lines.append("  quarantined \(where_): \(why)") }
            return lines
        }
    }
}
