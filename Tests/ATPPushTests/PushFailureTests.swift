import ATPEngine
import ATPPosix
import ATPTestSupport
import ATPUtilities
import Foundation
import Testing

@testable import ATPPush

/// Failing endpoints: retries with a stable webhook id, Retry-After, timeouts, the breaker, dead
/// letters and replay, 410, and convergence after a restart.
@Suite struct PushFailureTests {
    @Test func serverErrorsThenRecovery() throws {
        let receiver = try WebhookReceiver { i, _ in WebhookReceiver.Answer(status: i < 3 ? 500 : 200) }
        defer { receiver.stop() }
        let h = PushHarness()
        h.set("A", 3)
        h.define("web", url: receiver.url)
        #expect(eventually { h.counters("web")?.sent.load(ordering: .relaxed) == 1 })
        let hits = receiver.hits.withLock { $0 }
        #expect(hits.count == 4)
        #expect(Set(hits.map(\.id)).count == 1, "the same webhook-id on every retry")
        #expect(Set(hits.map { $0.body }).count == 1, "the same body on every retry")
        #expect(h.counters("web")?.failedAttempts.load(ordering: .relaxed) == 3)
        #expect(h.engine.deadLetterCount(channel: "web") == 0)
    }

    @Test func retryAfterPausesThatChannelOnly() throws {
        let throttled = try WebhookReceiver { i, _ in
            WebhookReceiver.Answer(status: i == 0 ? 429 : 204, retryAfter: 1)
        }
        let healthy = try WebhookReceiver()
        defer {
            throttled.stop()
            healthy.stop()
        }
        let h = PushHarness()
        h.set("A", 3)
        h.define("slow", url: throttled.url)
        h.define("fast", url: healthy.url)
        #expect(eventually { throttled.count == 1 && healthy.count >= 1 })
        h.set("A", 4)
        #expect(eventually { healthy.latest["A"] == 4 }, "the other channel is not paused")
        #expect(throttled.count == 1)
        #expect(eventually(within: 3_000) { throttled.latest["A"] == 4 })
        let hits = throttled.hits.withLock { $0 }
        #expect(hits[1].at - hits[0].at >= 950_000, "Retry-After: 1 honoured")
        #expect(hits[1].id == hits[0].id)
        #expect(h.counters("slow")?.throttled.load(ordering: .relaxed) == 1)
        #expect(h.counters("slow")?.failedAttempts.load(ordering: .relaxed) == 0)
    }

    @Test func timeoutIsRetried() throws {
        let receiver = try WebhookReceiver { i, _ in
            WebhookReceiver.Answer(status: 204, delayMilliseconds: i == 0 ? 800 : 0)
        }
        defer { receiver.stop() }
        let h = PushHarness()
        h.set("A", 3)
        h.define("web", url: receiver.url)
        #expect(eventually { h.counters("web")?.sent.load(ordering: .relaxed) == 1 })
        #expect(h.counters("web")?.failedAttempts.load(ordering: .relaxed) == 1)
        let hits = receiver.hits.withLock { $0 }
        #expect(hits.count == 2 && hits[0].id == hits[1].id)
        #expect(hits[1].at - hits[0].at >= 300_000, "the retry follows the 300 ms timeout")
    }

    @Test func breakerOpensThenClosesThroughHalfOpen() throws {
        let receiver = try WebhookReceiver { i, _ in WebhookReceiver.Answer(status: i < 3 ? 500 : 204) }
        defer { receiver.stop() }
        let h = PushHarness()
        h.set("A", 3)
        h.define("web", url: receiver.url) {
            $0.breakerThreshold = 2
            $0.breakerCooldownMilliseconds = 400
        }
        #expect(eventually { h.counters("web")?.breakerLabel == "open" })
        #expect(eventually { h.counters("web")?.sent.load(ordering: .relaxed) == 1 })
        #expect(h.counters("web")?.breakerLabel == "closed")
        let times = receiver.hits.withLock { $0 }.map(\.at)
        #expect(times.count == 4)
        // Two failures open it; the half-open trial (3rd) fails and opens it again; the 4th closes it.
        #expect(times[2] - times[1] >= 380_000 && times[3] - times[2] >= 380_000, "no request while open")
    }

