import ATPEngine
import ATPHTTP
import ATPPosix
import ATPTestExpectations
import ATPTestSupport
import ATPUtilities
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import ATPService

/// The race of the issue: many connections holding the last units of one sku at once must never
/// oversell.
@Suite struct HoldRaceTests {
    /// What the racers saw, shared between their threads.
    final class Tally: Sendable {
        struct State {
            var ids: [String] = []
            var refused = 0
            /// Anything that is neither a 201 nor a 409 `insufficient_stock`, or a transport error.
            var unexpected: [String] = []
            var attemptsPerConnection: [Int] = []
        }
        let state = Locked(State())
    }

    static let units = 100
    static let racers = 64

    @Test(.timeLimit(.minutes(2))) func exactlyTheUnitsOnHandAreHeld() throws {
        let harness = try ServiceHarness { $0.threads = 4 }
        try harness.seed("HOT", "DC1", Int64(Self.units))
        let tally = Tally()
        let body = #"{"lines":[{"sku":"HOT","location":"DC1","qty":1}],"reference":"race"}"#
        let request = ServiceHarness.requestText("POST", "/v1/reservations", body: body, token: Tokens.shop)

        let ready = DispatchGroup()
        let done = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        let started = MonotonicClock.now()
        for _ in 0..<Self.racers {
            ready.enter()
            done.enter()
            JoinableThread(name: "hold-racer") {
                defer { done.leave() }
                let connection: RawConnection
                do {
                    connection = try harness.connect(timeoutMilliseconds: 10_000)
                } catch {
                    ready.leave()
                    tally.state.withLock { $0.unexpected.append("connect: \(error)") }
                    return
                }
                ready.leave()
                start.wait()
                var attempts = 0
                // Each connection stops at its first refusal (and can never need more than
                // units + 1 attempts).
                while attempts <= Self.units {
                    attempts += 1
                    do {
                        try connection.send(request)
                        let response = try connection.readResponse()
                        let object = try? response.json()
                        if response.status == 201, let id = object?["id"] as? String {
                            tally.state.withLock { $0.ids.append(id) }
                            continue
                        }
                        if response.status == 409, object?["code"] as? String == "insufficient_stock" {
                            tally.state.withLock { $0.refused += 1 }
                        } else {
                            tally.state.withLock {
                                $0.unexpected.append("\(response.status) \(response.text)")
                            }
                        }
                    } catch {
                        tally.state.withLock { $0.unexpected.append("transport: \(error)") }
                    }
                    break
                }
                tally.state.withLock { $0.attemptsPerConnection.append(attempts) }
            }.detach()  // waited for on `done`, with a time limit
        }
        ready.wait()
        for _ in 0..<Self.racers { start.signal() }
        let finished = done.wait(timeout: .now() + 60)
        let elapsed = Double(MonotonicClock.now() - started) / 1e9
        try #require(finished == .success, "the racers did not finish within 60 s")
        #expect(elapsed < 60)

        let state = tally.state.withLock { $0 }
        #expect(state.unexpected.isEmpty, "\(state.unexpected.prefix(5))")
        #expect(state.ids.count == Self.units, "exactly \(Self.units) holds succeed")
        #expect(Set(state.ids).count == state.ids.count, "every hold has its own id")
        #expect(state.refused == Self.racers, "every connection ends with one insufficient_stock")
        #expect(state.attemptsPerConnection.count == Self.racers)
        #expect(state.attemptsPerConnection.reduce(0, +) == Self.units + Self.racers)

        #expect(try harness.available("HOT") == 0)
        let cell = try #require(try harness.cell("HOT", "DC1"))
        #expect(cell["reserved"] as? Int == Self.units)
        #expect(cell["onHand"] as? Int == Self.units)
        #expect(cell["available"] as? Int == 0)
        #expect(try harness.metric(#"atpd_holds_total{result="granted"}"#) == Self.units)
        #expect(try harness.metric(#"atpd_holds_total{result="refused"}"#) == Self.racers)
        #expect(try harness.metric(#"atpd_reservations{status="held"}"#) == Self.units)
        #expect(
            try harness.metric(#"atpd_http_requests_total{route="/v1/reservations",status="201"}"#)
                == Self.units)
        #expect(
            try harness.metric(#"atpd_http_requests_total{route="/v1/reservations",status="409"}"#)
                == Self.racers)

        // Releasing one frees exactly one unit for the next buyer.
        let first = try #require(state.ids.first)
        #expect(try harness.request("POST", "/v1/reservations/\(first)/release").status == 200)
        #expect(try harness.available("HOT") == 1)
        #expect(try harness.hold([("HOT", "DC1", 1)]).status == 201)
        expectProblem(try harness.hold([("HOT", "DC1", 1)]), 409, "insufficient_stock")
    }

