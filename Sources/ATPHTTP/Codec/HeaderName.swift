/// The header names the parser itself needs; every other name is `.other` (and may be one of the
/// application's `IndexedHeader`s).
///
/// Thread-safety: a value type.
enum HeaderName {
    case host, contentLength, transferEncoding, connection, expect, requestID
    case other

    /// Classifies the name at `range`, ignoring letter case. - Complexity: O(name length).
    init(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        switch range.count {
        case 4 where asciiEqualsIgnoringCase(bytes, range, "host"): self = .host
        case 6 where asciiEqualsIgnoringCase(bytes, range, "expect"): self = .expect
        case 10 where asciiEqualsIgnoringCase(bytes, range, "connection"): self = .connection
        case 12 where asciiEqualsIgnoringCase(bytes, range, "x-request-id"): self = .requestID
        case 14 where asciiEqualsIgnoringCase(bytes, range, "content-length"): self = .contentLength
        case 17 where asciiEqualsIgnoringCase(bytes, range, "transfer-encoding"): self = .transferEncoding
        default: self = .other
        }
    }
}
