import ATPUtilities

/// Parses one HTTP/1.x response (RFC 9112) incrementally from the bytes of a connection.
///
/// Strict where laxness is a framing risk: the status line must be `HTTP/1.0` or `HTTP/1.1`, a
/// three-digit code 100–599 and an optional reason without control characters; header names must
/// be tokens with no space before the colon; obsolete line folding, control characters in values,
/// Content-Length together with Transfer-Encoding, differing Content-Lengths, any transfer coding
/// but a single `chunked`, and Transfer-Encoding in an HTTP/1.0 response are all refused. A bare
/// LF is accepted as a line end. Interim 1xx responses are skipped (101 is refused: the client
/// never asks to switch protocols). HEAD responses, 1xx, 204 and 304 have no body; otherwise the
/// body is framed by chunked coding, then Content-Length, else by the end of the stream.
/// Thread-safety: a value type, used by one connection at a time.
/// - Complexity: O(bytes consumed); the head scan resumes where it stopped.
struct HTTPResponseParser {
    private enum State {
        case head
        case fixed(remaining: Int)
        case chunked
        case untilClose
        case done
    }

    /// The largest status line plus header section, in bytes.
    var maxHeadBytes: Int {
        get { scanner.maxHeadBytes }
        set { scanner.maxHeadBytes = newValue }
    }
    /// The largest body, in bytes (after de-chunking).
    var maxBodyBytes: Int
    /// The most header lines accepted in one head.
    var maxHeaders = 100

    private var scanner: HTTPHeadParser
    private var state = State.done
    private var isHeadRequest = false
    private var chunkedDecoder = ChunkedDecoder(limit: 0)
    private var response = HTTPClientResponse(status: 0)

    init(maxHeadBytes: Int = 16 * 1024, maxBodyBytes: Int = 8 << 20) {
        scanner = HTTPHeadParser(maxHeadBytes: maxHeadBytes)
        scanner.allowsBareLineFeed = true
        self.maxBodyBytes = maxBodyBytes
    }

    /// Prepares for the response to a request with `method` (HEAD responses have no body).
    mutating func begin(method: HTTPMethod) {
        isHeadRequest = method == .head
        scanner.reset()
        state = .head
        response = HTTPClientResponse(status: 0)
    }

    /// True once a whole response has been consumed; take it with `takeResponse`.
    var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// The complete response; call once `isComplete` is true.
    mutating func takeResponse() -> HTTPClientResponse {
        let result = response
        response = HTTPClientResponse(status: 0)
        return result
    }

