/// Appenders that write ASCII text (literals and decimal integers) into a byte buffer, for building
/// wire bodies and headers without Foundation or string formatting.
///
/// None of them allocates beyond the buffer's own geometric growth. They are plain mutating methods
/// on a value: safe on any thread that owns the buffer.
extension Array where Element == UInt8 {
    /// Appends `v` in decimal ASCII, with a leading '-' when negative (`Int64.min` included).
    /// - Complexity: O(number of digits); the digits are staged on the stack.
    public mutating func appendDecimal(_ v: Int64) {
        if v < 0 { append(UInt8(ascii: "-")) }
        var magnitude = v.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = 20
            repeat {
                i -= 1
                digits[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            append(contentsOf: UnsafeBufferPointer(rebasing: digits[i...]))
        }
    }

    /// Appends `v` in decimal ASCII. See `appendDecimal(_: Int64)`.
    @inlinable
    public mutating func appendDecimal(_ v: Int) {
        appendDecimal(Int64(v))
    }

    /// Appends the bytes of a literal, e.g. `out.appendASCII("{\"ok\":true}")`.
    /// - Complexity: O(n) in the literal's length.
    @inlinable
    public mutating func appendASCII(_ s: StaticString) {
        s.withUTF8Buffer { append(contentsOf: $0) }
    }
}
