import ATPEngine
import ATPHTTP

/// What the dispatcher knows about one channel: what the receiver has, what is pending, what is
/// in flight, and its pacing (token bucket), breaker and pause.
///
/// Coalescing: `pending` holds one entry per sku, the latest value only. `sent[sku]` is the value
/// the receiver has or is being sent (`unknown` after a dead letter or a resync, 0 for skus never
/// sent: an unknown sku's availability is 0). A change back to `sent[sku]` drops the pending
/// entry. A sku is in at most one outstanding delivery, so the receiver never sees an older
/// value after a newer one; a change to a sku in flight waits ("parked") until that delivery ends.
/// Urgency: a pending value that crosses zero relative to `sent` goes to the urgent queue, which
/// batches drain first.
/// Thread-safety: owned by the dispatcher thread alone.
/// - Complexity: memory O(skus) per channel (8 bytes a sku) plus O(pending).
final class ChannelPushState {
    static let unknown = Int64.min

    struct Pending {
        var value: Int64
        var at: Timestamp
        /// Monotonic microseconds when the first unsent change was seen.
        var since: Int64
        var urgent: Bool
        /// Matches the queue entry that is current; 0 = parked (in no queue).
        var ticket: UInt64
    }

    let name: String
    /// The definition this state was made for (`delivery.disabled` follows 410s and re-enables).
    var view: ChannelView
    let delivery: ChannelDelivery
    let compiled: CompiledChannel
    let endpoint: HTTPEndpoint
    let key: [UInt8]?
    let counters: PushChannelCounters
    var bucket: TokenBucket
    var breaker: CircuitBreaker
    var pausedUntil: Int64 = 0
    var disabled: Bool

    private(set) var sent: [Int64] = []
    private(set) var pending: [UInt32: Pending] = [:]
    private var urgentQueue = TicketQueue()
    private var normalQueue = TicketQueue()
    private var nextTicket: UInt64 = 1
    var inFlightSkus: Set<UInt32> = []
    var inFlight: [String: Delivery] = [:]
    var retries: [Delivery] = []

    init(
        view: ChannelView, compiled: CompiledChannel, endpoint: HTTPEndpoint, counters: PushChannelCounters,
        now: Int64
    ) {
        let delivery = view.delivery!
        name = view.name
        self.view = view
        self.delivery = delivery
        self.compiled = compiled
        self.endpoint = endpoint
        key = delivery.secretKey
        self.counters = counters
        bucket = TokenBucket(delivery, now: now)
        breaker = CircuitBreaker(delivery)
        disabled = delivery.disabled
    }

    /// Skus pending or waiting for a retry.
    var pendingCount: Int { pending.count + retries.reduce(0) { $0 + $1.skus.count } }

    /// True when a batch could be built now.
    var hasQueued: Bool { !urgentQueue.isEmpty || !normalQueue.isEmpty }

    func sentValue(_ sku: UInt32) -> Int64 { Int(sku) < sent.count ? sent[Int(sku)] : 0 }

    func setSent(_ sku: UInt32, _ value: Int64) {
        if Int(sku) >= sent.count {
            sent.append(contentsOf: repeatElement(0, count: Int(sku) + 1 - sent.count))
        }
        sent[Int(sku)] = value
    }

    /// True when going from `old` (what the receiver has) to `new` crosses zero.
    static func crossesZero(_ old: Int64, _ new: Int64) -> Bool {
        old == unknown ? new == 0 : (old == 0) != (new == 0)
    }

    /// Notes the channel's current availability `value` of `sku`.
    /// - Complexity: O(1) amortized.
    func observe(_ sku: UInt32, value: Int64, at: Timestamp, now: Int64) {
        let old = sentValue(sku)
        if var p = pending[sku] {
            guard p.value != value else { return }
            if value == old {
                pending[sku] = nil
                return
            }
            p.value = value
            p.at = at
            let urgent = Self.crossesZero(old, value)
            if urgent != p.urgent && p.ticket != 0 {
                p.urgent = urgent
                p.ticket = enqueue(sku, urgent: urgent)
            }
            pending[sku] = p
            return
        }
        guard value != old else { return }
        let urgent = Self.crossesZero(old, value)
        pending[sku] = Pending(
            value: value, at: at, since: now, urgent: urgent, ticket: enqueue(sku, urgent: urgent))
    }

    /// Queues `value` for `sku` whatever the receiver is thought to have (resync, replay).
    func force(_ sku: UInt32, value: Int64, at: Timestamp, now: Int64) {
        setSent(sku, Self.unknown)
        if var p = pending[sku] {
            p.value = value
            p.at = at
            pending[sku] = p
            return
        }
        pending[sku] = Pending(
            value: value, at: at, since: now, urgent: false, ticket: enqueue(sku, urgent: false))
    }

    /// Takes up to `maxBatch` queued skus, urgent ones first, skipping skus in flight (parked
    /// until their delivery ends). Marks the taken ones in flight with their values as sent.
    func takeBatch() -> [(sku: UInt32, pending: Pending)] {
        var out: [(UInt32, Pending)] = []
        while out.count < delivery.maxBatch {
            guard let (sku, ticket) = urgentQueue.pop() ?? normalQueue.pop() else { break }
            guard var p = pending[sku], p.ticket == ticket else { continue }
            if inFlightSkus.contains(sku) {
                p.ticket = 0
                pending[sku] = p
                continue
            }
            pending[sku] = nil
            inFlightSkus.insert(sku)
            setSent(sku, p.value)
            out.append((sku, p))
        }
        return out
    }

    /// Ends `delivery`'s hold on its skus; queues again the ones that changed meanwhile.
    func release(_ delivery: Delivery, deadLettered: Bool) {
        for (sku, update) in zip(delivery.skus, delivery.updates) {
            inFlightSkus.remove(sku)
            if deadLettered && sentValue(sku) == update.available { setSent(sku, Self.unknown) }
            guard var p = pending[sku] else { continue }
            if p.value == sentValue(sku) {
                pending[sku] = nil
                continue
            }
            if p.ticket == 0 {
                p.urgent = Self.crossesZero(sentValue(sku), p.value)
                p.ticket = enqueue(sku, urgent: p.urgent)
                pending[sku] = p
            }
        }
    }

    private func enqueue(_ sku: UInt32, urgent: Bool) -> UInt64 {
        let ticket = nextTicket
        nextTicket += 1
        if urgent { urgentQueue.push(sku, ticket) } else { normalQueue.push(sku, ticket) }
        return ticket
    }
}

/// A FIFO of (sku, ticket) with lazy deletion: stale tickets are skipped by the reader.
/// Thread-safety: a value type. - Complexity: O(1) amortized per operation.
struct TicketQueue {
    private var items: [(UInt32, UInt64)] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func push(_ sku: UInt32, _ ticket: UInt64) { items.append((sku, ticket)) }

    mutating func pop() -> (UInt32, UInt64)? {
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 4096 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }
}
