import ATPPosix

/// Parses an HTTP/1.x request line and header section (RFC 9112 §3, §5, §6.3).
///
/// Strict where laxness is a smuggling risk (see `FieldLine` for the field rules): every line ends
/// in CR LF, so a bare LF (unless `allowsBareLineFeed`) or a bare CR is refused; Content-Length
/// together with Transfer-Encoding, differing Content-Lengths, Transfer-Encoding in HTTP/1.0, a
/// final coding other than chunked, chunked applied twice, a second Host, and a second line of an
/// indexed header that refuses repeats (`IndexedHeader`) are all refused. Repeats of one
/// Content-Length value
/// (`5, 5`, or the header twice) are one length (RFC 9110 §8.6 allows either choice).
/// Thread-safety: a value type, used by one connection at a time.
/// - Complexity: O(head length); `findEnd` resumes where the previous call stopped.
public struct HTTPHeadParser: Sendable {
    /// The largest request line plus header section, in bytes (the closing empty line not counted).
    public var maxHeadBytes: Int
    /// The most header lines accepted.
    public var maxHeaders = 100
    /// Whether a lone LF ends a line (RFC 9112 §2.2 allows it). The server says no: a line ending
    /// that another parser on the path may read differently is a smuggling risk; the client, which
    /// reads webhook receivers' answers, says yes.
    public var allowsBareLineFeed = false
    /// The application's headers to pick out (at most `HTTPRequestHead.indexedCapacity`); each is
    /// stored at its position here.
    public var indexedHeaders: [IndexedHeader] = [] {
        didSet {
            precondition(indexedHeaders.count <= HTTPRequestHead.indexedCapacity, "too many indexed headers")
        }
    }
    /// How far `findEnd` has already scanned.
    private var scanned = 0

    public init(maxHeadBytes: Int = 16 * 1024) {
        self.maxHeadBytes = maxHeadBytes
    }

    /// Forgets the scan position, for the next request.
    public mutating func reset() { scanned = 0 }

