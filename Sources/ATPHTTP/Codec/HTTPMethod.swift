import ATPPosix

/// The request methods the server distinguishes; anything else is `.other` (and gets 405 or 501).
///
/// Thread-safety: a value type.
public enum HTTPMethod: UInt8, Sendable, CustomStringConvertible {
    case get, head, post, put, delete, patch, options, other

    /// Parses a method token (case-sensitive, RFC 9110 §9.1).
    init(token: UnsafeRawBufferPointer) {
        switch token.count {
        case 3 where token[0] == 0x47 && token[1] == 0x45 && token[2] == 0x54: self = .get
        case 3 where token[0] == 0x50 && token[1] == 0x55 && token[2] == 0x54: self = .put
        case 4 where token.equals("POST"): self = .post
        case 4 where token.equals("HEAD"): self = .head
        case 5 where token.equals("PATCH"): self = .patch
        case 6 where token.equals("DELETE"): self = .delete
        case 7 where token.equals("OPTIONS"): self = .options
        default: self = .other
        }
    }

    /// The method token as sent on the wire; nil for `.other`.
    public var token: StaticString? {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .patch: "PATCH"
        case .options: "OPTIONS"
        case .other: nil
        }
    }

    public var description: String {
        token.map { $0.description } ?? "OTHER"
    }
}
