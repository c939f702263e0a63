import Testing

@testable import ATPService

/// `QueryString` on its own: how a query splits into pairs and how a value decodes.
@Suite struct QueryStringTests {
    /// The (name, value) pairs of `query`, decoded; nil for a value whose encoding is broken.
    func pairs(_ query: String) -> [(String, String?)] {
        var out: [(String, String?)] = []
        var bytes = Array(query.utf8)
        bytes.withUnsafeMutableBytes { raw in
            QueryString.forEach(UnsafeRawBufferPointer(raw)) { name, value in
                let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(1, value.count), alignment: 1)
                defer { scratch.deallocate() }
                let decoded = QueryString.decode(value, into: scratch).map {
                    String(decoding: $0, as: UTF8.self)
                }
                out.append((String(decoding: name, as: UTF8.self), decoded))
            }
        }
        return out
    }

    @Test func splitsOnAmpersandsAndSkipsEmptyPairs() {
        let found = pairs("sku=A&&sku=B&flag&location=&=x&")
        #expect(found.map(\.0) == ["sku", "sku", "flag", "location", ""])
        #expect(found.map(\.1) == ["A", "B", "", "", "x"])
        #expect(pairs("").isEmpty)
        #expect(pairs("&&&").isEmpty)
    }

    @Test func valuesArePercentAndPlusDecoded() {
        #expect(pairs("sku=A%2BB+C%20D%C3%A9").map(\.1) == ["A+B C Dé"])
        // Only the first `=` separates: the rest belongs to the value.
        #expect(pairs("by=a=b").map(\.1) == ["a=b"])
    }

    @Test(arguments: ["%", "%4", "%zz", "a%g1"])
    func brokenEncodingIsNil(_ value: String) {
        #expect(pairs("sku=\(value)").map(\.1) == [nil], "\(value)")
    }

    /// Decoding is bytes only; whether they are a valid key (UTF-8, no control characters) is
    /// `KeyBytes`' call.
    @Test(arguments: ["%C3", "%FF%FE", "%00", "%7F", "%C0%80"])
    func decodedBytesThatAreNoKeyAreRefusedByKeyBytes(_ value: String) {
        var bytes = Array("sku=\(value)".utf8)
        var problem: String?
        bytes.withUnsafeMutableBytes { raw in
            QueryString.forEach(UnsafeRawBufferPointer(raw)) { _, value in
                let scratch = UnsafeMutableRawPointer.allocate(byteCount: max(1, value.count), alignment: 1)
                defer { scratch.deallocate() }
                if let decoded = QueryString.decode(value, into: scratch) {
                    problem = KeyBytes.problem(decoded, name: "sku")
                }
            }
        }
        #expect(problem != nil, "\(value)")
    }
}
