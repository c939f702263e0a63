/// A fast, well-mixed 64-bit hash of a byte string (wyhash-style multiply-fold, 8 bytes a step).
///
/// Used for the lock-free key indexes and for dedupe fingerprints; not a cryptographic hash and
/// not resistant to deliberate collisions (the tables stay correct under collisions, only slower).
/// Thread-safety: pure functions.
public enum ByteHash {
    @usableFromInline static let p0: UInt64 = 0xa076_1d64_78bd_642f
    @usableFromInline static let p1: UInt64 = 0xe703_7ed1_a0b4_28db
    @usableFromInline static let p2: UInt64 = 0x8ebc_6af0_9c88_c6e3

    @inlinable @inline(__always)
    static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// The 64-bit hash of `bytes` with `seed`.
    /// - Complexity: O(n), no allocation.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var h = seed ^ p0 ^ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            h = fold(h ^ word, p1)
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            h = fold(h ^ tail, p2)
        }
        return fold(h ^ (h >> 29), p1)
    }

    /// The 64-bit hash of a string's UTF-8 bytes.
    @inlinable
    public static func hash(_ string: String, seed: UInt64 = 0) -> UInt64 {
        var copy = string
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0), seed: seed) }
    }
}

/// A 128-bit digest made of two independently seeded `ByteHash` values.
///
/// Dedupe tables keep this instead of the original string, so their memory per key is fixed;
/// two different keys collide with probability about 2^-128.
public struct Digest128: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The digest of `bytes`.
    public init(_ bytes: UnsafeRawBufferPointer) {
        high = ByteHash.hash(bytes, seed: 0x5851_f42d_4c95_7f2d)
        low = ByteHash.hash(bytes, seed: 0x1405_7b7e_f767_814f)
    }

    /// The digest of the given strings, each followed by a 0 byte so `("ab","c") != ("a","bc")`.
    public init(_ parts: String...) {
        var bytes: [UInt8] = []
        for part in parts {
            bytes.append(contentsOf: part.utf8)
            bytes.append(0)
        }
        self = bytes.withUnsafeBytes { Digest128($0) }
    }
}
