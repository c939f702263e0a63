import ATPUtilities
import Testing

/// ATPUtilities' ASCII appenders (`Bytes+ASCII.swift`). They live here, beside the JSON writer
/// that is their main user, because ATPUtilities has no test target of its own.
@Suite struct BytesASCIITests {
    @Test func decimalsIncludingExtremes() {
        for v: Int64 in [0, 7, -7, 10, -10, 99, 1_000_000, .max, .min, .max - 1, .min + 1] {
            var out: [UInt8] = Array("[".utf8)
            out.appendDecimal(v)
            #expect(out == Array("[\(v)".utf8))
        }
        var out: [UInt8] = []
        out.appendDecimal(Int.min)
        out.appendASCII(",")
        out.appendDecimal(Int.max)
        #expect(out == Array("-9223372036854775808,9223372036854775807".utf8))
    }
}
