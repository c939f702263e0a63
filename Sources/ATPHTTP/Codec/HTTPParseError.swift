/// Why the server refuses a request before (or instead of) handing it to the responder: its
/// `kind`, the `status` it is answered with, and a `detail` for a person. The server answers
/// with the responder's `renderProtocolError(_:into:)` and closes.
///
/// The HTTP layer names no application error codes; an application maps `kind` to its own.
/// Thread-safety: a value type.
public struct HTTPParseError: Error, Hashable, Sendable {
    /// What went wrong, with the status that says so. A struct over a private enum, so that
    /// kinds can be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case malformed, headersTooLarge, payloadTooLarge, unsupportedCoding, unsupportedVersion
            case requestTimeout, tooManyConnections
        }

        private let base: Base

        /// 400: the request line, a header or the framing is malformed or ambiguous.
        public static let malformed = Kind(base: .malformed)
        /// 431: the request line and headers exceed the limit.
        public static let headersTooLarge = Kind(base: .headersTooLarge)
        /// 413: the body exceeds the responder's limit.
        public static let payloadTooLarge = Kind(base: .payloadTooLarge)
        /// 501: a transfer coding other than chunked.
        public static let unsupportedCoding = Kind(base: .unsupportedCoding)
        /// 505: an HTTP version other than 1.0 and 1.1.
        public static let unsupportedVersion = Kind(base: .unsupportedVersion)
        /// 408: the head or the body did not arrive in time.
        public static let requestTimeout = Kind(base: .requestTimeout)
        /// 503: the connection is over the server's connection limit.
        public static let tooManyConnections = Kind(base: .tooManyConnections)

        /// Every kind the server can answer with, for an application's table of codes.
        public static let all: [Kind] = [
            .malformed, .headersTooLarge, .payloadTooLarge, .unsupportedCoding, .unsupportedVersion,
            .requestTimeout, .tooManyConnections,
        ]

        /// The status a refusal of this kind is answered with.
        public var status: Int {
            switch base {
            case .malformed: 400
            case .headersTooLarge: 431
            case .payloadTooLarge: 413
            case .unsupportedCoding: 501
            case .unsupportedVersion: 505
            case .requestTimeout: 408
            case .tooManyConnections: 503
            }
        }

        public var description: String { "\(base)" }
    }

    public var kind: Kind
    public var detail: String
    /// The status the refusal is answered with (the kind's).
    public var status: Int { kind.status }

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    static func bad(_ detail: String) -> Self { Self(.malformed, detail) }
    static let bareLineFeed = bad("a line ends in LF without CR")
    static let bareCarriageReturn = bad("a CR not followed by LF")
    static let headersTooLarge = Self(.headersTooLarge, "the request line and headers exceed the limit")
    static let payloadTooLarge = Self(.payloadTooLarge, "the request body exceeds the limit")
    static let unsupportedCoding = Self(.unsupportedCoding, "only the chunked transfer coding is supported")
    static let unsupportedVersion = Self(.unsupportedVersion, "only HTTP/1.0 and HTTP/1.1 are supported")
    static func requestTimeout(_ detail: String) -> Self { Self(.requestTimeout, detail) }
    /// The 503 sent (rendered once when the server starts, see `HTTPServer`) to a connection over
    /// the limit.
    static let tooManyConnections = Self(.tooManyConnections, "the server is at its connection limit")
}
