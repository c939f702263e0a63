import ATPUtilities

/// Reason phrases for the status codes the server sends.
///
/// Thread-safety: stateless.
enum HTTPStatus {
    /// `HTTP/1.1 <code> <reason>\r\n` for `code`, nil for codes without a phrase here.
    static func statusLine(_ code: Int) -> StaticString? {
        switch code {
        case 100: "HTTP/1.1 100 Continue\r\n"
        case 200: "HTTP/1.1 200 OK\r\n"
        case 201: "HTTP/1.1 201 Created\r\n"
        case 202: "HTTP/1.1 202 Accepted\r\n"
        case 204: "HTTP/1.1 204 No Content\r\n"
        case 400: "HTTP/1.1 400 Bad Request\r\n"
        case 401: "HTTP/1.1 401 Unauthorized\r\n"
        case 403: "HTTP/1.1 403 Forbidden\r\n"
        case 404: "HTTP/1.1 404 Not Found\r\n"
        case 405: "HTTP/1.1 405 Method Not Allowed\r\n"
        case 408: "HTTP/1.1 408 Request Timeout\r\n"
        case 409: "HTTP/1.1 409 Conflict\r\n"
        case 410: "HTTP/1.1 410 Gone\r\n"
        case 413: "HTTP/1.1 413 Content Too Large\r\n"
        case 415: "HTTP/1.1 415 Unsupported Media Type\r\n"
        case 422: "HTTP/1.1 422 Unprocessable Content\r\n"
        case 429: "HTTP/1.1 429 Too Many Requests\r\n"
        case 431: "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        case 500: "HTTP/1.1 500 Internal Server Error\r\n"
        case 501: "HTTP/1.1 501 Not Implemented\r\n"
        case 503: "HTTP/1.1 503 Service Unavailable\r\n"
        case 505: "HTTP/1.1 505 HTTP Version Not Supported\r\n"
        default: nil
        }
    }

    /// Appends the status line for `code` (`Status` as the phrase of codes without one here).
    /// - Complexity: O(1); no allocation once `output` has room.
    static func appendStatusLine(_ code: Int, to output: inout [UInt8]) {
        if let line = statusLine(code) {
            output.appendASCII(line)
        } else {
            output.appendASCII("HTTP/1.1 ")
            output.appendDecimal(code)
            output.appendASCII(" Status\r\n")
        }
    }
}
