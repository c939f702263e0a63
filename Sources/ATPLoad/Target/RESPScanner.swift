import ATPUtilities

/// RESP2 for the load driver's Redis codec: writing commands as arrays of bulk strings, and
/// scanning replies just far enough to know where each ends, whether it is an error, and its
/// integer value — without building reply values.
/// (Why not hiredis: its async API is not in the CHiredis wrapper, and the driver wants the same
/// loop for both targets.)
///
/// Replies: `+simple\r\n`, `-error\r\n`, `:integer\r\n`, `$len\r\n<len bytes>\r\n` (`$-1` null),
/// `*count\r\n` followed by `count` replies (`*-1` null), nested to any depth up to a limit.
/// Thread-safety: stateless. Complexity: `scan` O(reply size); `append…` O(bytes written).
enum RESP {
    /// What one complete reply was.
    enum Reply: Equatable {
        case error
        case integer(Int64)
        /// A simple string, bulk string, array or null.
        case other
    }

    /// The result of scanning the bytes from an offset.
    enum Scan: Equatable {
        /// One complete reply ends at `end` (exclusive).
        case reply(Reply, end: Int)
        /// More bytes are needed.
        case incomplete
        /// Not RESP2.
        case malformed
    }

    /// Scans one reply starting at `start` in `bytes`.
    static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Scan {
        scan(bytes, from: start, depth: 0)
    }

    private static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int, depth: Int) -> Scan {
        guard depth < 16 else { return .malformed }
        guard start < bytes.count else { return .incomplete }
        guard let lineEnd = lineEnd(bytes, from: start + 1) else {
            return bytes.count - start > 64 * 1024 ? .malformed : .incomplete
        }
        let next = lineEnd + 2
        switch bytes[start] {
        case UInt8(ascii: "+"): return .reply(.other, end: next)
        case UInt8(ascii: "-"): return .reply(.error, end: next)
        case UInt8(ascii: ":"):
            guard let value = integer(bytes, start + 1, lineEnd) else { return .malformed }
            return .reply(.integer(value), end: next)
        case UInt8(ascii: "$"):
            guard let length = integer(bytes, start + 1, lineEnd), length >= -1, length < 512 << 20 else {
                return .malformed
            }
            if length == -1 { return .reply(.other, end: next) }
            let end = next + Int(length) + 2
            guard end <= bytes.count else { return .incomplete }
            guard bytes[end - 2] == 0x0D && bytes[end - 1] == 0x0A else { return .malformed }
            return .reply(.other, end: end)
        case UInt8(ascii: "*"):
            guard let count = integer(bytes, start + 1, lineEnd), count >= -1, count < 1 << 24 else {
                return .malformed
            }
            var position = next
            var sawError = false
            if count > 0 {
                for _ in 0..<count {
                    switch scan(bytes, from: position, depth: depth + 1) {
                    case .reply(let element, let end):
                        if element == .error { sawError = true }
                        position = end
                    case .incomplete: return .incomplete
                    case .malformed: return .malformed
                    }
                }
            }
            // An array with an error inside (EXEC, a script's table) counts as an error.
            return .reply(sawError ? .error : .other, end: position)
        default:
            return .malformed
        }
    }

    /// The index of the CR of the first CR LF at or after `from`, or nil.
    @inline(__always)
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = from
        while i + 1 < bytes.count {
            if bytes[i] == 0x0D {
                return bytes[i + 1] == 0x0A ? i : nil
            }
            i += 1
        }
        return nil
    }

    /// The decimal integer in `bytes[from..<to]` (optional leading minus), or nil.
    @inline(__always)
    private static func integer(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> Int64? {
        var i = from
        var negative = false
        if i < to && bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < to, to - i <= 18 else { return nil }
        var value: Int64 = 0
        while i < to {
            let digit = bytes[i] &- 0x30
            guard digit <= 9 else { return nil }
            value = value * 10 + Int64(digit)
            i += 1
        }
        return negative ? -value : value
    }

    // MARK: Writing

    /// `*count\r\n`: the head of a command of `count` arguments.
    @inline(__always)
    static func appendCommand(count: Int, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        out.appendDecimal(count)
        out.append(0x0D)
        out.append(0x0A)
    }

    /// One argument: `$len\r\n<bytes>\r\n`.
    @inline(__always)
    static func appendBulk<Bytes: Collection<UInt8>>(_ bytes: Bytes, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "$"))
        out.appendDecimal(bytes.count)
        out.append(0x0D)
        out.append(0x0A)
        out.append(contentsOf: bytes)
        out.append(0x0D)
        out.append(0x0A)
    }

    /// One argument that is a decimal number (a small string: no allocation).
    @inline(__always)
    static func appendBulk(decimal value: Int, to out: inout [UInt8]) {
        appendBulk(String(value).utf8, to: &out)
    }
}
