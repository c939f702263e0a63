import ATPEngine

/// Frames the records of a snapshot `recordsPerFrame` at a time (`JournalFrame`) into `bytes`,
/// and ends the snapshot with the empty frame that marks it whole. Used by the file store's
/// snapshots and the Redis store's compaction.
///
/// Thread-safety: a value type for one thread. Complexity: O(record bytes).
struct SnapshotFramer {
    let recordsPerFrame: Int
    /// Framed bytes not yet taken by the caller (who may empty it at any time).
    var bytes: [UInt8] = []
    /// Records framed so far.
    private(set) var records = 0
    private var pending: [JournalRecord] = []

    init(recordsPerFrame: Int, capacity: Int = 0) {
        self.recordsPerFrame = max(1, recordsPerFrame)
        bytes.reserveCapacity(capacity)
        pending.reserveCapacity(self.recordsPerFrame)
    }

    /// Adds one record; a full frame is appended to `bytes`.
    mutating func add(_ record: JournalRecord) {
        pending.append(record)
        records += 1
        guard pending.count == recordsPerFrame else { return }
        JournalFrame.append(pending, to: &bytes)
        pending.removeAll(keepingCapacity: true)
    }

    /// Appends what is pending and the end mark.
    mutating func finish() {
        if !pending.isEmpty { JournalFrame.append(pending, to: &bytes) }
        pending.removeAll()
        JournalFrame.append(EmptyCollection<JournalRecord>(), to: &bytes)
    }
}
