import ATPEngine
import ATPUtilities

/// The embedded durable store: a journal of checksummed frames in a local directory, group
/// committed (one `write` + one `fdatasync` per batch), with periodic snapshots that let old
/// journal segments be deleted.
///
/// Directory layout (created if missing):
/// - `LOCK` — held with `flock` while a store is open; holds the owner's pid.
/// - `journal-<16 hex seq>.log` — append-only segments of frames, one frame per unit
///   (see `JournalFrame`); appends go to the highest sequence.
/// - `snapshot-<16 hex seq>.snap` — the engine's state, valid together with segments ≥ seq.
/// - `snapshot-<16 hex seq>.tmp` — a snapshot being written (removed by recovery).
///
/// Life cycle: `init` takes the directory's lock; `recover(into:)` replays the directory into the
/// engine, keeps the engine for snapshots and starts the writer thread; `append` from then on;
/// `close` writes what is queued, waits for a running snapshot and releases the lock.
/// Failure policy: see `FileJournal` (a failed batch fails its units; the segment is cut back to
/// the last durable batch before anything else is written) and `GroupCommitter`.
/// Snapshots run on a helper thread while appends continue: see `FileSnapshots`.
///
/// Thread-safety: `append`, `isAvailable` and `statistics` from any thread; `recover` once, then
/// `close` once.
public final class FileStore: Store {
    /// Tuning of a file store.
    public struct Options: Sendable {
        /// Journal records after which a snapshot is taken (default 1,000,000).
        public var snapshotRecords = 1_000_000
        /// Journal bytes after which a snapshot is taken (default 256 MiB).
        public var snapshotBytes = 256 << 20
        /// Records per frame in snapshot files (default 1024).
        public var snapshotRecordsPerFrame = 1024
        /// When true, recovery keeps what precedes damage in the middle of the journal and
        /// discards everything after it, instead of failing with `.corrupt` (default false).
        public var discardAfterDamage = false

        public init() {}
    }

    public let kind = "file"
    /// The store's directory.
    public let path: String
    public let options: Options
    private let directory: StoreDirectory
    private let snapshots: FileSnapshots
    private let journal: FileJournal
    private let committer: GroupCommitter
    public let mutationGate: MutationGate? = MutationGate()
    private let phase = Locked(Phase.opened)

    private enum Phase {
        case opened, recovered, closed
    }

    /// Opens (creating it if missing) the store directory at `directory` and takes its lock.
    /// - Throws: `.configuration` naming the holder when another store has the directory open;
    ///   `.io` when it cannot be created or opened.
    public init(directory: String, options: Options = Options()) throws(StoreError) {
        path = directory
        self.options = options
        self.directory = try StoreDirectory(path: directory)
        snapshots = FileSnapshots(directory: self.directory, recordsPerFrame: options.snapshotRecordsPerFrame)
        journal = FileJournal(directory: self.directory, snapshots: snapshots, options: options)
        committer = GroupCommitter(backend: journal, gate: mutationGate, name: "atp-journal")
    }

    /// Replays the newest snapshot and the journal after it into `engine` (which must be empty),
    /// cuts off a torn tail, and starts accepting appends. The store keeps `engine` to snapshot it.
    /// A failed recovery closes the store (releasing the directory); `engine` is then unusable.
    /// - Throws: `.corrupt` for damage that is not a torn tail (see `FileRecovery`), `.io` for
    ///   failed file operations, `.configuration` when called twice or after `close`.
    /// - Complexity: O(size of the snapshot and journal).
    public func recover(into engine: Engine) throws(StoreError) -> RecoveryReport {
        let result = phase.withLock { phase -> Result<RecoveryReport, StoreError>? in
            guard phase == .opened else { return nil }
            let result = Result { () throws(StoreError) -> RecoveryReport in
                let outcome = try FileRecovery(
                    directory: directory, discardAfterDamage: options.discardAfterDamage
                )
                .run(into: engine)
                try journal.open(
                    sequence: outcome.segment, records: outcome.journalRecords, bytes: outcome.journalBytes)
                return outcome.report
            }
            if case .success = result {
                snapshots.attach(engine, committer: committer)
                committer.start(engine: engine)
                phase = .recovered
            }
            return result
        }
        guard let result else { throw .configuration("recover(into:) runs once, on an open store") }
        if case .failure = result { close() }
        return try result.get()
    }

    /// Makes `unit` durable (one frame: all of its records or none), then calls `completion` on
    /// the journal's writer thread. Units complete in append order; a failed one is rolled back.
    /// - Complexity: O(1) here; the encoding happens on the writer thread.
    public func append(
        _ unit: EngineChange, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void
    ) {
        committer.append(unit, completion: completion)
    }

    public func appendInsideGate(
        _ unit: EngineChange, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void
    ) {
        committer.append(unit, waking: false, completion: completion)
    }

    public func wakeWriter() { committer.wake() }

    /// False before `recover`, after `close`, and while a failed write has not been repaired.
    public var isAvailable: Bool { phase.withLock { $0 == .recovered } && journal.isAvailable }

    public var statistics: StoreStatistics {
        var s = committer.statistics
        s.snapshots = snapshots.figures.completed
        return s
    }

    /// Snapshots that failed (disk full, say); the journal is kept whole meanwhile.
    public var failedSnapshots: Int { snapshots.figures.failed }

    /// Writes what is queued, waits for a running snapshot, closes the files and drops the lock.
    public func close() { shutDown(flush: true) }

    // MARK: Testing

    /// Stops as a crash would, as far as durability goes: queued units are not written (their
    /// completions get `.unavailable`), files are closed without a final sync, and the lock is
    /// dropped so another store can open the directory.
    func abandonForTesting() { shutDown(flush: false) }

    /// Makes the next batch fail halfway through its write (tests of the failure policy).
    func failNextWriteForTesting() { journal.failNextWriteForTesting() }

    /// Waits until the running snapshot, if any, has finished.
    func waitForSnapshotForTesting() { snapshots.wait() }

    private func shutDown(flush: Bool) {
        let wasOpen = phase.withLock { phase -> Bool in
            defer { phase = .closed }
            return phase != .closed
        }
        guard wasOpen else { return }
        if flush { committer.close() } else { committer.abandon() }
        snapshots.wait()
        snapshots.detach()
        journal.close()
        directory.release()
    }
}
