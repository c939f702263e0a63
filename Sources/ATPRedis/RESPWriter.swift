import ATPUtilities

/// Builds Redis commands in RESP (`*<n>\r\n$<len>\r\n<bytes>\r\n…`) straight into one reusable
/// byte buffer, for `RedisConnection.sendFormatted`: no array per argument, no copy by hiredis's
/// argv formatter.
///
/// A command is opened with its argument count, then each argument is written whole, from bytes
/// or as a decimal.
///
/// Thread-safety: a value type for one thread. Complexity: O(bytes written); the buffer keeps its
/// capacity across `reset()`, so a steady workload allocates nothing.
public struct RESPWriter {
    /// The commands written so far, in RESP.
    public private(set) var bytes: [UInt8] = []
    /// Commands opened so far (each needs one reply).
    public private(set) var commands = 0

    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    /// Forgets what was written, keeping the buffer's capacity.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        commands = 0
    }

    /// Opens a command of `arguments` arguments (the name included).
    public mutating func command(arguments: Int) {
        commands += 1
        bytes.append(UInt8(ascii: "*"))
        bytes.appendDecimal(Int64(arguments))
        crlf()
    }

    /// Writes one argument of raw bytes.
    public mutating func argument(_ value: some Collection<UInt8>) {
        bytes.append(UInt8(ascii: "$"))
        bytes.appendDecimal(Int64(value.count))
        crlf()
        bytes.append(contentsOf: value)
        crlf()
    }

    /// Writes one argument of a static ASCII string (command names, keywords).
    public mutating func argument(_ value: StaticString) {
        argument(UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
    }

    /// Writes one argument, the decimal digits of `value`.
    public mutating func argument(decimal value: Int64) {
        var digits = value < 0 ? 2 : 1
        var n = value.magnitude
        while n >= 10 {
            n /= 10
            digits += 1
        }
        bytes.append(UInt8(ascii: "$"))
        bytes.appendDecimal(Int64(digits))
        crlf()
        bytes.appendDecimal(value)
        crlf()
    }

    private mutating func crlf() {
        bytes.append(13)
        bytes.append(10)
    }
}
