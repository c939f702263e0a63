/// Reads HTTP/1.x responses incrementally from bytes that the caller's own event loop received:
/// the client's strict parser (`HTTPResponseParser`, see there for what it accepts) behind a
/// small public face, for drivers that multiplex many connections on one thread (the load
/// harness) instead of blocking in `HTTPClientConnection`.
///
/// Usage per response: `begin(method:)`; then, each time bytes arrive, `consume` what it can of
/// the unread bytes (it returns how many it took: pass the rest again with what arrives next)
/// until `isComplete`; then `takeResponse()`. At the end of the stream call `endOfStream()`,
/// which completes a body delimited by the close or throws `connectionClosed`.
/// Thread-safety: a value type, used by one connection at a time.
/// - Complexity: O(bytes consumed); an incomplete head is rescanned only from where it stopped.
public struct HTTPResponseReader: Sendable {
    private var parser: HTTPResponseParser

    /// A reader that refuses heads above `maxHeadBytes` (`malformedResponse`) and bodies above
    /// `maxBodyBytes` (`bodyTooLarge`).
    public init(maxHeadBytes: Int = 16 * 1024, maxBodyBytes: Int = 8 << 20) {
        parser = HTTPResponseParser(maxHeadBytes: maxHeadBytes, maxBodyBytes: maxBodyBytes)
    }

    /// Prepares for the response to a request with `method` (a HEAD response has no body).
    public mutating func begin(method: HTTPMethod) {
        parser.begin(method: method)
    }

    /// Consumes what it can of `bytes`, which start where the previous call's consumption ended.
    /// - Returns: how many bytes were consumed; bytes after a complete response are left alone.
    /// - Throws: `malformedResponse` or `bodyTooLarge`; the connection must then be closed.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(HTTPClientError) -> Int {
        try parser.consume(bytes)
    }

    /// True once a whole response has been consumed.
    public var isComplete: Bool { parser.isComplete }

    /// The complete response; call once `isComplete` is true.
    public mutating func takeResponse() -> HTTPClientResponse {
        parser.takeResponse()
    }

    /// The stream ended: completes a body delimited by the end of the stream (then `isComplete`),
    /// else throws `connectionClosed` (the response was cut short or never began).
    public mutating func endOfStream() throws(HTTPClientError) {
        try parser.endOfStream()
    }
}
