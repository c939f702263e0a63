import ATPHTTP
import Testing

/// Inputs the fuzz targets (Tests/Fuzz) crashed on, each kept as the test it became.
@Suite struct FuzzRegressionTests {
    /// Decodes `body` handed over in two reads, split at `split`, as the server does.
    static func decodeInTwoReads(_ body: [UInt8], split: Int) throws(HTTPParseError) -> [UInt8] {
        var decoder = ChunkedDecoder(limit: 1 << 20)
        var decoded: [UInt8] = []
        let first = try body[..<split].withUnsafeBytes { bytes in
            Result { () throws(HTTPParseError) in try decoder.decode(bytes, into: &decoded) }
        }.get()
        _ = try body[first...].withUnsafeBytes { bytes in
            Result { () throws(HTTPParseError) in try decoder.decode(bytes, into: &decoded) }
        }.get()
        #expect(decoder.isDone)
        return decoded
    }

    /// chunked: a chunk-size line past the limit (a long extension) was refused when it came in
    /// two reads but accepted when it came in one (71a3fb6 refuses it whole too); either way, a
    /// line of 4,095 bytes before its LF is accepted and a longer one refused.
    @Test(arguments: [4095, 4200, Int.max])
    func aChunkSizeLinePastTheLimitIsRefusedHoweverItArrives(split: Int) throws {
        func body(extensionBytes: Int) -> [UInt8] {
            Array(("1;" + String(repeating: "e", count: extensionBytes) + "\r\nx\r\n0\r\n\r\n").utf8)
        }
        for extensionBytes in [4093, 5000] {
            let long = body(extensionBytes: extensionBytes)
            #expect(throws: HTTPParseError.self) {
                try Self.decodeInTwoReads(long, split: min(split, long.count))
            }
        }
        let atLimit = body(extensionBytes: 4092)  // "1;", the extension and CR: 4,095 bytes
        #expect(try Self.decodeInTwoReads(atLimit, split: min(split, atLimit.count)) == Array("x".utf8))
    }
}
