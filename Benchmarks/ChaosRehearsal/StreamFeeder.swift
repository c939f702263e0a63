import ATPLoad
import ATPPosix
import ATPStore
import ATPUtilities

/// The warehouse that writes to the Redis stream atpd consumes (`--events-stream`): about 40
/// `XADD`s a second of fresh events, exact repeats of entries Redis acknowledged (the same event
/// id added twice), and out-of-order events.
///
/// An out-of-order event is added only once atpd has acknowledged (`XACK`, so durably applied)
/// the entry with the higher `seq` of its cell: atpd's consumer name changes with every restart
/// and entries a killed consumer left pending are claimed 30 s later, so entries added close
/// together may legitimately be applied in another order.
/// Thread-safety: owned by its thread; `ledger` is read once the thread is joined.
/// Complexity: O(1) per entry.
final class StreamFeeder {
    let group: StreamGroup
    private(set) var ledger = Ledger()
    private var random: RandomSource
    private var planner: EventPlanner
    /// The entry whose `XACK` the next out-of-order event waits for.
    private var awaiting: (entry: String, event: EventRecord)?

    init(group: StreamGroup, catalogue: Catalogue, tag: String, seed: UInt64) {
        self.group = group
        random = RandomSource(seed: seed)
        planner = EventPlanner(
            catalogue: catalogue, prefix: "st-\(tag)-", warehouse: "stream-wms", till: "stream-pos")
    }

    func run(until deadline: Int64, stop: StopFlag) {
        while MonotonicClock.now() < deadline && !stop.isSet {
            step()
            MonotonicClock.sleep(nanoseconds: 25_000_000)
        }
    }

    private func step() {
        if let (entry, event) = awaiting, group.isAcknowledged(entry) {
            planner.durable(event)
            awaiting = nil
            if let late = planner.outOfOrder(&random) { add(late) }
            return
        }
        let roll = random.below(100)
        if roll < 15, let repeated = planner.duplicate(&random) {
            add(repeated)
        } else {
            let event = planner.fresh(&random)
            if let entry = add(event), awaiting == nil, event.seq != nil { awaiting = (entry, event) }
        }
    }

    /// `XADD`s one event; the entry id when Redis acknowledged it.
    @discardableResult
    private func add(_ event: EventRecord) -> String? {
        guard let redis = group.live() else {
            ledger.notSent += 1
            return nil
        }
        let added: StreamRecord.Added
        do {
            let reply = try redis.send(.xadd(group.stream, fields: event.streamFields))
            added = reply.string.map { .acknowledged($0) } ?? .notSent
        } catch {
            added = .unanswered
        }
        if case .notSent = added {
            ledger.notSent += 1
            return nil
        }
        ledger.stream.append(StreamRecord(event: event, added: added))
        guard case .acknowledged(let entry) = added else { return nil }
        planner.acknowledged(event)
        return entry
    }
}