    /// Consumes what it can of `bytes`, which start where the previous call's consumption ended.
    /// - Returns: how many bytes were consumed. The caller passes the rest again, with whatever
    ///   arrives next: it is an incomplete head or chunk line, or bytes after the complete response.
    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(HTTPClientError) -> Int {
        var position = 0
        while true {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[position...])
            switch state {
            case .head:
                let length: Int?
                do throws(HTTPParseError) {
                    length = try scanner.findEnd(rest)
                } catch {
                    throw .malformedResponse("the status line and headers exceed \(maxHeadBytes) bytes")
                }
                guard let length else { return position }
                try parseHead(UnsafeRawBufferPointer(rebasing: rest[..<length]))
                position += length
            case .fixed(let remaining):
                let take = min(remaining, rest.count)
                response.body.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<take]))
                position += take
                if take == remaining {
                    state = .done
                } else {
                    state = .fixed(remaining: remaining - take)
                    return position
                }
            case .chunked:
                do throws(HTTPParseError) {
                    position += try chunkedDecoder.decode(rest, into: &response.body)
                } catch {
                    throw error.status == 413 ? .bodyTooLarge : .malformedResponse(error.detail)
                }
                if chunkedDecoder.isDone { state = .done } else { return position }
            case .untilClose:
                guard rest.count <= maxBodyBytes - response.body.count else { throw .bodyTooLarge }
                response.body.append(contentsOf: rest)
                return bytes.count
            case .done:
                return position
            }
        }
    }

    /// The stream ended: completes a body delimited by the end of the stream, else throws
    /// `connectionClosed` (the response was cut short or never began).
    mutating func endOfStream() throws(HTTPClientError) {
        guard case .untilClose = state else {
            if case .done = state { return }
            throw .connectionClosed
        }
        state = .done
    }

    // MARK: Head

    /// Parses a complete head into `response` and picks the body framing, or skips a 1xx head.
    private mutating func parseHead(_ bytes: UnsafeRawBufferPointer) throws(HTTPClientError) {
        scanner.reset()
        var line = Self.line(bytes, from: 0)
        let minorVersion = try parseStatusLine(bytes, 0..<line.content)
        var headers: [(name: String, value: String)] = []
        var contentLength: Int?
        var transferEncoding: String?
        var sawClose = false
        var sawKeepAlive = false
        while line.next < bytes.count {
            let start = line.next
            line = Self.line(bytes, from: start)
            if line.content == start { break }  // the empty line
            guard headers.count < maxHeaders else {
                throw .malformedResponse("more than \(maxHeaders) header lines")
            }
            let (name, value): (Range<Int>, Range<Int>)
            do throws(HTTPParseError) {
                (name, value) = try FieldLine.split(bytes, start..<line.content)
            } catch {
                throw .malformedResponse(error.detail)
            }
            let field = (
                name: String(decoding: bytes[name], as: UTF8.self),
                value: String(decoding: bytes[value], as: UTF8.self)
            )
            headers.append(field)
            switch name.count {
            case 10 where asciiEqualsIgnoringCase(bytes, name, "connection"):
                for token in field.value.split(separator: ",") {
                    let token = token.trimmingASCIISpaces()
                    if asciiEqualsIgnoringCase(token, "close") { sawClose = true }
                    if asciiEqualsIgnoringCase(token, "keep-alive") { sawKeepAlive = true }
                }
            case 14 where asciiEqualsIgnoringCase(bytes, name, "content-length"):
                for item in field.value.split(separator: ",", omittingEmptySubsequences: false) {
                    let item = item.trimmingASCIISpaces()
                    guard !item.isEmpty, item.utf8.count <= 18,
                        item.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                        let length = Int(item), contentLength == nil || contentLength == length
                    else { throw .malformedResponse("malformed or differing Content-Length") }
                    contentLength = length
                }
            case 17 where asciiEqualsIgnoringCase(bytes, name, "transfer-encoding"):
                guard transferEncoding == nil else {
                    throw .malformedResponse("more than one Transfer-Encoding header")
                }
                transferEncoding = field.value
            default: break
            }
        }
        let status = response.status
        if (100...199).contains(status) {
            guard status != 101 else { throw .malformedResponse("unexpected 101 Switching Protocols") }
            return  // interim: the final response follows; state stays .head
        }
        if let transferEncoding {
            guard contentLength == nil else {
                throw .malformedResponse("Content-Length and Transfer-Encoding together")
            }
            guard minorVersion == 1 else {
                throw .malformedResponse("Transfer-Encoding in an HTTP/1.0 response")
            }
            guard asciiEqualsIgnoringCase(transferEncoding, "chunked") else {
                throw .malformedResponse("unsupported transfer coding '\(transferEncoding)'")
            }
        }
        response.headers = headers
        var closes = sawClose || (minorVersion == 0 && !sawKeepAlive)
        if isHeadRequest || status == 204 || status == 304 {
            state = .done
        } else if transferEncoding != nil {
            chunkedDecoder = ChunkedDecoder(limit: maxBodyBytes, allowsBareLineFeed: true)
            state = .chunked
        } else if let contentLength {
            guard contentLength <= maxBodyBytes else { throw .bodyTooLarge }
            response.body.reserveCapacity(contentLength)
            state = contentLength == 0 ? .done : .fixed(remaining: contentLength)
        } else {
            closes = true
            state = .untilClose
        }
        response.closesConnection = closes
    }

    /// Parses `HTTP/1.x NNN reason` into `response.status`; returns the minor version.
    private mutating func parseStatusLine(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>)
        throws(HTTPClientError)
        -> UInt8
    {
        let s = line.lowerBound
        guard line.count >= 12,
            UnsafeRawBufferPointer(rebasing: bytes[s..<(s + 5)]).elementsEqual("HTTP/".utf8),
            bytes[s + 6] == UInt8(ascii: "."), bytes[s + 8] == 0x20
        else { throw .malformedResponse("malformed status line") }
        guard bytes[s + 5] == UInt8(ascii: "1"),
            bytes[s + 7] == UInt8(ascii: "0") || bytes[s + 7] == UInt8(ascii: "1")
        else { throw .malformedResponse("unsupported HTTP version") }
        var status = 0
        for i in (s + 9)..<(s + 12) {
            guard bytes[i] >= 0x30 && bytes[i] <= 0x39 else {
                throw .malformedResponse("malformed status code")
            }
            status = status * 10 + Int(bytes[i] - 0x30)
        }
        guard (100...599).contains(status) else {
            throw .malformedResponse("status code \(status) out of range")
        }
        if line.count > 12 {
            guard bytes[s + 12] == 0x20 else { throw .malformedResponse("malformed status line") }
            for i in (s + 13)..<line.upperBound
            where (bytes[i] < 0x20 && bytes[i] != 0x09) || bytes[i] == 0x7F {
                throw .malformedResponse("control character in the reason phrase")
            }
        }
        response.status = status
        return bytes[s + 7] - 0x30
    }

    /// Where the line from `start` ends (before CR LF or LF) and where the next one begins.
    private static func line(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (content: Int, next: Int) {
        var i = start
        while i < bytes.count && bytes[i] != 0x0A { i += 1 }
        let content = i > start && bytes[i - 1] == 0x0D ? i - 1 : i
        return (content, min(i + 1, bytes.count))
    }

    // MARK: Retry-After

    /// Seconds from `nowUnixSeconds` that a Retry-After `value` asks for (at least 0), or nil when
    /// it is neither delay-seconds nor an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func retryAfterSeconds(_ value: String, nowUnixSeconds: Int64) -> Int? {
        let text = Array(value.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= text.count, !range.isEmpty else { return nil }
            var n: Int64 = 0
            for i in range {
                guard text[i] >= 0x30 && text[i] <= 0x39 else { return nil }
                n = n * 10 + Int64(text[i] - 0x30)
            }
            return n
        }
        if text.count <= 12, let seconds = number(0..<text.count) { return Int(seconds) }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard text.count == 29, text[3] == UInt8(ascii: ","), text[4] == 0x20, text[7] == 0x20,
            text[11] == 0x20,
            text[16] == 0x20, text[19] == UInt8(ascii: ":"), text[22] == UInt8(ascii: ":"),
            text[25...].elementsEqual(" GMT".utf8),
            let day = number(5..<7), let year = number(12..<16), let hour = number(17..<19),
            let minute = number(20..<22), let second = number(23..<25),
            let month = months.firstIndex(where: { $0.utf8.elementsEqual(text[8..<11]) }),
            (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = CivilCalendar.days(fromCivil: year, Int64(month + 1), day)
        let when = days * 86_400 + hour * 3600 + minute * 60 + second
        return Int(max(0, when - nowUnixSeconds))
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    func trimmingASCIISpaces() -> String {
        var utf8 = self.utf8[...]
        while let first = utf8.first, first == 0x20 || first == 0x09 { utf8 = utf8.dropFirst() }
        while let last = utf8.last, last == 0x20 || last == 0x09 { utf8 = utf8.dropLast() }
        return String(Substring(utf8))
    }
}
