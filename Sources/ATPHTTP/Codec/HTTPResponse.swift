import ATPJSON
import ATPUtilities

/// A response as a handler builds it: status, content type, extra header lines and body bytes.
///
/// The server keeps one per connection and hands it to the handler with `body` emptied but its
/// storage kept, so answering a request allocates nothing once the buffers have grown.
/// Thread-safety: a value type.
public struct HTTPResponse: Sendable {
    /// The media types the server sends.
    public enum ContentType: Sendable {
        case none, json, problemJSON, prometheusText, plainText

        var headerLine: StaticString {
            switch self {
            case .none: ""
            case .json: "Content-Type: application/json\r\n"
            case .problemJSON: "Content-Type: application/problem+json\r\n"
            case .prometheusText: "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            case .plainText: "Content-Type: text/plain; charset=utf-8\r\n"
            }
        }
    }

    public var status: Int
    public var contentType: ContentType
    /// Header lines beyond the standard ones, each written as `Name: value\r\n`.
    public var extraHeaders: [UInt8]
    public var body: [UInt8]

    public init(status: Int = 200, contentType: ContentType = .json, body: [UInt8] = []) {
        self.status = status
        self.contentType = contentType
        self.extraHeaders = []
        self.body = body
    }

    /// Clears everything for the next request, keeping the buffers' storage.
    public mutating func reset() {
        status = 200
        contentType = .json
        extraHeaders.removeAll(keepingCapacity: true)
        body.removeAll(keepingCapacity: true)
    }

    /// Adds the header line `name: value`.
    public mutating func addHeader(_ name: StaticString, _ value: String) {
        extraHeaders.appendASCII(name)
        extraHeaders.appendASCII(": ")
        extraHeaders.append(contentsOf: value.utf8)
        extraHeaders.appendASCII("\r\n")
    }

    /// Sets an RFC 9457 problem response: `{"type":"about:blank","title":..,"status":..,"code":..,
    /// "detail":..}` plus whatever `members` writes (each member preceded by a comma); `code` is
    /// the application's machine-readable name for the problem (an extension member).
    public mutating func setProblem(
        status: Int, code: String, detail: String, members: ((inout [UInt8]) -> Void)? = nil
    ) {
        self.status = status
        contentType = .problemJSON
        body.removeAll(keepingCapacity: true)
        body.appendASCII(#"{"type":"about:blank","title":"#)
        body.appendJSONString(HTTPResponse.title(status))
        body.appendASCII(#","status":"#)
        body.appendDecimal(status)
        body.appendASCII(#","code":"#)
        body.appendJSONString(code)
        body.appendASCII(#","detail":"#)
        body.appendJSONString(detail)
        members?(&body)
        body.append(UInt8(ascii: "}"))
    }

    /// The RFC 9110 reason phrase, used as the problem title.
    public static func title(_ status: Int) -> String {
        guard let line = HTTPStatus.statusLine(status) else { return "Error" }
        // "HTTP/1.1 409 Conflict\r\n" → "Conflict"
        return line.withUTF8Buffer { String(decoding: $0[13..<($0.count - 2)], as: UTF8.self) }
    }
}
