/// Byte comparison for secrets (token digests, webhook signatures): how long it takes depends on
/// the lengths only, never on where the bytes first differ.
///
/// Thread-safety: stateless. - Complexity: O(length); every byte is read even after a difference.
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes. Unequal lengths answer false at once: the
    /// lengths compared here (digests, signatures) are public.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
