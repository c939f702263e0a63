import Glibc

extension UnsafeRawBufferPointer {
    /// True when these bytes are exactly the ASCII `text` (one `memcmp`, no generic iteration).
    @inline(__always)
    public func equals(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, text.utf8Start, count) == 0)
    }
}
