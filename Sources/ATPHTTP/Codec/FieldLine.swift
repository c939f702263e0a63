/// One field line, `name ":" OWS value OWS` (RFC 9112 §5), as request heads, chunked trailers and
/// response heads all spell it.
///
/// Strict where laxness lets two parsers disagree: a line that starts with a space or tab
/// (obsolete line folding, §5.2), a name that is empty or not a token or has anything before its
/// colon (`Host : x`, §5.1), and any control character in the value other than a tab (NUL, a bare
/// CR, DEL; §2.2, RFC 9110 §5.5) are all refused.
/// Thread-safety: stateless. - Complexity: O(line length).
enum FieldLine {
    /// The name and the value (trimmed of spaces and tabs) of the field line at `line`, which
    /// holds no line ending.
    static func split(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) throws(HTTPParseError)
        -> (name: Range<Int>, value: Range<Int>)
    {
        if let first = line.first, bytes[first] == 0x20 || bytes[first] == 0x09 {
            throw .bad("obsolete line folding is not allowed")
        }
        var i = line.lowerBound
        while i < line.upperBound && HTTPHeadParser.isTokenByte(bytes[i]) { i += 1 }
        guard i > line.lowerBound, i < line.upperBound, bytes[i] == UInt8(ascii: ":") else {
            throw .bad("malformed header line")
        }
        var start = i + 1
        var end = line.upperBound
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        for k in start..<end where (bytes[k] < 0x20 && bytes[k] != 0x09) || bytes[k] == 0x7F {
            throw .bad("control character in a header value")
        }
        return (line.lowerBound..<i, start..<end)
    }
}
