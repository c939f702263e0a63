import ATPUtilities

/// Serializing a client request into bytes.
extension HTTPClientRequest {
    /// Appends the request line, headers and body to `out`, after checking that every part is
    /// valid HTTP/1.1 (so no caller-supplied text can split the request or smuggle another).
    /// - Parameter defaultHost: the `Host` value when `headers` has no Host of its own.
    /// - Throws: `invalidRequest` with `out` unchanged.
    /// Public for drivers that write requests on their own sockets (the load harness).
    /// - Complexity: O(request size); allocates nothing once `out` has grown.
    public func serialize(defaultHost: String, into out: inout [UInt8]) throws(HTTPClientError) {
        let token = try methodToken()
        guard let first = path.utf8.first,
            first == UInt8(ascii: "/") || (path == "*" && method == .options),
            path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else { throw .invalidRequest("the target must be an encoded absolute path") }
        var hasHost = false
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(HTTPHeadParser.isTokenByte) else {
                throw .invalidRequest("malformed header name '\(name)'")
            }
            try Self.checkValue(value, of: name)
            if asciiEqualsIgnoringCase(name, "host") {
                hasHost = true
            } else if asciiEqualsIgnoringCase(name, "content-length")
                || asciiEqualsIgnoringCase(name, "connection")
                || asciiEqualsIgnoringCase(name, "transfer-encoding")
            {
                throw .invalidRequest("the client sets \(name) itself")
            }
        }
        if !hasHost { try Self.checkValue(defaultHost, of: "Host") }
        if let contentType { try Self.checkValue(contentType, of: "Content-Type") }

        out.appendASCII(token)
        out.append(0x20)
        out.append(contentsOf: path.utf8)
        out.appendASCII(" HTTP/1.1\r\n")
        if !hasHost { appendLine("Host", defaultHost, to: &out) }
        for (name, value) in headers { appendLine(name, value, to: &out) }
        if let contentType { appendLine("Content-Type", contentType, to: &out) }
        if !body.isEmpty || method == .post || method == .put || method == .patch {
            out.appendASCII("Content-Length: ")
            out.appendDecimal(body.count)
            out.appendASCII("\r\n")
        }
        out.appendASCII("Connection: keep-alive\r\n\r\n")
        out.append(contentsOf: body)
    }

    private func methodToken() throws(HTTPClientError) -> StaticString {
        guard let token = method.token else { throw .invalidRequest("no method") }
        return token
    }

    private func appendLine(_ name: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.appendASCII(": ")
        out.append(contentsOf: value.utf8)
        out.appendASCII("\r\n")
    }

    /// Refuses a header value with control characters (CR, LF, NUL, ...) other than tab.
    private static func checkValue(_ value: String, of name: String) throws(HTTPClientError) {
        guard value.utf8.allSatisfy({ ($0 >= 0x20 || $0 == 0x09) && $0 != 0x7F }) else {
            throw .invalidRequest("control character in the \(name) header")
        }
    }
}
