/// A map from 128-bit digests to values that forgets entries after a retention period and holds
/// at most `capacity` entries, dropping the oldest first.
///
/// Entries are kept in insertion order in a FIFO next to the dictionary, so expiring and evicting
/// cost what they remove. Re-inserting a key moves it to the back; the FIFO entry it leaves behind
/// (and one of a removed key) is stale, skipped when it comes up, and dropped by a compaction
/// once stale entries outnumber live ones: after every insert and removal the FIFO holds at most
/// `2 × count + 1024` entries, whatever the pattern of inserts and removals.
/// Thread-safety: a value type; callers synchronize (the engine keeps one per shard under a mutex).
struct ExpiringTable<Value: Sendable>: Sendable {
    private var entries: [Digest128: (value: Value, at: Int64)] = [:]
    private var order: [(key: Digest128, at: Int64)] = []
    private var head = 0
    let retention: Int64
    let capacity: Int

    /// - Parameters:
    ///   - retention: milliseconds an entry is kept after it was inserted.
    ///   - capacity: the most entries kept; the oldest go first beyond it.
    init(retention: Int64, capacity: Int) {
        self.retention = retention
        self.capacity = max(1, capacity)
    }

    var count: Int { entries.count }
    /// FIFO entries, stale ones included: what the table costs beside `count`.
    var footprint: Int { order.count - head }

    /// The value of `key` if present and not expired at `now`.
    /// - Complexity: O(1) amortized.
    mutating func value(_ key: Digest128, now: Int64) -> Value? {
        expire(now: now)
        return entries[key]?.value
    }

    /// The value of `key` and when it was inserted.
    func entry(_ key: Digest128) -> (value: Value, at: Int64)? { entries[key] }

    /// Inserts or replaces `key`, stamped `at`.
    /// - Returns: how many live entries were evicted to stay within capacity.
    /// - Complexity: O(1) amortized.
    @discardableResult
    mutating func insert(_ key: Digest128, _ value: Value, at: Int64, now: Int64) -> Int {
        expire(now: now)
        entries[key] = (value, at)
        order.append((key, at))
        var evicted = 0
        while entries.count > capacity, let oldest = popOldest() {
            if let current = entries[oldest.key], current.at == oldest.at {
                entries[oldest.key] = nil
                evicted += 1
            }
        }
        dropStaleIfMany()
        return evicted
    }

    mutating func remove(_ key: Digest128) {
        entries[key] = nil
        dropStaleIfMany()
    }

    /// Calls `body` for every live entry (no particular order).
    func forEach(_ body: (Digest128, Value, Int64) -> Void) {
        for (key, entry) in entries { body(key, entry.value, entry.at) }
    }

    /// Drops entries inserted at or before `now − retention`.
    mutating func expire(now: Int64) {
        while head < order.count, order[head].at + retention <= now {
            let oldest = order[head]
            head += 1
            if let current = entries[oldest.key], current.at == oldest.at { entries[oldest.key] = nil }
        }
        compactIfSparse()
    }

    private mutating func popOldest() -> (key: Digest128, at: Int64)? {
        guard head < order.count else { return nil }
        head += 1
        defer { compactIfSparse() }
        return order[head - 1]
    }

    /// Rebuilds the FIFO from its live entries (one each) once it is more than twice the table
    /// plus 1024.
    /// - Complexity: O(FIFO) when it runs, which is after at least `count + 1024` stale entries
    ///   accumulated: O(1) amortized.
    private mutating func dropStaleIfMany() {
        guard order.count - head > 2 * entries.count + 1024 else { return }
        var seen = Set<Digest128>(minimumCapacity: entries.count)
        var live: [(key: Digest128, at: Int64)] = []
        live.reserveCapacity(entries.count)
        for entry in order[head...].reversed()
        where entries[entry.key]?.at == entry.at && seen.insert(entry.key).inserted {
            live.append(entry)
        }
        order = live.reversed()
        head = 0
    }

    private mutating func compactIfSparse() {
        if head > 1024 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
