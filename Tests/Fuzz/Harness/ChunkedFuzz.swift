import ATPHTTP

/// Fuzz target: the chunked body decoder, as the server drives it.
///
/// Input: a flags byte (bit 0: allow bare LF, as the client does; the server does not), a byte
/// picking the body limit, two picking a split point, then the body bytes.
/// The decoder runs on the whole input and, fresh, on the part before the split and then on
/// what that left unconsumed (as the server hands it bytes after a short read).
/// Invariants: both ways consume as much, decode the same body and agree on being done (or both
/// refuse with the same status; the detail may differ, as which fault shows first depends on the
/// split); a decoder consumes at most what it is given and decodes no more than it consumes nor
/// more than its limit; a decoded body encoded again as one chunk decodes to itself. No read past
/// a buffer (AddressSanitizer).
public enum ChunkedFuzz {
    /// What decoding some bytes came to.
    private enum Outcome: Equatable {
        case decoded(consumed: Int, body: [UInt8], done: Bool)
        /// Refused with this status.
        case refused(Int)
    }

    public static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let bareLineFeed = input.byte() & 1 == 1
        let limit = Int(input.byte()) * 16
        let split = input.position()
        let bytes = input.rest

        var one = ChunkedDecoder(limit: limit, allowsBareLineFeed: bareLineFeed)
        var oneBody: [UInt8] = []
        let whole = decode(&one, bytes, into: &oneBody)

        var two = ChunkedDecoder(limit: limit, allowsBareLineFeed: bareLineFeed)
        var twoBody: [UInt8] = []
        var inParts = decode(&two, UnsafeRawBufferPointer(rebasing: bytes[..<split]), into: &twoBody)
        if case .decoded(let first, _, false) = inParts {
            inParts = decode(&two, UnsafeRawBufferPointer(rebasing: bytes[first...]), into: &twoBody)
            if case .decoded(let second, let body, let done) = inParts {
                inParts = .decoded(consumed: first + second, body: body, done: done)
            }
        }
        Fuzz.expect(whole == inParts, "decoded whole: \(whole), split at \(split): \(inParts)")

        if case .decoded(_, let body, true) = whole { checkRoundTrip(body) }
    }

    /// Decodes an exact copy of `bytes`, checking what holds for any one call.
    private static func decode(
        _ decoder: inout ChunkedDecoder, _ bytes: UnsafeRawBufferPointer, into body: inout [UInt8]
    )
        -> Outcome
    {
        let before = body.count
        return Fuzz.withExactCopy(bytes) { copy in
            do throws(HTTPParseError) {
                let consumed = try decoder.decode(copy, into: &body)
                Fuzz.expect(consumed >= 0 && consumed <= copy.count, "consumed \(consumed) of \(copy.count)")
                Fuzz.expect(
                    body.count - before <= consumed, "decoded \(body.count - before) from \(consumed) bytes")
                Fuzz.expect(
                    body.count <= decoder.limit, "body of \(body.count) past the limit \(decoder.limit)")
                return .decoded(consumed: consumed, body: body, done: decoder.isDone)
            } catch {
                return .refused(error.status)
            }
        }
    }

    /// `body` as one chunk and the last chunk decodes to `body`, consuming all of it.
    private static func checkRoundTrip(_ body: [UInt8]) {
        var encoded: [UInt8] = []
        if !body.isEmpty {
            encoded.append(contentsOf: String(body.count, radix: 16).utf8)
            encoded.append(contentsOf: [0x0D, 0x0A])
            encoded.append(contentsOf: body)
            encoded.append(contentsOf: [0x0D, 0x0A])
        }
        encoded.append(contentsOf: "0\r\n\r\n".utf8)
        var decoder = ChunkedDecoder(limit: body.count)
        var again: [UInt8] = []
        let outcome = encoded.withUnsafeBytes { decode(&decoder, $0, into: &again) }
        Fuzz.expect(
            outcome == .decoded(consumed: encoded.count, body: body, done: true),
            "re-encoded body: \(outcome)")
    }
}