    @Test func deadLettersAreKeptAndReplayedWithCurrentValues() throws {
        let receiver = try WebhookReceiver { _, _ in WebhookReceiver.Answer(status: 500) }
        defer { receiver.stop() }
        let h = PushHarness()
        h.set("A", 3)
        h.define("web", url: receiver.url) { $0.maxAttempts = 3 }
        #expect(eventually { h.engine.deadLetterCount(channel: "web") == 1 })
        let letter = h.engine.deadLetters(channel: "web")[0]
        #expect(letter.attempts == 3 && letter.lastError == "answered 500")
        #expect(letter.updates.map(\.available) == [3])
        #expect(h.journal.withLock { $0 }.contains(.deadLetter(letter)), "persisted through the journal")
        #expect(receiver.count == 3)
        #expect(h.counters("web")?.deadLettered.load(ordering: .relaxed) == 1)

        receiver.setPolicy { _, _ in WebhookReceiver.Answer(status: 204) }
        h.set("A", 5, at: "DC2")  // A is now 8; replay must send that, not the stale 3
        #expect(eventually { receiver.latest["A"] == 8 })
        let (letters, record) = h.engine.takeDeadLetters(channel: "web")
        #expect(record != nil)
        let before = receiver.count
        h.push.replay(channel: "web", letters: letters)
        #expect(eventually { receiver.count == before + 1 })
        #expect(receiver.latest["A"] == 8)
    }

    @Test func goneDisablesTheChannelUntilRedefined() throws {
        let receiver = try WebhookReceiver { i, _ in WebhookReceiver.Answer(status: i == 0 ? 410 : 204) }
        defer { receiver.stop() }
        let h = PushHarness()
        h.set("A", 3)
        h.define("web", url: receiver.url)
        #expect(eventually { h.counters("web")?.disabled.load(ordering: .relaxed) == true })
        #expect(h.engine.channel(named: "web")?.view.delivery?.disabled == true)
        #expect(
            h.journal.withLock { $0 }.contains {
                if case .channelDefined(let v) = $0 { v.delivery?.disabled == true } else { false }
            })
        h.set("A", 4)
        MonotonicClock.sleep(milliseconds: 100)
        #expect(receiver.count == 1, "nothing is sent to a disabled channel")
        h.define("web", url: receiver.url)
        #expect(eventually { receiver.latest["A"] == 4 })
    }

    /// The first process pushes some changes and then stops while the endpoint fails; a second
    /// process recovered from the journal brings the receiver to the current availability.
    @Test func restartConverges() throws {
        let receiver = try WebhookReceiver()
        defer { receiver.stop() }
        var journal: [JournalRecord] = []
        do {
            let h = PushHarness()
            for i in 0..<50 { h.set("R\(i)", 10, at: i % 2 == 0 ? "DC1" : "DC2") }
            h.define("web", url: receiver.url, locations: ["DC1"])
            #expect(eventually { receiver.latest.count == 25 })
            receiver.setPolicy { _, _ in WebhookReceiver.Answer(status: 500) }
            for i in 0..<50 { h.set("R\(i)", Int64(i % 3), at: i % 2 == 0 ? "DC1" : "DC2") }
            MonotonicClock.sleep(milliseconds: 50)
            h.push.stop()
            journal = h.journal.withLock { $0 }
        }
        receiver.setPolicy { _, _ in WebhookReceiver.Answer(status: 204) }
        let engine = Engine(clock: ManualClock())
        for record in journal { engine.replay(try JournalRecord.decode(record.encoded)) }
        engine.finishReplay()
        let h2 = PushHarness(engine: engine)
        let expected = Dictionary(
            uniqueKeysWithValues: stride(from: 0, to: 50, by: 2).map { ("R\($0)", Int64($0 % 3)) })
        #expect(eventually { receiver.latest == expected })
        _ = h2
    }
}
