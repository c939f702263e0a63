import ATPUtilities
import Testing

@testable import ATPService

/// The token check's comparison and lookup: right answers (not timing) for equal digests,
/// digests one bit apart anywhere, and stored digests that share all but one byte with the
/// request's.
@Suite struct APIKeysTests {
    @Test func constantTimeEqualsIsByteEquality() {
        #expect(ConstantTime.equals([], []))
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2], [1, 2, 3]))
        #expect(!ConstantTime.equals([], [0]))
        let digest = SHA256.hash("a token of at least 16 bytes".utf8)
        #expect(ConstantTime.equals(digest, digest))
        for byte in 0..<digest.count {
            for bit in 0..<8 {
                var other = digest
                other[byte] ^= 1 << bit
                #expect(!ConstantTime.equals(digest, other), "byte \(byte) bit \(bit)")
                #expect(!ConstantTime.equals(other, digest), "byte \(byte) bit \(bit)")
            }
        }
    }

    /// `sha256:` entries let the file hold digests next to the token's own: one differing only
    /// in the first byte, one only in the last, one only in the middle. Only the exact one matches,
    /// wherever it stands in the file.
    @Test func lookupMatchesTheWholeDigestOfExactlyOneKey() throws {
        let token = "near-miss-token-0001"
        let digest = SHA256.hash(token.utf8)
        func hex(_ bytes: [UInt8]) -> String {
            bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        }
        func flipped(_ at: Int) -> String {
            var other = digest
            other[at] ^= 0x80
            return "sha256:" + hex(other)
        }
        let nearMisses = [
            "first admin \(flipped(0))", "last admin \(flipped(31))", "middle admin \(flipped(16))",
        ]
        for position in 0...nearMisses.count {
            var lines = nearMisses
            lines.insert("exact read sha256:\(hex(digest))", at: position)
            let keys = try APIKeys(parsing: lines.joined(separator: "\n"))
            #expect(
                lookup(keys, token) == APIKey(name: "exact", scopes: .read),
                "exact key at line \(position + 1)")
        }
        #expect(lookup(try APIKeys(parsing: nearMisses.joined(separator: "\n")), token) == nil)
    }

    @Test func lookupRefusesEverythingButTheTokens() throws {
        let keys = try APIKeys(parsing: Tokens.file)
        #expect(keys.count == 7)
        for (name, token) in [
            ("reader", Tokens.reader), ("shop", Tokens.shop), ("wms", Tokens.wms), ("ops", Tokens.ops),
            ("all", Tokens.all), ("shop2", Tokens.shop2), ("reserver", Tokens.reserver),
        ] {
            #expect(lookup(keys, token)?.name == name)
            #expect(lookup(keys, String(token.dropLast())) == nil, "\(name) without its last byte")
            #expect(lookup(keys, String(token.dropFirst())) == nil, "\(name) without its first byte")
            #expect(lookup(keys, token + "x") == nil, "\(name) with a byte more")
            #expect(lookup(keys, token.uppercased()) == nil, "\(name) upper-cased")
        }
        #expect(lookup(keys, "") == nil)
        #expect(lookup(keys, Tokens.wmsSHA256) == nil, "the stored digest is not a token")
    }

    private func lookup(_ keys: APIKeys, _ token: String) -> APIKey? {
        Array(token.utf8).withUnsafeBytes { keys.key(forToken: $0) }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
