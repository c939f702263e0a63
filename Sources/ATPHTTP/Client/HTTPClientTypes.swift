import ATPPosix

/// A request for `HTTPClientConnection` and `HTTPClient`: method, target, headers and body.
///
/// The client adds `Host` (unless `headers` has one), `Content-Type` (when `contentType` is set),
/// `Content-Length` (always for POST, PUT and PATCH, and whenever the body is not empty) and
/// `Connection: keep-alive`. `headers` may therefore not name Content-Length, Transfer-Encoding
/// or Connection; names must be tokens and values free of control characters (CR and LF above
/// all), else sending throws `invalidRequest` before a byte is written.
/// Thread-safety: a value type.
public struct HTTPClientRequest: Sendable {
    public var method: HTTPMethod
    /// The request target: an absolute path, already percent-encoded, with any `?query`.
    public var path: String
    /// Extra header lines, in order.
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var contentType: String?

    public init(
        method: HTTPMethod = .get, path: String, headers: [(String, String)] = [], body: [UInt8] = [],
        contentType: String? = nil
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.contentType = contentType
    }

    /// A request with a JSON body (`Content-Type: application/json`).
    public init(method: HTTPMethod, path: String, json: [UInt8], headers: [(String, String)] = []) {
        self.init(method: method, path: path, headers: headers, body: json, contentType: "application/json")
    }

    /// A request for `endpoint`'s path, with its `Host` header; send it to `endpoint.address`.
    public init(
        method: HTTPMethod, endpoint: HTTPEndpoint, headers: [(String, String)] = [], body: [UInt8] = [],
        contentType: String? = nil
    ) {
        self.init(
            method: method, path: endpoint.path, headers: [("Host", endpoint.hostHeader)] + headers,
            body: body,
            contentType: contentType)
    }
}

/// A response as the client read it: status, header fields in order, and the decoded body.
///
/// Thread-safety: a value type.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    /// Every header field in order, values trimmed of surrounding spaces and tabs.
    public var headers: [(name: String, value: String)]
    /// The body, de-chunked; empty for HEAD, 204 and 304.
    public var body: [UInt8]
    /// True when the server will close the connection after this response (`Connection: close`,
    /// HTTP/1.0 without keep-alive, or a body delimited by the end of the stream).
    public var closesConnection: Bool

    public init(
        status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        closesConnection: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.closesConnection = closesConnection
    }

    /// The value of the first header field named `name` (ASCII, any case), or nil.
    /// - Complexity: O(total length of the header names).
    public func header(_ name: String) -> String? {
        for field in headers where asciiEqualsIgnoringCase(field.name, name) { return field.value }
        return nil
    }

    /// The delay `Retry-After` asks for, in whole seconds from now (never negative), or nil when
    /// the header is absent or malformed. Accepts delay-seconds and IMF-fixdate (RFC 9110 §10.2.3).
    public var retryAfterSeconds: Int? {
        guard let value = header("Retry-After") else { return nil }
        return HTTPResponseParser.retryAfterSeconds(value, nowUnixSeconds: RealtimeClock.unixSeconds())
    }
}

/// Why a client request failed.
///
/// Compare with the static members (`error == .timedOut`). `connectFailed` and `invalidRequest`
/// mean nothing was sent; after `timedOut`, `connectionClosed` or `malformedResponse` the server
/// may or may not have processed the request.
/// Thread-safety: a value type.
public struct HTTPClientError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case connectFailed(errno: Int32)
        case timedOut
        case connectionClosed
        case malformedResponse(String)
        case bodyTooLarge
        case invalidRequest(String)
    }

    private let kind: Kind

    /// Connecting failed with `errno` (ECONNREFUSED, ETIMEDOUT for the connect timeout, ...).
    public static func connectFailed(errno: Int32) -> Self { Self(kind: .connectFailed(errno: errno)) }
    /// No complete response within the read timeout, or the request could not be written in time.
    public static let timedOut = Self(kind: .timedOut)
    /// The peer closed or reset the connection before the response was complete.
    public static let connectionClosed = Self(kind: .connectionClosed)
    /// The response broke HTTP/1.1 framing or syntax; `detail` says how.
    public static func malformedResponse(_ detail: String) -> Self { Self(kind: .malformedResponse(detail)) }
    /// The response body exceeds the client's limit.
    public static let bodyTooLarge = Self(kind: .bodyTooLarge)
    /// The request cannot be sent as given (bad method, target or header); `detail` says why.
    public static func invalidRequest(_ detail: String) -> Self { Self(kind: .invalidRequest(detail)) }

    /// True for the read/write timeout and for a connect timeout.
    public var isTimeout: Bool {
        switch kind {
        case .timedOut: true
        case .connectFailed(let code): SystemError("connect", errno: code).isTimedOut
        default: false
        }
    }

    /// True for `malformedResponse` with any detail.
    public var isMalformedResponse: Bool {
        if case .malformedResponse = kind { return true }
        return false
    }

    public var description: String {
        switch kind {
        case .connectFailed(let code): SystemError("connect", errno: code).description
        case .timedOut: "timed out"
        case .connectionClosed: "the connection was closed before the response was complete"
        case .malformedResponse(let detail): "malformed response: \(detail)"
        case .bodyTooLarge: "the response body exceeds the limit"
        case .invalidRequest(let detail): "invalid request: \(detail)"
        }
    }
}

/// An `http://` URL split for the client: where to connect, the `Host` header and the target.
///
/// Only IPv4 literals and `localhost` are accepted as hosts (the client does no DNS), and only the
/// `http` scheme (`https` and the rest give nil), without user info. The port defaults to 80, the
/// path to `/`; a `#fragment` is dropped. The path and query must already be percent-encoded.
/// Thread-safety: a value type.
public struct HTTPEndpoint: Hashable, Sendable {
    public var address: SocketAddress
    /// `host[:port]` as written in the URL.
    public var hostHeader: String
    /// The request target: path and `?query`.
    public var path: String

    /// Parses `http://host[:port][/path][?query]`; nil when it is not such a URL.
    /// - Complexity: O(length of `url`).
    public init?(url: String) {
        let scheme = "http://".utf8
        guard url.utf8.starts(with: scheme, by: { asciiLowercase($0) == $1 }) else { return nil }
        var rest = url[url.utf8.index(url.startIndex, offsetBy: scheme.count)...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty || target.first == "?" { target = "/" + target }
        guard !authority.isEmpty, !authority.contains("@"),
            target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { return nil }
        let host: Substring
        let port: Substring
        if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
            guard !port.isEmpty, port.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        } else {
            host = authority
            port = "80"
        }
        guard !host.isEmpty, let address = SocketAddress(parsing: "\(host):\(port)"), address.port != 0 else {
            return nil
        }
        self.address = address
        hostHeader = String(authority)
        path = target
    }
}

/// True when `a` and `b` are equal, ignoring the case of ASCII letters.
func asciiEqualsIgnoringCase(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8) { asciiLowercase($0) == asciiLowercase($1) }
}