    /// How many bytes of empty lines start `bytes`: a server ignores them before a request line
    /// (RFC 9112 §2.2). A CR as the last byte may be the start of one and is left for later.
    /// - Throws: 400 for a bare CR, or a bare LF when those are not allowed.
    public func emptyLinesBefore(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int {
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                guard allowsBareLineFeed else { throw .bareLineFeed }
                i += 1
            } else if bytes[i] == 0x0D {
                guard i + 1 < bytes.count else { break }
                guard bytes[i + 1] == 0x0A else { throw .bareCarriageReturn }
                i += 2
            } else {
                break
            }
        }
        return i
    }

    /// The length of the head (through its empty line) when `bytes` holds all of it; nil when more
    /// is needed. `bytes` must not start with an empty line (see `emptyLinesBefore`).
    /// - Throws: 431 when the head grows past `maxHeadBytes`; 400 for a bare LF when not allowed.
    public mutating func findEnd(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Int? {
        // The closing empty line may run two bytes past the limit.
        let end = min(bytes.count, maxHeadBytes + 2)
        var i = scanned
        while i < end {
            guard let newline = bytes.firstIndex(of: 0x0A, in: i..<end) else {
                i = end
                break
            }
            let crlf = newline > 0 && bytes[newline - 1] == 0x0D
            if !crlf && !allowsBareLineFeed { throw .bareLineFeed }
            let ending = crlf ? newline - 1 : newline
            // An empty line: its ending follows the previous line's LF at once.
            if ending > 0 && bytes[ending - 1] == 0x0A { return newline + 1 }
            if newline >= maxHeadBytes { throw .headersTooLarge }
            i = newline + 1
        }
        scanned = i
        if bytes.count >= maxHeadBytes + 2 { throw .headersTooLarge }
        return nil
    }

    /// Parses a complete head of `length` bytes at the start of `bytes` into `head`.
    public func parse(_ bytes: UnsafeRawBufferPointer, length: Int, into head: inout HTTPRequestHead)
        throws(HTTPParseError)
    {
        head.reset()
        var position = 0
        let requestLineEnd = lineEnd(bytes, from: 0, limit: length)
        try parseRequestLine(bytes, 0..<requestLineEnd.content, into: &head)
        position = requestLineEnd.next
        var sawHost = false
        var transferEncoding: Range<Int>?
        var connectionTokens: [Range<Int>] = []
        while position < length {
            let line = lineEnd(bytes, from: position, limit: length)
            if line.content == position { break }  // the empty line
            guard head.headers.count < maxHeaders else { throw .headersTooLarge }
            let (name, value) = try FieldLine.split(bytes, position..<line.content)
            head.headers.append((name, value))
            switch HeaderName(bytes, name) {
            case .host:
                if sawHost { throw .bad("more than one Host header") }
                sawHost = true
            case .contentLength: try mergeContentLength(bytes, value, into: &head)
            case .transferEncoding:
                if transferEncoding != nil { throw .bad("more than one Transfer-Encoding header") }
                transferEncoding = value
            case .connection: connectionTokens.append(value)
            case .expect: head.expectsContinue = asciiEqualsIgnoringCase(bytes, value, "100-continue")
            case .requestID: head.requestID = value
            case .other: try index(bytes, name, value, into: &head)
            }
            position = line.next
        }
        if head.minorVersion == 1 && !sawHost { throw .bad("an HTTP/1.1 request needs a Host header") }
        if let transferEncoding {
            if head.contentLength != nil { throw .bad("Content-Length and Transfer-Encoding together") }
            // RFC 9112 §6.1: the framing of an HTTP/1.0 message with Transfer-Encoding is faulty.
            if head.minorVersion == 0 { throw .bad("Transfer-Encoding in an HTTP/1.0 request") }
            try checkTransferEncoding(bytes, transferEncoding)
            head.chunked = true
        }
        head.keepAlive = head.minorVersion == 1
        for tokens in connectionTokens {
            forEachListItem(bytes, tokens) { item in
                if asciiEqualsIgnoringCase(bytes, item, "close") { head.keepAlive = false }
                if asciiEqualsIgnoringCase(bytes, item, "keep-alive") && head.minorVersion == 0 {
                    head.keepAlive = true
                }
            }
        }
    }

    // MARK: Pieces

    private func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int, limit: Int) -> (
        content: Int, next: Int
    ) {
        var i = start
        while i < limit && bytes[i] != 0x0A { i += 1 }
        let content = i > start && bytes[i - 1] == 0x0D ? i - 1 : i
        return (content, min(i + 1, limit))
    }

    private func parseRequestLine(
        _ bytes: UnsafeRawBufferPointer, _ line: Range<Int>, into head: inout HTTPRequestHead
    )
        throws(HTTPParseError)
    {
        var i = line.lowerBound
        while i < line.upperBound && HTTPHeadParser.isTokenByte(bytes[i]) { i += 1 }
        guard i > line.lowerBound, i < line.upperBound, bytes[i] == 0x20 else {
            throw .bad("malformed request line")
        }
        head.method = HTTPMethod(token: UnsafeRawBufferPointer(rebasing: bytes[line.lowerBound..<i]))
        let targetStart = i + 1
        var j = targetStart
        while j < line.upperBound && bytes[j] > 0x20 && bytes[j] < 0x7F { j += 1 }
        guard j > targetStart, j < line.upperBound, bytes[j] == 0x20 else {
            throw .bad("malformed request target")
        }
        guard bytes[targetStart] == UInt8(ascii: "/") else { throw .bad("the request target must be a path") }
        if let question = (targetStart..<j).first(where: { bytes[$0] == UInt8(ascii: "?") }) {
            head.path = targetStart..<question
            head.query = (question + 1)..<j
        } else {
            head.path = targetStart..<j
            head.query = j..<j
        }
        let version = (j + 1)..<line.upperBound
        guard version.count == 8,
            UnsafeRawBufferPointer(rebasing: bytes[version.lowerBound..<(version.lowerBound + 5)])
                .equals("HTTP/"), bytes[version.lowerBound + 6] == UInt8(ascii: ".")
        else { throw .bad("malformed HTTP version") }
        let major = bytes[version.lowerBound + 5]
        let minor = bytes[version.lowerBound + 7]
        guard (0x30...0x39).contains(major), (0x30...0x39).contains(minor) else {
            throw .bad("malformed HTTP version")
        }
        guard major == UInt8(ascii: "1"), minor <= UInt8(ascii: "1") else { throw .unsupportedVersion }
        head.minorVersion = minor - 0x30
    }

    /// Stores the value of a header the application indexed at its position; a second line of one
    /// that refuses repeats is refused. - Complexity: O(indexed headers × name length).
    @inline(__always)
    private func index(
        _ bytes: UnsafeRawBufferPointer, _ name: Range<Int>, _ value: Range<Int>,
        into head: inout HTTPRequestHead
    ) throws(HTTPParseError) {
        for position in indexedHeaders.indices {
            let header = indexedHeaders[position]
            guard asciiEqualsIgnoringCase(bytes, name, header.name) else { continue }
            if header.repeats == .refused && head.indexed[position] != nil {
                throw .bad("more than one \(header.name) header")
            }
            head.indexed[position] = value
            return
        }
    }

    private func mergeContentLength(
        _ bytes: UnsafeRawBufferPointer, _ value: Range<Int>, into head: inout HTTPRequestHead
    )
        throws(HTTPParseError)
    {
        var failure: HTTPParseError?
        forEachListItem(bytes, value) { item in
            guard failure == nil else { return }
            guard !item.isEmpty, item.count <= 18, item.allSatisfy({ (0x30...0x39).contains(bytes[$0]) })
            else {
                failure = .bad("malformed Content-Length")
                return
            }
            let length = item.reduce(0) { $0 * 10 + Int(bytes[$1] - 0x30) }
            if let previous = head.contentLength, previous != length {
                failure = .bad("differing Content-Length values")
            }
            head.contentLength = length
        }
        if let failure { throw failure }
        if head.contentLength == nil { throw .bad("malformed Content-Length") }
    }

    private func checkTransferEncoding(_ bytes: UnsafeRawBufferPointer, _ value: Range<Int>)
        throws(HTTPParseError)
    {
        var codings: [Range<Int>] = []
        forEachListItem(bytes, value) { codings.append($0) }
        // Coding names ignore case (RFC 9112 §7), so `Chunked` is chunked; `xchunked` is not.
        guard let last = codings.last, asciiEqualsIgnoringCase(bytes, last, "chunked") else {
            throw .bad("the final transfer coding must be chunked")
        }
        if codings.dropLast().contains(where: { asciiEqualsIgnoringCase(bytes, $0, "chunked") }) {
            throw .bad("chunked may be applied only once")
        }
        if codings.count > 1 { throw .unsupportedCoding }
    }

    /// Calls `body` with each non-empty, trimmed item of a comma-separated header value.
    private func forEachListItem(
        _ bytes: UnsafeRawBufferPointer, _ value: Range<Int>, _ body: (Range<Int>) -> Void
    ) {
        var start = value.lowerBound
        while start <= value.upperBound {
            var end = start
            while end < value.upperBound && bytes[end] != UInt8(ascii: ",") { end += 1 }
            var a = start
            var b = end
            while a < b && (bytes[a] == 0x20 || bytes[a] == 0x09) { a += 1 }
            while b > a && (bytes[b - 1] == 0x20 || bytes[b - 1] == 0x09) { b -= 1 }
            if a < b { body(a..<b) }
            start = end + 1
        }
    }

    /// tchar of RFC 9110 §5.6.2.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }
}

/// True when the bytes in `range` equal the ASCII `text`, ignoring letter case.
func asciiEqualsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ text: StaticString)
    -> Bool
{
    guard range.count == text.utf8CodeUnitCount else { return false }
    let expected = text.utf8Start
    for i in 0..<range.count where asciiLowercase(bytes[range.lowerBound + i]) != asciiLowercase(expected[i])
    {
        return false
    }
    return true
}

/// `b` with A–Z mapped to a–z.
@inline(__always)
func asciiLowercase(_ b: UInt8) -> UInt8 {
    b &- 0x41 < 26 ? b | 0x20 : b
}
