import Glibc

/// The C library's byte search and comparison (`memchr`, `memcmp`) for the parsers, so that
/// parsing code imports no Glibc.
///
/// Thread-safety: reads only the bytes it is given.
extension UnsafeRawBufferPointer {
    /// True when these bytes are exactly the ASCII `text` (one `memcmp`, no generic iteration).
    /// - Complexity: O(text length).
    @inlinable @inline(__always)
    public func equals(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, text.utf8Start, count) == 0)
    }

    /// The offset of the first `byte` in `range` (one `memchr`), or nil when it is not there.
    /// `range` must lie within these bytes.
    /// - Complexity: O(range length).
    @inlinable @inline(__always)
    public func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        guard !range.isEmpty, let found = memchr(baseAddress! + range.lowerBound, Int32(byte), range.count)
        else { return nil }
        return baseAddress!.distance(to: UnsafeRawPointer(found))
    }
}
