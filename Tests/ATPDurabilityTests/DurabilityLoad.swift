import ATPHTTP
import ATPPosix
import ATPTestSupport
import ATPUtilities
import Dispatch
import Foundation
import Synchronization

/// A (sku, location) cell of the load.
struct CellKey: Hashable, Comparable, CustomStringConvertible, Sendable {
    var sku: String
    var location: String

    static func < (a: Self, b: Self) -> Bool { (a.sku, a.location) < (b.sku, b.location) }
    var description: String { "\(sku)@\(location)" }
}

/// How a mutation of the load was answered.
enum LoadOutcome: Sendable, Equatable {
    /// 201 (a hold, with its id) or 200 with every event applied.
    case acknowledged(id: String?)
    /// Sent, never answered: the connection broke (atpd was killed) — it may or may not have
    /// taken effect.
    case unanswered
    /// 503 `store_unavailable`, which must have changed nothing; `retryAfter` says whether the
    /// answer carried `Retry-After`.
    case unavailable(retryAfter: Bool)
    /// Anything else: always a test failure.
    case unexpected(String)
}

/// One hold of one unit, sent with its own `Idempotency-Key`.
struct HoldAttempt: Sendable {
    var key: String
    var cell: CellKey
    var outcome = LoadOutcome.unanswered
    /// Monotonic milliseconds just before the request was written, and when the answer had
    /// arrived (0: none).
    var sentAt: Int64 = 0
    var answeredAt: Int64 = 0
}

/// One `adjust` event of a batch.
struct LoadEvent: Sendable {
    var id: String
    var cell: CellKey
    var delta: Int

    var json: [String: Any] {
        ["id": id, "type": "adjust", "sku": cell.sku, "location": cell.location, "delta": delta]
    }
}

/// One `POST /v1/events` of the load: a batch of events with fresh ids.
struct EventAttempt: Sendable {
    var events: [LoadEvent]
    var outcome = LoadOutcome.unanswered
    var sentAt: Int64 = 0
    var answeredAt: Int64 = 0
}

/// What the load should do.
struct LoadPlan: Sendable {
    var port: UInt16
    var cells: [CellKey]
    var workers = 8
    /// Requests per worker at most.
    var maxRequests = 400
    /// Each worker stops after this long at most.
    var milliseconds: Int64 = 3_000
    /// A unique tag in every id and key, so that runs never collide.
    var tag: String
    /// How long a worker waits for an answer before it gives up (and stops).
    var timeoutMilliseconds: Int32 = 10_000
    /// Pause after a 503, so that an outage does not turn into a busy loop.
    var pauseAfterUnavailableMilliseconds: UInt32 = 20
}

/// Client threads (one keep-alive connection each) sending holds and event batches to atpd and
/// recording every answer, until the plan's bound, `stop()`, or the connection breaks.
///
/// Thread-safety: `start`, `stop` and `join` from the test's thread; workers record under a mutex.
final class LoadRun: Sendable {
    let plan: LoadPlan
    private let holds = Locked<[HoldAttempt]>([])
    private let batches = Locked<[EventAttempt]>([])
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchGroup()
    /// Transport errors other than the expected "atpd went away".
    private let failures = Locked<[String]>([])

    init(_ plan: LoadPlan) { self.plan = plan }

    func start() {
        for worker in 0..<plan.workers {
            done.enter()
            JoinableThread(name: "load-\(worker)") { [self] in
                defer { done.leave() }
                run(worker)
            }.detach()  // `join` waits on `done`, with a time limit
        }
    }

    func stop() { stopping.store(true, ordering: .relaxed) }

    /// Waits for every worker (at most `milliseconds`); false if one is still running.
    func join(milliseconds: Int = 15_000) -> Bool {
        done.wait(timeout: .now() + .milliseconds(milliseconds)) == .success
    }

    var holdAttempts: [HoldAttempt] { holds.withLock { $0 } }
    var eventAttempts: [EventAttempt] { batches.withLock { $0 } }
    var transportFailures: [String] { failures.withLock { $0 } }

    /// Mutations acknowledged so far, or only those answered after `time` (monotonic ms).
    func acknowledged(after time: Int64 = 0) -> Int {
        holds.withLock { $0.filter { $0.outcome.isAcknowledged && $0.answeredAt > time }.count }
            + batches.withLock { $0.filter { $0.outcome.isAcknowledged && $0.answeredAt > time }.count }
    }

