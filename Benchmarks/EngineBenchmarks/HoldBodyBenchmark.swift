import ATPEngine
import ATPService

/// Decoding `POST /v1/reservations` bodies (`ReservationRequest(body:)`, what the handler calls),
/// one thread: decodes per second, and the time per decode in the note.
///
/// `--decodes N [--body I]` instead runs exactly N decodes of each body (or body I) and reports
/// nothing, for counting allocations from outside (valgrind, perf probe): run it with two counts
/// and divide the difference.
enum HoldBodyBenchmark {
    static let bodies: [(name: String, body: [UInt8])] = [
        (
            "API.md example",
            #"{"lines":[{"sku":"A","location":"DC1","qty":2}],"ttlSeconds":900,"reference":"cart-123"}"#
        ),
        (
            "3 lines, 20-byte skus",
            #"{"lines":[{"sku":"SKU-0000000000000001","location":"DC1","qty":2},{"sku":"SKU-0000000000000002","location":"DC1","qty":1},{"sku":"SKU-0000000000000003","location":"STORE-17","qty":5}],"ttlSeconds":600,"reference":"cart-8d1f"}"#
        ),
    ].map { ($0.0, Array($0.1.utf8)) }

    static func rows(harness: Harness) -> [Row] {
        bodies.map { name, body in
            let samples = harness.measure(threads: 1) { _, deadline in
                body.withUnsafeBytes { raw in repeatUntil(deadline) { decode(raw) } }
            }
            let rate = median(samples)
            return Row(
                name: "hold body decode (\(name))", unit: "decodes/s", engine: rate, baseline: nil,
                note: "\(Int((1e9 / rate).rounded())) ns/decode")
        }
    }

    /// Exactly `count` decodes of each body, or of `bodies[only]`.
    static func run(count: Int, body only: Int?) {
        for (i, (_, body)) in bodies.enumerated() where only == nil || only == i {
            body.withUnsafeBytes { raw in for _ in 0..<count { decode(raw) } }
        }
    }

    @inline(never)
    private static func decode(_ body: UnsafeRawBufferPointer) {
        let request = try! ReservationRequest(body: body)
        precondition(!request.lines.isEmpty)
    }
}
