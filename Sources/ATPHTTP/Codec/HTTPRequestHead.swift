/// A parsed request line and header section, as byte ranges into the connection's read buffer.
///
/// Ranges are offsets from the first byte of the request. The headers the server itself needs
/// (framing, `Connection`, `Expect`, and `X-Request-Id`, which it echoes) and the ones the
/// application asked for (`IndexedHeader`) are picked out while parsing, so no lookup is needed
/// later; any other header is found with `value(of:in:)`.
/// Thread-safety: a value type.
public struct HTTPRequestHead: Sendable {
    public var method: HTTPMethod = .other
    /// The path of the request target, still percent-encoded.
    public var path: Range<Int> = 0..<0
    /// The query after `?`, without it; empty when absent.
    public var query: Range<Int> = 0..<0
    /// HTTP/1.x minor version (0 or 1).
    public var minorVersion: UInt8 = 1
    /// Whether the connection may stay open after the response.
    public var keepAlive = true
    /// The declared body length, or nil when there is no Content-Length.
    public var contentLength: Int?
    /// True for `Transfer-Encoding: chunked`.
    public var chunked = false
    /// True when the client sent `Expect: 100-continue`.
    public var expectsContinue = false
    /// The client's `X-Request-Id` (the last one), which the server echoes.
    public var requestID: Range<Int>?
    /// The values of the application's indexed headers, by their position in its list; a fixed
    /// inline array, so resetting and filling it allocates nothing.
    var indexed = IndexedValues(repeating: nil)
    /// Every header line as (name, value) ranges, in order; values are trimmed of spaces and tabs.
    public var headers: [(name: Range<Int>, value: Range<Int>)] = []

    /// The storage of `indexed`: its count is `indexedCapacity`.
    typealias IndexedValues = InlineArray<8, Range<Int>?>
    /// The most headers an application can have indexed.
    public static let indexedCapacity = IndexedValues.count

    public init() {}

    /// The value of the indexed header at `position` in the application's list, or nil when the
    /// request has none. - Complexity: O(1).
    @inline(__always)
    public func indexedValue(at position: Int) -> Range<Int>? { indexed[position] }

    /// The value of the first header named `name` (ASCII, any case) in `bytes` (the head's bytes),
    /// or nil. - Complexity: O(headers).
    public func value(of name: StaticString, in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        for (key, value) in headers where asciiEqualsIgnoringCase(bytes, key, name) { return value }
        return nil
    }

    /// Clears the head for the next request, keeping the header array's storage.
    mutating func reset() {
        method = .other
        path = 0..<0
        query = 0..<0
        minorVersion = 1
        keepAlive = true
        contentLength = nil
        chunked = false
        expectsContinue = false
        requestID = nil
        indexed = IndexedValues(repeating: nil)
        headers.removeAll(keepingCapacity: true)
    }
}