    /// Mutations answered 503 after `time` (monotonic ms).
    func unavailable(after time: Int64) -> Int {
        holds.withLock { $0.filter { $0.outcome.isUnavailable && $0.answeredAt > time }.count }
            + batches.withLock { $0.filter { $0.outcome.isUnavailable && $0.answeredAt > time }.count }
    }

    private func run(_ worker: Int) {
        var random = SeededGenerator(seed: UInt64(worker) &* 7_919 &+ 17)
        let deadline = AtpdProcess.now() + plan.milliseconds
        guard
            let connection = try? RawConnection(
                port: plan.port, timeoutMilliseconds: plan.timeoutMilliseconds)
        else {
            failures.withLock { $0.append("worker \(worker): cannot connect") }
            return
        }
        for n in 0..<plan.maxRequests {
            if stopping.load(ordering: .relaxed) || AtpdProcess.now() >= deadline { return }
            let answer: RawResponse
            let request: String
            let isHold = n % 2 == 0
            var hold = HoldAttempt(key: "", cell: plan.cells[0])
            var batch = EventAttempt(events: [])
            if isHold {
                hold.key = "hold-\(plan.tag)-\(worker)-\(n)"
                hold.cell = plan.cells[Int.random(in: 0..<plan.cells.count, using: &random)]
                request = requestText(
                    "POST", "/v1/reservations", body: LoadLedger.holdBody(hold.cell, key: hold.key),
                    headers: [("Idempotency-Key", hold.key)], token: nil)
            } else {
                for j in 0..<Int.random(in: 1...3, using: &random) {
                    var delta = Int.random(in: -3...4, using: &random)
                    if delta == 0 { delta = 5 }
                    let cell = plan.cells[Int.random(in: 0..<plan.cells.count, using: &random)]
                    batch.events.append(
                        LoadEvent(id: "ev-\(plan.tag)-\(worker)-\(n)-\(j)", cell: cell, delta: delta))
                }
                let body = (try? AtpdClient.text(["events": batch.events.map(\.json)])) ?? ""
                request = requestText("POST", "/v1/events", body: body, token: nil)
            }
            (hold.sentAt, batch.sentAt) = (AtpdProcess.now(), AtpdProcess.now())
            do {
                try connection.send(request)
                answer = try connection.readResponse()
            } catch {
                // atpd went away with this request in flight: it stays unanswered.
                if isHold {
                    holds.withLock { $0.append(hold) }
                } else {
                    batches.withLock { $0.append(batch) }
                }
                return
            }
            let outcome = Self.classify(answer, isHold: isHold, events: batch.events.count)
            if isHold {
                hold.outcome = outcome
                hold.answeredAt = AtpdProcess.now()
                holds.withLock { $0.append(hold) }
            } else {
                batch.outcome = outcome
                batch.answeredAt = AtpdProcess.now()
                batches.withLock { $0.append(batch) }
            }
            if case .unavailable = outcome {
                MonotonicClock.sleep(milliseconds: Int64(plan.pauseAfterUnavailableMilliseconds))
            }
            if answer.header("Connection")?.lowercased() == "close" { return }
        }
    }

    private static func classify(_ answer: RawResponse, isHold: Bool, events: Int) -> LoadOutcome {
        if isHold, answer.status == 201, let id = (try? answer.json())?["id"] as? String {
            return .acknowledged(id: id)
        }
        if !isHold, answer.status == 200, let counts = try? EventCounts(answer),
            counts == EventCounts(applied: events)
        {
            return .acknowledged(id: nil)
        }
        if answer.status == 503, (try? answer.json())?["code"] as? String == "store_unavailable" {
            return .unavailable(retryAfter: answer.header("Retry-After") != nil)
        }
        return .unexpected("\(answer.status) \(answer.text)")
    }
}

extension LoadOutcome {
    var isAcknowledged: Bool {
        if case .acknowledged = self { true } else { false }
    }
    var isUnavailable: Bool {
        if case .unavailable = self { true } else { false }
    }
    /// Unanswered: it may or may not take effect (a 503 must not).
    var isUncertain: Bool { self == .unanswered }
    var holdID: String? {
        if case .acknowledged(let id) = self { id } else { nil }
    }
}