    /// Runs `body(i)` on `count` threads that start together; false when they did not all finish
    /// within `seconds`.
    static func race(_ count: Int, seconds: Double = 60, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
        let done = DispatchGroup()
        let ready = DispatchGroup()
        let start = DispatchSemaphore(value: 0)
        for i in 0..<count {
            done.enter()
            ready.enter()
            JoinableThread(name: "racer-\(i)") {
                ready.leave()
                start.wait()
                body(i)
                done.leave()
            }.detach()  // waited for on `done`, with a time limit
        }
        ready.wait()
        for _ in 0..<count { start.signal() }
        return done.wait(timeout: .now() + seconds) == .success
    }

    @Test(.timeLimit(.minutes(2))) func concurrentRetriesWithOneIdempotencyKeyHoldOnce() throws {
        let harness = try ServiceHarness { $0.threads = 4 }
        try harness.seed("HOT", "DC1", 100)
        let request = ServiceHarness.requestText(
            "POST", "/v1/reservations", body: #"{"lines":[{"sku":"HOT","location":"DC1","qty":3}]}"#,
            headers: [("Idempotency-Key", "checkout-42")], token: Tokens.shop)
        let tally = Tally()
        let collected = Collected()
        #expect(
            Self.race(32) { _ in
                do {
                    let connection = try harness.connect(timeoutMilliseconds: 10_000)
                    try connection.send(request)
                    collected.append(try connection.readResponse())
                } catch {
                    tally.state.withLock { $0.unexpected.append("transport: \(error)") }
                }
            })
        let responses = collected.all
        #expect(tally.state.withLock { $0.unexpected }.isEmpty)
        #expect(responses.count == 32)
        let created = responses.filter { $0.status == 201 }
        let busy = responses.filter { $0.status == 409 }
        #expect(created.count + busy.count == 32, "\(responses.map(\.status))")
        #expect(created.count >= 1)
        #expect(Set(created.map(\.body)).count == 1, "every 201 is the one reservation")
        #expect(created.filter { $0.header("Idempotent-Replayed") == nil }.count == 1, "one original answer")
        for response in busy { expectProblem(response, 409, "idempotency_in_progress") }
        #expect(try harness.available("HOT") == 97, "held once")
        #expect(try harness.metric(#"atpd_holds_total{result="granted"}"#) == 1)
    }

    @Test(.timeLimit(.minutes(2))) func racingTransitionsMoveEachReservationOnce() throws {
        let harness = try ServiceHarness { $0.threads = 4 }
        let count = 20
        try harness.seed("HOT", "DC1", Int64(count))
        let ids = try (0..<count).map { _ in
            try #require(try harness.hold([("HOT", "DC1", 1)]).json()["id"] as? String)
        }
        let tally = Tally()
        let collected = Collected()
        #expect(
            Self.race(8) { t in
                do {
                    let connection = try harness.connect(timeoutMilliseconds: 10_000)
                    for (i, id) in ids.enumerated() {
                        let transition = (t + i) % 2 == 0 ? "release" : "fulfill"
                        try connection.send(
                            ServiceHarness.requestText(
                                "POST", "/v1/reservations/\(id)/\(transition)", token: Tokens.shop))
                        var response = try connection.readResponse()
                        response.headers.append((name: "X-Test-Transition", value: "\(id) \(transition)"))
                        collected.append(response)
                    }
                } catch {
                    tally.state.withLock { $0.unexpected.append("transport: \(error)") }
                }
            })
        #expect(tally.state.withLock { $0.unexpected }.isEmpty)
        let responses = collected.all
        #expect(responses.count == 8 * count)
        var fulfilled = 0
        for id in ids {
            let status = try #require(
                try harness.request("GET", "/v1/reservations/\(id)").json()["status"] as? String)
            #expect(status == "released" || status == "fulfilled")
            if status == "fulfilled" { fulfilled += 1 }
            let winner = status == "released" ? "release" : "fulfill"
            for response in responses where response.header("X-Test-Transition")?.hasPrefix(id) == true {
                let transition = response.header("X-Test-Transition")?.split(separator: " ").last.map(
                    String.init)
                if transition == winner {
                    #expect(response.status == 200)
                } else {
                    let problem = expectProblem(response, 409, "invalid_state")
                    #expect(problem["reservationStatus"] as? String == status)
                }
            }
        }
        let cell = try #require(try harness.cell("HOT", "DC1"))
        #expect(cell["reserved"] as? Int == 0)
        #expect(cell["onHand"] as? Int == count - fulfilled)
        #expect(cell["available"] as? Int == count - fulfilled)
    }

    /// Responses collected from many threads.
    final class Collected: Sendable {
        private let responses = Locked<[RawResponse]>([])
        func append(_ response: RawResponse) { responses.withLock { $0.append(response) } }
        var all: [RawResponse] { responses.withLock { $0 } }
    }
}
