/// A parsed request line and header section, as byte ranges into the connection's read buffer.
///
/// Ranges are offsets from the first byte of the request. The well-known headers the server and
/// the API use are picked out while parsing, so no lookup is needed later.
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
    public var authorization: Range<Int>?
    public var requestID: Range<Int>?
    public var idempotencyKey: Range<Int>?
    public var contentType: Range<Int>?
    /// Every header line as (name, value) ranges, in order; values are trimmed of spaces and tabs.
    public var headers: [(name: Range<Int>, value: Range<Int>)] = []

    public init() {}

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
        authorization = nil
        requestID = nil
        idempotencyKey = nil
        contentType = nil
        headers.removeAll(keepingCapacity: true)
    }
}

/// Why a request could not be parsed; the server answers with `status` and closes.
///
/// Thread-safety: a value type.
public struct HTTPParseError: Error, Hashable, Sendable {
    public var status: Int
    public var code: String
    public var detail: String

    static func bad(_ detail: String) -> Self { Self(status: 400, code: "invalid_request", detail: detail) }
    static let bareLineFeed = bad("a line ends in LF without CR")
    static let bareCarriageReturn = bad("a CR not followed by LF")
    static let headersTooLarge = Self(
        status: 431, code: "headers_too_large", detail: "the request line and headers exceed the limit")
    static let payloadTooLarge = Self(
        status: 413, code: "payload_too_large", detail: "the request body exceeds the limit")
    static let unsupportedCoding = Self(
        status: 501, code: "not_implemented", detail: "only the chunked transfer coding is supported")
    static let unsupportedVersion = Self(
        status: 505, code: "http_version_not_supported", detail: "only HTTP/1.0 and HTTP/1.1 are supported")
    static func requestTimeout(_ detail: String) -> Self {
        Self(status: 408, code: "request_timeout", detail: detail)
    }
    /// The 503 sent (pre-rendered, see `ServerWorker`) to a connection over the limit.
    static let tooManyConnections = Self(
        status: 503, code: "too_many_connections", detail: "the server is at its connection limit")

    /// Every (status, code) the HTTP layer itself answers with, for the service's table of codes.
    public static let emitted: [(status: Int, code: String)] = [
        bad(""), headersTooLarge, payloadTooLarge, unsupportedCoding, unsupportedVersion, requestTimeout(""),
        tooManyConnections,
    ].map { ($0.status, $0.code) }
}
