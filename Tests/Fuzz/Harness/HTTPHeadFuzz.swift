import ATPHTTP

/// Fuzz target: the HTTP/1.1 request head parser, driven as the server's connection drives it.
///
/// Input: a flags byte (bit 0: allow bare LF, as the client does; the server does not), a byte
/// picking the head limit, two picking a split point, then the request bytes. As on a connection,
/// leading empty lines are skipped (`emptyLinesBefore`) and `findEnd` is asked for the head's end:
/// once on the whole request and, with a fresh parser, on the part before the split and then the
/// whole (as bytes arrive on a socket). `parse` then runs on exactly the head.
/// Invariants: both ways skip as much and find the same end (or refuse with the same status; the
/// detail may differ, as which fault shows first depends on the split); the end lies within the
/// request; every range `parse` returns lies within the head and keeps the rules the server
/// relies on (a path starting with '/', header values without CR or LF, never Content-Length
/// together with chunked). No call reads a byte past its buffer (AddressSanitizer).
public enum HTTPHeadFuzz {
    /// What reading the head came to.
    private enum End: Equatable {
        case more
        case head(skipped: Int, length: Int)
        /// Refused with this status.
        case refused(Int)
    }

    /// Headers to index, as atpd's API does.
    private static let indexed = [
        IndexedHeader("Authorization"), IndexedHeader("Idempotency-Key"), IndexedHeader("Content-Type"),
    ]

    public static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        var parser = HTTPHeadParser()
        parser.indexedHeaders = indexed
        parser.allowsBareLineFeed = input.byte() & 1 == 1
        parser.maxHeadBytes = 1 + Int(input.byte()) * 32
        let split = input.position()
        let request = input.rest

        var oneParser = parser
        var oneSkipped = 0
        let whole = readHead(&oneParser, request, skipped: &oneSkipped)
        var twoParser = parser
        var twoSkipped = 0
        var inParts = readHead(
            &twoParser, UnsafeRawBufferPointer(rebasing: request[..<split]), skipped: &twoSkipped)
        if inParts == .more { inParts = readHead(&twoParser, request, skipped: &twoSkipped) }
        Fuzz.expect(whole == inParts, "read whole: \(whole), split at \(split): \(inParts)")

        guard case .head(let skipped, let length) = whole else { return }
        Fuzz.expect(
            length > 0 && skipped + length <= request.count, "head \(skipped)+\(length) of \(request.count)")
        Fuzz.withExactCopy(UnsafeRawBufferPointer(rebasing: request[skipped..<(skipped + length)])) { head in
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

    /// What `HTTPConnection.readHead` does with the bytes so far (`skipped` of them already gone
    /// as empty lines), each call on an exact copy.
    private static func readHead(
        _ parser: inout HTTPHeadParser, _ bytes: UnsafeRawBufferPointer, skipped: inout Int
    )
        -> End
    {
        do throws(HTTPParseError) {
            skipped += try Fuzz.withExactCopy(UnsafeRawBufferPointer(rebasing: bytes[skipped...])) { rest in
                Result { () throws(HTTPParseError) in try parser.emptyLinesBefore(rest) }
            }.get()
            guard skipped < bytes.count else { return .more }
            let length = try Fuzz.withExactCopy(UnsafeRawBufferPointer(rebasing: bytes[skipped...])) { rest in
                Result { () throws(HTTPParseError) in try parser.findEnd(rest) }
            }.get()
            return length.map { .head(skipped: skipped, length: $0) } ?? .more
        } catch {
            return .refused(error.status)
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
        within(parsed.requestID, "X-Request-Id")
        for position in indexed.indices { within(parsed.indexedValue(at: position), "indexed header") }
        Fuzz.expect(parsed.minorVersion <= 1, "HTTP/1.\(parsed.minorVersion)")
        Fuzz.expect(!(parsed.chunked && parsed.contentLength != nil), "Content-Length with chunked")
        Fuzz.expect((parsed.contentLength ?? 0) >= 0, "negative Content-Length")
    }
}
