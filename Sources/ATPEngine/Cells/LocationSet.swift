/// A set of location ids as a bitmap, for summing a sku over a channel's locations.
///
/// Thread-safety: an immutable value once built.
/// - Complexity: `contains` is O(1).
public struct LocationSet: Sendable, Equatable {
    private var words: [UInt64]

    public init<S: Sequence>(_ ids: S) where S.Element == UInt32 {
        words = []
        for id in ids {
            let w = Int(id >> 6)
            if w >= words.count { words.append(contentsOf: repeatElement(0, count: w - words.count + 1)) }
            words[w] |= 1 << UInt64(id & 63)
        }
    }

    @inline(__always)
    public func contains(_ id: UInt32) -> Bool {
        let w = Int(id >> 6)
        return w < words.count && words[w] & (1 << UInt64(id & 63)) != 0
    }
}
