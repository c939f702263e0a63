import ATPEngine
import ATPPosix
import ATPUtilities
import Glibc

/// Rebuilds an engine from a store directory: the newest whole snapshot, then every journal
/// segment from the snapshot's sequence on, in order.
///
/// Damage is told apart from a torn tail by what follows it. A frame that is cut short or fails
/// its checksum, with no valid frame after it in its segment and nothing in later segments, is
/// the tail of a write that never completed (its units were never acknowledged): it is reported
/// in `tornBytes` and cut off, so later appends follow valid data. Damage followed by valid data
/// would lose acknowledged units, so it is `.corrupt` — unless `discardAfterDamage` is set, which
/// keeps what precedes the damage and discards everything after it (point-in-time recovery).
/// A frame whose checksum matches but whose records do not decode is always `.corrupt`.
///
/// Caveat: after a power loss (not a process crash) pages of the last, unsynced batch can reach
/// the disk out of order, so a lost page may be followed by a valid frame of the same batch; that
/// is reported as `.corrupt` too, and `discardAfterDamage` is the operator's way out.
/// Thread-safety: runs on one thread, before the store's writer starts.
struct FileRecovery {
    /// What recovery found and where appends continue.
    struct Outcome {
        var report = RecoveryReport()
        /// The segment appends continue in (it exists unless no segment did).
        var segment: UInt64 = 1
        /// Records and bytes in the segments replayed (the journal since the snapshot).
        var journalRecords = 0
        var journalBytes = 0
    }

    let directory: StoreDirectory
    let discardAfterDamage: Bool

    /// Replays the directory into `engine` and calls `engine.finishReplay()`.
    /// - Complexity: O(size of the snapshot and segments).
    func run(into engine: Engine) throws(StoreError) -> Outcome {
        let started = Int(MonotonicClock.microseconds())
        var segments: [UInt64] = []
        var snapshots: [UInt64] = []
        for name in try directory.names() {
            switch StoreFileName.parse(name) {
            case (.segment, let s)?: segments.append(s)
            case (.snapshot, let s)?: snapshots.append(s)
            case (.temporary, _)?: try directory.remove(name)  // a snapshot a crash interrupted
            case nil: break
            }
        }
        segments.sort()
        snapshots.sort(by: >)

        var outcome = Outcome()
        var base: UInt64?
        var rejected: [String] = []
        for s in snapshots {
            if let problem = try replaySnapshot(s, into: engine, report: &outcome.report) {
                rejected.append("\(StoreFileName.snapshot(s)): \(problem)")
            } else {
                base = s
                break
            }
        }
        let first = base ?? segments.first ?? 1
        if base == nil, first != 1 || (segments.isEmpty && !snapshots.isEmpty) {
            throw .corrupt(
                "no usable snapshot (\(rejected.joined(separator: "; "))) and the journal starts at segment \(first)"
            )
        }
        let live = segments.filter { $0 >= first }
        for (i, s) in live.enumerated() where s != first + UInt64(i) {
            throw .corrupt("journal segment \(StoreFileName.segment(first + UInt64(i))) is missing")
        }

        var sizes: [Int] = []
        for s in live { sizes.append(try size(of: StoreFileName.segment(s))) }
        var discarding = false
        for (i, s) in live.enumerated() {
            let laterData = sizes[(i + 1)...].contains { $0 > 0 }
            try replaySegment(
                s, into: engine, laterData: laterData, discarding: &discarding, outcome: &outcome)
        }
        outcome.report.gaps = engine.finishReplay()
        outcome.segment = live.last ?? first

        for s in segments where s < first { try directory.remove(StoreFileName.segment(s)) }
        for s in snapshots where s < first { try directory.remove(StoreFileName.snapshot(s)) }
        outcome.report.milliseconds = Int64((Int(MonotonicClock.microseconds()) - started) / 1000)
        return outcome
    }

    // MARK: Internals

    /// Replays snapshot `sequence` if it is whole: every frame checksummed and well formed, and an
    /// empty end frame as the last bytes. Nothing is replayed from a snapshot that is not.
    /// - Returns: nil when replayed, or why the snapshot is unusable.
    private func replaySnapshot(_ sequence: UInt64, into engine: Engine, report: inout RecoveryReport)
        throws(StoreError) -> String?
    {
        let name = StoreFileName.snapshot(sequence)
        let fd = try directory.open(name, O_RDONLY)
        defer { FileSystem.close(fd) }
        let file = try FileSystem.map(fd, path: directory.path(of: name))
        defer { file.unmap() }
        let data = file.bytes
        let frames: [Range<Int>]
        switch JournalReplay.snapshotFrames(data) {
        case .success(let found): frames = found
        case .failure(let problem): return problem.description
        }
        for payload in frames {
            report.records += JournalReplay.replayFrame(
                data, payload, place: directory.path(of: name), into: engine, report: &report)
        }
        return nil
    }

    /// Replays one segment, cutting off a torn tail (or, when discarding, everything from the
    /// first damage on, in this and later segments).
    private func replaySegment(
        _ sequence: UInt64, into engine: Engine, laterData: Bool, discarding: inout Bool,
        outcome: inout Outcome
    ) throws(StoreError) {
        let name = StoreFileName.segment(sequence)
        let path = directory.path(of: name)
        let fd = try directory.open(name, O_RDWR)
        defer { FileSystem.close(fd) }
        let file = try FileSystem.map(fd, path: path)
        let data = file.bytes
        var offset = 0
        var cut: Int?
        defer { file.unmap() }
        if discarding { cut = 0 }
        while cut == nil {
            switch JournalFrame.read(data, at: offset) {
            case .frame(let payload, let next):
                let n = JournalReplay.replayFrame(
                    data, payload, place: path, into: engine, report: &outcome.report)
                outcome.report.records += n
                outcome.journalRecords += n
                offset = next
            case .end:
                outcome.journalBytes += offset
                return
            case .truncated, .damaged:
                let validAfter = JournalFrame.findValidFrame(in: data, after: offset)
                if !discardAfterDamage, validAfter != nil || laterData {
                    let following =
                        validAfter.map { "a valid frame at offset \($0)" } ?? "data in later segments"
                    throw .corrupt(
                        "\(path): damaged frame at offset \(offset) of \(data.count), followed by \(following)"
                    )
                }
                cut = offset
                discarding = discardAfterDamage
            }
        }
        let keep = cut ?? offset
        outcome.report.tornBytes += data.count - keep
        outcome.journalBytes += keep
        try FileSystem.truncate(fd, to: keep, path: path)
        try FileSystem.syncData(fd, path: path)
    }

    private func size(of name: String) throws(StoreError) -> Int {
        let fd = try directory.open(name, O_RDONLY)
        defer { FileSystem.close(fd) }
        return try FileSystem.size(fd, path: directory.path(of: name))
    }
}
