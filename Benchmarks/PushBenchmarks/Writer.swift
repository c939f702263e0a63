import ATPHTTP
import ATPPosix
import Foundation
import Glibc

/// The background writer of part 2 (`PushBenchmarks writer`): `POST /v1/events` at a steady rate
/// on one keep-alive connection, `set` events on random skus `SKU-000001..` at DC1 with quantities
/// that never reach 0 (so no channel sees a zero crossing), until `seconds` have passed or
/// SIGTERM/SIGINT arrives. Prints one summary line: events sent, posts, non-200 answers, errors.
struct Writer {
    struct Options {
        var port: UInt16 = 0
        var rate = 1_000.0
        var batch = 50
        var skus = 10_000
        var seconds = 10.0
        var tag = "w"
    }

    nonisolated(unsafe) static var stopRequested: sig_atomic_t = 0

    static func run(_ o: Options) throws {
        guard o.port != 0 else { throw BenchmarkError("writer: --port is required") }
        signal(SIGTERM) { _ in Writer.stopRequested = 1 }
        signal(SIGINT) { _ in Writer.stopRequested = 1 }
        let address = SocketAddress.loopback(port: o.port)
        let client = HTTPClient(readTimeoutMilliseconds: 10_000, maxIdlePerHost: 1)
        var random = SystemRandomNumberGenerator()
        let run = String(UInt32.random(in: 0...UInt32.max, using: &random), radix: 36)
        let postsPerSecond = o.rate / Double(o.batch)
        let start = monotonicMicros()
        let end = start + Int64(o.seconds * 1e6)
        var posts = 0
        var events = 0
        var bad = 0
        var errors = 0
        var late: Int64 = 0
        while stopRequested == 0 {
            let now = monotonicMicros()
            if now >= end { break }
            let dueAt = start + Int64(Double(posts) / postsPerSecond * 1e6)
            if dueAt > now {
                usleep(UInt32(min(dueAt - now, 100_000)))
                continue
            }
            late = max(late, now - dueAt)
            var body = #"{"events":["#
            for i in 0..<o.batch {
                if i > 0 { body += "," }
                let sku = Int.random(in: 1...o.skus, using: &random)
                let qty = Int.random(in: 500_000...999_999, using: &random)
                let digits = String(sku)
                let name = "SKU-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
                body +=
                    #"{"id":"\#(o.tag)-\#(run)-\#(events + i)","type":"set","sku":"\#(name)","location":"DC1","qty":\#(qty)}"#
            }
            body += "]}"
            posts += 1
            events += o.batch
            do throws(HTTPClientError) {
                let response = try client.send(
                    HTTPClientRequest(method: .post, path: "/v1/events", json: Array(body.utf8)), to: address)
                if response.status != 200 { bad += 1 }
            } catch {
                errors += 1
            }
        }
        let elapsed = Double(monotonicMicros() - start) / 1e6
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        let cpu =
            Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        emit(
            "writer: events=\(events) posts=\(posts) non200=\(bad) errors=\(errors) seconds=\(fmt(elapsed, 2)) events_per_s=\(fmt(Double(events) / elapsed, 0)) max_late_ms=\(fmt(Double(late) / 1000, 1)) cpu_s=\(fmt(cpu, 3))"
        )
    }
}
