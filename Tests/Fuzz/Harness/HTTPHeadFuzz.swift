import ATPHTTP

/// Fuzz target: the HTTP/1.1 request head parser, as the server drives it.
///
/// Input: one byte picking the head limit, two picking a split point, then the request bytes.
/// `findEnd` runs on the whole request and, with a fresh parser, on the part before the split
/// and then the whole (as bytes arrive on a socket); `parse` then runs on exactly the head.
/// Invariants: both ways find the same end (or the same refusal); the end lies within the
/// request; every range `parse` returns lies within the head and keeps the rules the server
/// relies on (a path starting with '/', header values without CR or LF, never Content-Length
/// together with chunked). Neither call reads a byte past its buffer (AddressSanitizer).
public enum HTTPHeadFuzz {
    /// What `findEnd` answered.
    private enum End: Equatable {
        case more
        case head(Int)
        case refused(HTTPParseError)
    }

    public static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let limit = 1 + Int(input.byte()) * 32
        let split = input.position()
        let request = input.rest

        var oneParser = HTTPHeadParser(maxHeadBytes: limit)
        let whole = Fuzz.withExactCopy(request) { findEnd(&oneParser, $0) }
        var twoParser = HTTPHeadParser(maxHeadBytes: limit)
        var inParts = Fuzz.withExactCopy(UnsafeRawBufferPointer(rebasing: request[..<split])) {
            findEnd(&twoParser, $0)
        }
        if inParts == .more { inParts = Fuzz.withExactCopy(request) { findEnd(&twoParser, $0) } }
        Fuzz.expect(whole == inParts, "findEnd answered \(whole) whole but \(inParts) split at \(split)")

        guard case .head(let length) = whole else { return }
        Fuzz.expect(length > 0 && length <= request.count, "head end \(length) outside 1...\(request.count)")
        Fuzz.withExactCopy(UnsafeRawBufferPointer(rebasing: request[..<length])) { head in
            var parsed = HTTPRequestHead()
            do throws(HTTPParseError) {
                try oneParser.parse(head, length: length, into: &parsed)
            } catch {
                Fuzz.expect((400...505).contains(error.status), "parse refused with status \(error.status)")
                return
            }
            check(parsed, in: head)
        }
    }

    private static func findEnd(_ parser: inout HTTPHeadParser, _ bytes: UnsafeRawBufferPointer) -> End {
        do throws(HTTPParseError) {
            return try parser.findEnd(bytes).map(End.head) ?? .more
        } catch {
            return .refused(error)
        }
    }

    /// The rules a successfully parsed head keeps.
    private static func check(_ parsed: HTTPRequestHead, in head: UnsafeRawBufferPointer) {
        let all = 0..<head.count
        func within(_ range: Range<Int>?, _ name: String) {
            guard let range else { return }
            Fuzz.expect(
                range.clamped(to: all) == range, "\(name) \(range) outside the head 0..<\(head.count)")
        }
        within(parsed.path, "path")
        within(parsed.query, "query")
        Fuzz.expect(
            !parsed.path.isEmpty && head[parsed.path.lowerBound] == UInt8(ascii: "/"), "path not from '/'")
        for (name, value) in parsed.headers {
            within(name, "header name")
            within(value, "header value")
            Fuzz.expect(!name.isEmpty, "empty header name")
            Fuzz.expect(
                !value.contains { head[$0] == 0x0A || head[$0] == 0x0D }, "CR or LF in a header value")
        }
        for range in [parsed.authorization, parsed.requestID, parsed.idempotencyKey, parsed.contentType] {
            within(range, "picked header")
        }
        Fuzz.expect(parsed.minorVersion <= 1, "HTTP/1.\(parsed.minorVersion)")
        Fuzz.expect(!(parsed.chunked && parsed.contentLength != nil), "Content-Length with chunked")
        Fuzz.expect((parsed.contentLength ?? 0) >= 0, "negative Content-Length")
    }
}
