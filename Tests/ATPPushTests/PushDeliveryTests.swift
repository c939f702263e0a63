import ATPEngine
import ATPPosix
import ATPTestSupport
import ATPUtilities
import Foundation
import Testing

@testable import ATPPush

/// Deliveries to a real local receiver: signatures, pacing, coalescing, urgency.
@Suite struct PushDeliveryTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    @Test func signedWebhooksVerifyIndependently() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let h = PushHarness()
        h.set("A", 7)
        h.define("web", url: receiver.url) { $0.secret = Self.secret }
        #expect(eventually { receiver.latest["A"] == 7 })
        let hit = receiver.hits.withLock { $0[0] }
        #expect(hit.id.hasPrefix("msg_"))
        let timestamp = try #require(Int64(hit.timestamp))
        #expect(abs(timestamp - Int64(Date().timeIntervalSince1970)) <= 5)
        let signature = try #require(hit.signature)
        #expect(signature.hasPrefix("v1,"))
        let key = Base64.decode(String(Self.secret.dropFirst(6)))!
        #expect(
            WebhookSignature.verify(
                header: signature, key: key, id: hit.id, timestamp: timestamp, body: hit.body))
        #expect(
            !WebhookSignature.verify(
                header: signature, key: key, id: hit.id, timestamp: timestamp + 1, body: hit.body))
        let body = String(decoding: hit.body, as: UTF8.self)
        #expect(
            body.hasPrefix(
                #"{"channel":"web","updates":[{"sku":"A","available":7,"at":"2026-11-18T11:06:40.000Z"}]}"#))

        // An independent implementation: Python's hmac and base64.
        let python = "/usr/bin/python3"
        if FileManager.default.isExecutableFile(atPath: python) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [
                "-c",
                "import sys,hmac,hashlib,base64;k=base64.b64decode(sys.argv[1]);m=sys.stdin.buffer.read();"
                    + "sys.stdout.write('v1,'+base64.b64encode(hmac.new(k,m,hashlib.sha256).digest()).decode())",
                String(Self.secret.dropFirst(6)),
            ]
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            input.fileHandleForWriting.write(Data("\(hit.id).\(hit.timestamp).".utf8) + Data(hit.body))
            try input.fileHandleForWriting.close()
            process.waitUntilExit()
            let expected = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(expected == signature, "python3 hmac disagrees")
        } else {
            // Second code path: HMAC from its definition over SHA256.hash.
            let block = key + [UInt8](repeating: 0, count: 64 - key.count)
            let message = Array("\(hit.id).\(hit.timestamp).".utf8) + hit.body
            let inner = SHA256.hash(block.map { $0 ^ 0x36 } + message)
            #expect("v1," + Base64.encode(SHA256.hash(block.map { $0 ^ 0x5c } + inner)) == signature)
        }
    }

    /// Many changes to few skus: the receiver never sees more than `burst + rate × t` requests in
    /// any window, never more than `burst` at once, and ends with exactly the latest values.
    @Test func rateIsNeverExceededAndOnlyLatestValuesArrive() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let h = PushHarness()
        let skus = 300
        for i in 0..<skus { h.set("S\(i)", 5) }
        let rate = 20.0
        let burst = 3
        h.define("market", url: receiver.url) {
            $0.ratePerSecond = rate
            $0.burst = burst
            $0.maxBatch = 25
        }
        var random = SystemRandomNumberGenerator()
        let end = MonotonicClock.deadline(afterMilliseconds: 1_500)
        var changes = 0
        while MonotonicClock.now() < end {
            for _ in 0..<200 {
                h.set(
                    "S\(Int.random(in: 0..<skus, using: &random))", Int64.random(in: 0...20, using: &random))
                changes += 1
            }
            MonotonicClock.sleep(milliseconds: 1)
        }
        #expect(changes > 10_000)
        let expected = Dictionary(
            uniqueKeysWithValues: (0..<skus).map { ("S\($0)", h.engine.available(sku: "S\($0)")) })
        #expect(
            eventually(within: 15_000) { receiver.latest == expected },
            "the receiver converges on the latest values")
        let hits = receiver.hits.withLock { $0 }
        let times = hits.map(\.at)
        for (i, start) in times.enumerated() {
            for window in [250_000, 1_000_000] as [Int64] {
                let inWindow = times[i...].prefix { $0 - start < window }.count
                // +1: arrival jitter.
                let allowed = burst + Int((rate * Double(window) / 1e6).rounded(.up)) + 1
                #expect(inWindow <= allowed, "\(inWindow) requests within \(window) µs")
            }
        }
        #expect(receiver.maxInFlight.load(ordering: .relaxed) <= burst)
        for hit in hits {
            #expect(Set(hit.updates.map(\.sku)).count == hit.updates.count, "one update per sku")
        }
        let updates = hits.reduce(0) { $0 + $1.updates.count }
        #expect(updates < changes / 2, "coalescing: \(updates) updates for \(changes) changes")
    }

    /// A backlog is waiting; a stock-out and a back-in-stock jump ahead of it.
    @Test func stockOutAndBackInStockJumpTheQueue() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        let h = PushHarness()
        for i in 0..<60 { h.set("B\(i)", 10) }
        h.set("OUT", 4)
        h.set("BACK", 0)
        h.define("slow", url: receiver.url) {
            $0.ratePerSecond = 8
            $0.burst = 1
            $0.maxBatch = 5
        }
        // Let the resync (62 skus, 13 requests at 8/s) finish.
        #expect(
            eventually(within: 10_000) {
                receiver.latest.count == 62 && h.counters("slow")?.pending.load(ordering: .relaxed) == 0
            })
        let before = receiver.count
        for i in 0..<60 { h.set("B\(i)", 9) }  // 12 requests of backlog
        MonotonicClock.sleep(milliseconds: 20)
        h.set("OUT", 0)
        h.set("BACK", 3)
        #expect(
            eventually(within: 10_000) {
                receiver.latest["B59"] == 9 && receiver.latest["OUT"] == 0 && receiver.latest["BACK"] == 3
            })
        let hits = Array(receiver.hits.withLock { $0 }[before...])
        let urgentAt = hits.firstIndex { hit in hit.updates.contains { $0.sku == "OUT" } }
        let backAt = hits.firstIndex { hit in hit.updates.contains { $0.sku == "BACK" } }
        #expect(
            (urgentAt ?? 99) <= 2 && (backAt ?? 99) <= 2,
            "urgent updates in request \(urgentAt ?? -1)/\(backAt ?? -1) of \(hits.count)")
        #expect(hits.count >= 12)
    }
}
