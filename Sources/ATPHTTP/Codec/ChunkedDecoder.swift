import ATPPosix

/// Decodes a chunked request body (RFC 9112 §7.1) incrementally, as bytes arrive.
///
/// Chunk extensions are ignored (bounded, with the chunk-size line, by `maxLineBytes`); trailer
/// fields are checked as header fields (`FieldLine`) and dropped (bounded by `maxTrailerBytes`).
/// Every line ends in CR LF unless `allowsBareLineFeed`, as in `HTTPHeadParser`. A size that is not
/// hexadecimal (`-1`, `0x10`) is refused (400); one past `limit`, however many digits it has, is
/// 413. The decoded body is appended to the caller's buffer and may not grow past `limit` (413).
/// Thread-safety: a value type, used by one connection at a time.
/// - Complexity: O(bytes consumed).
public struct ChunkedDecoder: Sendable {
    private enum State: Sendable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(seen: Int)
        case done
    }

    private var state = State.size
    /// The largest decoded body, in bytes.
    public var limit: Int
    /// Whether a lone LF ends a line; see `HTTPHeadParser.allowsBareLineFeed`.
    public var allowsBareLineFeed: Bool

    /// The longest chunk-size line (with extensions) or trailer section accepted.
    static let maxLineBytes = 4096
    static let maxTrailerBytes = 16 * 1024

    public init(limit: Int, allowsBareLineFeed: Bool = false) {
        self.limit = limit
        self.allowsBareLineFeed = allowsBareLineFeed
    }

    /// True once the last chunk and the trailer section have been read.
    public var isDone: Bool {
        if case .done = state { return true }
        return false
    }

    /// Consumes what it can of `bytes`, appending chunk data to `body`.
    /// - Returns: how many bytes of `bytes` were consumed.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, into body: inout [UInt8])
        throws(HTTPParseError) -> Int
    {
        var position = 0
        while position < bytes.count {
            switch state {
            case .size:
                guard let line = try line(bytes, from: position) else {
                    if bytes.count - position > Self.maxLineBytes { throw .bad("chunk size line too long") }
                    return position
                }
                if line.next - position > Self.maxLineBytes { throw .bad("chunk size line too long") }
                let size = try Self.chunkSize(bytes, position..<line.content)
                position = line.next
                if size == 0 {
                    state = .trailers(seen: 0)
                } else {
                    guard size <= limit - body.count else { throw .payloadTooLarge }
                    state = .data(remaining: size)
                }
            case .data(let remaining):
                let take = min(remaining, bytes.count - position)
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + take)]))
                position += take
                state = remaining == take ? .dataEnd : .data(remaining: remaining - take)
            case .dataEnd:
                if bytes[position] == 0x0A {
                    guard allowsBareLineFeed else { throw .bareLineFeed }
                    position += 1
                } else if bytes[position] == 0x0D {
                    guard position + 1 < bytes.count else { return position }
                    guard bytes[position + 1] == 0x0A else { throw .bad("chunk data not followed by CRLF") }
                    position += 2
                } else {
                    throw .bad("chunk data longer than its size")
                }
                state = .size
            case .trailers(let seen):
                guard let line = try line(bytes, from: position) else {
                    if seen + bytes.count - position > Self.maxTrailerBytes {
                        throw .bad("trailer section too long")
                    }
                    return position
                }
                if line.content == position {
                    state = .done
                    return line.next
                }
                let length = line.next - position
                guard seen + length <= Self.maxTrailerBytes else { throw .bad("trailer section too long") }
                _ = try FieldLine.split(bytes, position..<line.content)
                state = .trailers(seen: seen + length)
                position = line.next
            case .done:
                return position
            }
        }
        return position
    }

    /// The next line from `start`: where its content ends (before CR LF, or a permitted bare LF)
    /// and where the next line begins; nil when no LF has arrived yet.
    private func line(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(HTTPParseError)
        -> (content: Int, next: Int)?
    {
        guard let newline = bytes.firstIndex(of: 0x0A, in: start..<bytes.count) else { return nil }
        let crlf = newline > start && bytes[newline - 1] == 0x0D
        if !crlf && !allowsBareLineFeed { throw .bareLineFeed }
        return (crlf ? newline - 1 : newline, newline + 1)
    }

    /// Parses the hex chunk size at the start of `line`, ignoring any `;extension`.
    private static func chunkSize(_ bytes: UnsafeRawBufferPointer, _ line: Range<Int>) throws(HTTPParseError)
        -> Int
    {
        var size = 0
        var i = line.lowerBound
        while i < line.upperBound {
            let b = bytes[i]
            let digit: Int
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(b - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(b - 0x57)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(b - 0x37)
            default: digit = -1
            }
            if digit < 0 { break }
            guard size <= (Int.max >> 4) else { throw .payloadTooLarge }
            size = size << 4 | digit
            i += 1
        }
        guard i > line.lowerBound else { throw .bad("malformed chunk size") }
        var rest = i
        while rest < line.upperBound && (bytes[rest] == 0x20 || bytes[rest] == 0x09) { rest += 1 }
        if rest < line.upperBound {
            guard bytes[rest] == UInt8(ascii: ";") else { throw .bad("malformed chunk size") }
            for k in rest..<line.upperBound where (bytes[k] < 0x20 && bytes[k] != 0x09) || bytes[k] == 0x7F {
                throw .bad("control character in a chunk extension")
            }
        }
        return size
    }
}
