import Synchronization

/// Which skus' availability changed since the consumer last looked: one dirty bit per sku plus a
/// summary bit per 64-sku word, so a drain costs what changed, not how many skus exist.
///
/// Producers set bits with one atomic OR (skipped when the bit is already set), so repeated
/// changes of a hot sku coalesce into one notification and nothing allocates.
///
/// Thread-safety: `mark` from any thread, lock-free. `drain` from one consumer thread at a time.
/// A change that races with a drain is reported by that drain or the next one, never lost.
/// `ensureCapacity` must be serialized with itself (the inventory calls it under its insert lock)
/// and must cover a sku before any `mark` of it.
public final class ChangeFeed: @unchecked Sendable {
    /// Marking without the class: a trivial struct, so hot paths touch no reference count.
    /// Valid while the feed lives.
    public struct Marker: @unchecked Sendable {
        let directory: UnsafeMutablePointer<UnsafeMutablePointer<Atomic<UInt64>>?>

        /// Records that `sku`'s availability may have changed.
        /// - Complexity: O(1), lock-free.
        @inline(__always)
        public func mark(_ sku: UInt32) {
            let chunk = directory[Int(sku >> 16)].unsafelyUnwrapped
            let word = Int(sku & 0xFFFF) >> 6
            let bit: UInt64 = 1 << (sku & 63)
            if chunk[word].load(ordering: .relaxed) & bit != 0 { return }
            let before = chunk[word].bitwiseOr(bit, ordering: .acquiringAndReleasing).oldValue
            if before == 0 {
                chunk[ChangeFeed.wordsPerChunk + word >> 6].bitwiseOr(
                    1 << UInt64(word & 63), ordering: .releasing)
            }
        }
    }

    private static let chunkShift = 16
    private static let wordsPerChunk = (1 << chunkShift) / 64
    private static let summaryWords = wordsPerChunk / 64
    private let directory: UnsafeMutablePointer<UnsafeMutablePointer<Atomic<UInt64>>?>
    private let maxChunks: Int
    private let chunks = Atomic<Int>(0)

    public init(maxSkus: Int = 1 << 32) {
        maxChunks = (maxSkus + (1 << Self.chunkShift) - 1) >> Self.chunkShift
        directory = .allocate(capacity: maxChunks)
        directory.initialize(repeating: nil, count: maxChunks)
        marker = Marker(directory: directory)
    }

    /// Marking for hot paths.
    public let marker: Marker

    deinit {
        for c in 0..<chunks.load(ordering: .acquiring) {
            directory[c]!.deinitialize(count: Self.wordsPerChunk + Self.summaryWords)
            directory[c]!.deallocate()
        }
        directory.deallocate()
    }

    /// Makes room for skus `0...sku`.
    func ensureCapacity(forSku sku: UInt32) {
        let needed = Int(sku >> Self.chunkShift) + 1
        var have = chunks.load(ordering: .relaxed)
        while have < needed {
            let words = UnsafeMutablePointer<Atomic<UInt64>>.allocate(
                capacity: Self.wordsPerChunk + Self.summaryWords)
            for i in 0..<(Self.wordsPerChunk + Self.summaryWords) { (words + i).initialize(to: Atomic(0)) }
            directory[have] = words
            have += 1
            chunks.store(have, ordering: .releasing)
        }
    }

    /// Records that `sku`'s availability may have changed.
    public func mark(_ sku: UInt32) { marker.mark(sku) }

    /// Calls `body` once for every sku marked since the previous drain and clears the marks.
    /// A sku marked again while `body` runs is reported by the next drain.
    /// - Returns: the number of skus reported.
    /// - Complexity: O(changed skus + total skus / 4096).
    @discardableResult
    public func drain(_ body: (UInt32) -> Void) -> Int {
        var reported = 0
        for c in 0..<chunks.load(ordering: .acquiring) {
            let words = directory[c]!
            for s in 0..<Self.summaryWords {
                let summaryWord = words + Self.wordsPerChunk + s
                guard summaryWord.pointee.load(ordering: .relaxed) != 0 else { continue }
                var summary = summaryWord.pointee.exchange(0, ordering: .acquiringAndReleasing)
                while summary != 0 {
                    let w = s * 64 + summary.trailingZeroBitCount
                    summary &= summary - 1
                    var bits = words[w].exchange(0, ordering: .acquiringAndReleasing)
                    while bits != 0 {
                        let sku = UInt32(c << Self.chunkShift + w * 64 + bits.trailingZeroBitCount)
                        bits &= bits - 1
                        body(sku)
                        reported += 1
                    }
                }
            }
        }
        return reported
    }
}
