import ATPEngine
import ATPPosix
import ATPUtilities
import Glibc

/// Writes snapshots of the engine on a helper thread and deletes the files they make obsolete.
///
/// The writer thread rotates to segment `s` first, then calls `start(sequence: s)`; the helper
/// then exports the engine (a fuzzy snapshot, taken while requests are served), writes it to
/// `snapshot-<s>.tmp` in frames of `recordsPerFrame` records ending with an empty frame, syncs it,
/// renames it to `snapshot-<s>.snap`, syncs the directory, and only then deletes segments and
/// snapshots older than `s`. Every mutation the export may have missed was applied to the engine
/// after the rotation, so its unit is in a segment ≥ `s`; replaying them over the snapshot skips
/// what it already holds. A crash at any step leaves the previous snapshot and all its segments.
///
/// Appends never wait for a snapshot: the helper thread reads the engine concurrently (which
/// `exportSnapshot` allows) while the writer thread keeps committing to segment `s`. At most one
/// snapshot runs at a time. A failed snapshot deletes its temporary file and keeps every older
/// file; the next one is attempted after as much journal again.
///
/// A change the export read may still fail and be rolled back (its batch is in flight): before
/// the snapshot is published (renamed), the helper waits until every unit appended before the
/// export ended has completed (`GroupCommitter.barrier`), and discards the snapshot if any batch
/// was rolled back since the export began.
///
/// Thread-safety: every method from any thread.
final class FileSnapshots: Sendable {
    private struct State {
        var engine: Engine?
        var committer: GroupCommitter?
        var thread: JoinableThread?
        var running = false
        var completed = 0
        var failed = 0
        var lastError: StoreError?
    }

    let directory: StoreDirectory
    let recordsPerFrame: Int
    private let state = Locked(State())

    init(directory: StoreDirectory, recordsPerFrame: Int) {
        self.directory = directory
        self.recordsPerFrame = max(1, recordsPerFrame)
    }

    /// Gives the snapshots the engine they describe and the committer whose batches may still
    /// roll some of it back (during recovery, before any snapshot).
    func attach(_ engine: Engine, committer: GroupCommitter) {
        state.withLock { ($0.engine, $0.committer) = (engine, committer) }
    }

    /// Lets go of the engine and the committer (which holds these snapshots through its
    /// journal) once the store is closed and no snapshot runs.
    func detach() {
        state.withLock { ($0.engine, $0.committer) = (nil, nil) }
    }

    /// True from `start` until the snapshot is durable (or has failed) and old files are gone.
    var isRunning: Bool { state.withLock { $0.running } }

    /// Snapshots completed, snapshots failed, and the last failure.
    var figures: (completed: Int, failed: Int, lastError: StoreError?) {
        state.withLock { ($0.completed, $0.failed, $0.lastError) }
    }

    /// Counts a failure that happened before a snapshot could start (a failed rotation).
    func recordFailure(_ error: StoreError) {
        state.withLock {
            $0.failed += 1
            $0.lastError = error
        }
    }

    /// Starts writing snapshot `sequence` on a helper thread, unless one is running.
    func start(sequence: UInt64) {
        let previous = state.withLock {
            s -> (finished: JoinableThread?, engine: Engine, committer: GroupCommitter?)? in
            guard !s.running, let engine = s.engine else { return nil }
            s.running = true
            defer { s.thread = nil }
            return (s.thread, engine, s.committer)
        }
        guard let (finished, engine, committer) = previous else { return }
        finished?.join()
        let thread = JoinableThread(name: "atp-snapshot") { [self] in
            let rollbacks = committer?.rollbackGeneration
            let result = Result { () throws(StoreError) in
                try Self.write(
                    engine: engine, directory: directory, sequence: sequence, recordsPerFrame: recordsPerFrame
                ) { () throws(StoreError) in
                    guard let committer else { return }
                    guard committer.barrier(), committer.rollbackGeneration == rollbacks else {
                        throw .unavailable("a batch was rolled back while the snapshot was taken")
                    }
                }
                try Self.removeFiles(before: sequence, in: directory)
            }
            state.withLock { s in
                s.running = false
                switch result {
                case .success: s.completed += 1
                case .failure(let error):
                    s.failed += 1
                    s.lastError = error
                }
            }
        }
        state.withLock { $0.thread = thread }
    }

    /// Waits for the running snapshot, if any, to finish.
    func wait() {
        let thread = state.withLock { s -> JoinableThread? in
            defer { s.thread = nil }
            return s.thread
        }
        thread?.join()
    }

    /// Writes `snapshot-<sequence>.snap` from `engine`, durably: temporary file, `fsync`,
    /// rename, directory `fsync`.
    /// - Returns: the number of records written.
    /// - Complexity: O(engine state). `exportSnapshot` holds an engine shard lock while it calls
    ///   back; the callback only encodes and, every MiB, copies into the page cache (no `fsync`).
    /// - Parameter beforePublishing: runs after the export, before the rename; a throw discards
    ///   the snapshot.
    @discardableResult
    static func write(
        engine: Engine, directory: StoreDirectory, sequence: UInt64, recordsPerFrame: Int,
        beforePublishing: () throws(StoreError) -> Void = {}
    ) throws(StoreError) -> Int {
        let temporary = StoreFileName.temporary(sequence)
        let path = directory.path(of: temporary)
        let fd = try directory.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        var framer = SnapshotFramer(recordsPerFrame: recordsPerFrame, capacity: 2 << 20)
        var failure: StoreError?
        engine.exportSnapshot { record in
            guard failure == nil else { return }
            framer.add(record)
            if framer.bytes.count >= 1 << 20 {
                do throws(StoreError) { try FileSystem.writeAll(fd, framer.bytes, path: path) } catch {
                    failure = error
                }
                framer.bytes.removeAll(keepingCapacity: true)
            }
        }
        var isOpen = true
        do throws(StoreError) {
            if let failure { throw failure }
            framer.finish()
            try FileSystem.writeAll(fd, framer.bytes, path: path)
            try FileSystem.sync(fd, path: path)
            FileSystem.close(fd)
            isOpen = false
            try beforePublishing()
            try directory.rename(temporary, to: StoreFileName.snapshot(sequence))
            try directory.sync()
        } catch {
            if isOpen { FileSystem.close(fd) }
            try? directory.remove(temporary)
            throw error
        }
        return framer.records
    }

    /// Deletes segments and snapshots older than `sequence`, and stray temporary files.
    static func removeFiles(before sequence: UInt64, in directory: StoreDirectory) throws(StoreError) {
        for name in try directory.names() {
            guard let (_, s) = StoreFileName.parse(name), s < sequence else { continue }
            try directory.remove(name)
        }
    }
}
