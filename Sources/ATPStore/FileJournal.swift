import ATPEngine
import Glibc
import Synchronization

/// The names of the files in a store directory, with 16 lowercase hex digits of sequence number.
/// Thread-safety: stateless.
enum StoreFileName {
    enum Kind: Equatable {
        case segment, snapshot, temporary
    }

    /// `journal-<seq>.log`: an append-only journal segment.
    static func segment(_ sequence: UInt64) -> String { "journal-\(hex(sequence)).log" }
    /// `snapshot-<seq>.snap`: a complete snapshot, valid with segments ≥ `seq`.
    static func snapshot(_ sequence: UInt64) -> String { "snapshot-\(hex(sequence)).snap" }
    /// `snapshot-<seq>.tmp`: a snapshot being written; left over only by a crash.
    static func temporary(_ sequence: UInt64) -> String { "snapshot-\(hex(sequence)).tmp" }

    /// The kind and sequence of a store file's name, or nil for other names.
    static func parse(_ name: String) -> (kind: Kind, sequence: UInt64)? {
        let patterns: [(String, String, Kind)] = [
            ("journal-", ".log", .segment), ("snapshot-", ".snap", .snapshot),
            ("snapshot-", ".tmp", .temporary),
        ]
        for (prefix, suffix, kind) in patterns where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
            let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
            guard digits.count == 16, let sequence = UInt64(digits, radix: 16) else { continue }
            return (kind, sequence)
        }
        return nil
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }
}

/// The write side of the file journal: frames each unit, appends a batch to the current segment
/// with one `write(2)` and one `fdatasync`, and rotates to a new segment when a snapshot is due.
///
/// Failure policy: if the write or the `fdatasync` fails, the batch fails (the committer rolls it
/// back in the engine and its clients are told that nothing changed) and the segment is repaired
/// at once: cut back to the end of the last durable batch and synced again, so no half-written or
/// unsynced frame survives to be replayed after a restart. While the repair
/// has not succeeded the journal reports itself unavailable and each later batch first retries the
/// repair; it fails with `.unavailable` if the repair fails again. A failed `fdatasync` is never
/// retried on the same data: after one, Linux may already have dropped the dirty pages.
///
/// Thread-safety: confined. `open` runs during recovery before the writer thread starts; `write`,
/// `didFinishBatch` and `rotate` then run on the writer thread only; `close` after it has been
/// joined. `isAvailable` and `failNextWriteForTesting` from any thread.
final class FileJournal: GroupCommitBackend, @unchecked Sendable {
    let directory: StoreDirectory
    let snapshots: FileSnapshots
    private let snapshotRecords: Int
    private let snapshotBytes: Int

    private var fd: Int32 = -1
    private var name = ""
    /// The current segment's sequence number.
    private(set) var sequence: UInt64 = 0
    /// The end of the last durable batch in the current segment.
    private var size = 0
    private var needsRepair = false
    private var buffer: [UInt8] = []
    /// Records and bytes written since the last rotation (or found by recovery).
    private(set) var recordsSinceRotation = 0
    private(set) var bytesSinceRotation = 0

    private let available = Atomic<Bool>(true)
    private let injectFailure = Atomic<Bool>(false)

    init(directory: StoreDirectory, snapshots: FileSnapshots, options: FileStore.Options) {
        self.directory = directory
        self.snapshots = snapshots
        snapshotRecords = max(1, options.snapshotRecords)
        snapshotBytes = max(1, options.snapshotBytes)
    }

    /// False while a failed batch has left the segment unrepaired.
    var isAvailable: Bool { available.load(ordering: .relaxed) }

    /// Makes the next batch fail after writing part of its bytes (tests of the failure policy).
    func failNextWriteForTesting() { injectFailure.store(true, ordering: .relaxed) }

    /// Opens segment `sequence` for appending after recovery, creating it (and syncing the
    /// directory) if it does not exist.
    /// - Parameters:
    ///   - records: records already in the segments written since the last snapshot.
    ///   - bytes: bytes of those segments.
    func open(sequence: UInt64, records: Int, bytes: Int) throws(StoreError) {
        let name = StoreFileName.segment(sequence)
        let fd = try directory.open(name, O_WRONLY | O_CREAT | O_APPEND)
        do {
            size = try FileSystem.size(fd, path: directory.path(of: name))
            try directory.sync()
        } catch {
            FileSystem.close(fd)
            throw error
        }
        (self.fd, self.name, self.sequence) = (fd, name, sequence)
        (recordsSinceRotation, bytesSinceRotation) = (records, bytes)
    }

    /// Appends one frame per non-empty unit, then `fdatasync`s: one `write(2)` per batch.
    /// - Complexity: O(size of the batch).
    func write(_ units: [EngineChange]) throws(StoreError) {
        if needsRepair {
            do throws(StoreError) { try repair() } catch {
                throw .unavailable("journal needs repair: \(error)")
            }
        }
        buffer.removeAll(keepingCapacity: buffer.capacity <= 16 << 20)
        var records = 0
        for unit in units where !unit.isEmpty {
            JournalFrame.append(unit.records, to: &buffer)
            records += unit.records.count
        }
        guard !buffer.isEmpty else { return }
        let path = directory.path(of: name)
        do throws(StoreError) {
            if injectFailure.exchange(false, ordering: .relaxed) {
                try FileSystem.writeAll(fd, Array(buffer.prefix(buffer.count / 2)), path: path)
                throw StoreError.io("write \(path): injected failure")
            }
            try FileSystem.writeAll(fd, buffer, path: path)
            try FileSystem.syncData(fd, path: path)
        } catch {
            needsRepair = true
            available.store(false, ordering: .relaxed)
            try? repair()
            throw error
        }
        size += buffer.count
        recordsSinceRotation += records
        bytesSinceRotation += buffer.count
    }

    /// Starts a snapshot when enough journal has accumulated and none is running: rotates to a
    /// new segment here, on the writer thread, between batches, and hands the snapshot to
    /// `snapshots`' helper thread.
    func didFinishBatch() {
        guard !needsRepair, recordsSinceRotation >= snapshotRecords || bytesSinceRotation >= snapshotBytes,
            !snapshots.isRunning
        else { return }
        do throws(StoreError) {
            try rotate()
            snapshots.start(sequence: sequence)
        } catch {
            // Keep appending to the current segment; try again after as much journal again.
            snapshots.recordFailure(error)
            (recordsSinceRotation, bytesSinceRotation) = (0, 0)
        }
    }

    /// Opens segment `sequence + 1` (and syncs the directory, so its name is durable before any
    /// unit written to it is acknowledged); later batches go there.
    func rotate() throws(StoreError) {
        let next = sequence + 1
        let nextName = StoreFileName.segment(next)
        let nextFD = try directory.open(nextName, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        do throws(StoreError) { try directory.sync() } catch {
            FileSystem.close(nextFD)
            try? directory.remove(nextName)
            throw error
        }
        FileSystem.close(fd)
        (fd, name, sequence, size) = (nextFD, nextName, next, 0)
        (recordsSinceRotation, bytesSinceRotation) = (0, 0)
    }

    /// Closes the segment. The data is already durable: every batch was synced.
    func close() {
        FileSystem.close(fd)
        fd = -1
    }

    // MARK: Internals

    /// Cuts the segment back to the last durable batch and syncs that.
    private func repair() throws(StoreError) {
        let path = directory.path(of: name)
        try FileSystem.truncate(fd, to: size, path: path)
        try FileSystem.syncData(fd, path: path)
        needsRepair = false
        available.store(true, ordering: .relaxed)
    }
}
