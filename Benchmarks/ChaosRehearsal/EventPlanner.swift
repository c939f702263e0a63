import ATPLoad

/// Makes up the stock events of one sender (an HTTP worker or the stream feeder): fresh events,
/// exact repeats of acknowledged ones (same id, same body), and out-of-order ones (a fresh id
/// whose `seq` is below one already durable for its source and cell).
///
/// Fresh `adjust` events come from the sender's warehouse source with even `seq`s, increasing
/// per cell; an out-of-order event takes the odd `seq` just below the highest durable one, so
/// it is stale whatever else happened. `sale`/`return` events come from the sender's till
/// source without `seq`; scarce cells only ever get `return`s (replenishment).
///
/// Thread-safety: owned by one thread. Complexity: O(1) per event.
struct EventPlanner {
    let catalogue: Catalogue
    let prefix: String
    let warehouse: String
    let till: String
    private var counter = 0
    private var nextSeq: [Cell: Int] = [:]
    /// Highest `seq` of this sender known durable per cell.
    private var durableSeq: [Cell: Int] = [:]
    /// Events acknowledged so far: what duplicates repeat.
    private var acknowledged: [EventRecord] = []

    init(catalogue: Catalogue, prefix: String, warehouse: String, till: String) {
        self.catalogue = catalogue
        self.prefix = prefix
        self.warehouse = warehouse
        self.till = till
    }

    private mutating func freshID() -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    /// A fresh event: a replenishment of a scarce cell (1 in 10 when `replenish`: slower than
    /// the holds take units, so scarce cells keep selling out), a till sale or return, or a
    /// warehouse adjustment with the cell's next `seq`.
    mutating func fresh(_ random: inout RandomSource, replenish: Bool = true) -> EventRecord {
        let id = freshID()
        if replenish && random.below(10) == 0 {
            let cell = catalogue.scarceCells[random.below(catalogue.scarceCells.count)]
            return EventRecord(
                id: id, source: till, type: "return", cell: cell, delta: random.int(in: 1...2), intent: .new)
        }
        let cell = catalogue.eventCells[random.below(catalogue.eventCells.count)]
        if random.below(3) == 0 {
            let qty = random.int(in: 1...3)
            let sale = random.below(2) == 0
            return EventRecord(
                id: id, source: till, type: sale ? "sale" : "return", cell: cell, delta: sale ? -qty : qty,
                intent: .new)
        }
        let seq = nextSeq[cell, default: 0] + 2
        nextSeq[cell] = seq
        var delta = random.int(in: -4...5)
        if delta == 0 { delta = 6 }
        return EventRecord(
            id: id, source: warehouse, seq: seq, type: "adjust", cell: cell, delta: delta, intent: .new)
    }

    /// An exact repeat of an acknowledged event, or nil when there is none yet.
    func duplicate(_ random: inout RandomSource) -> EventRecord? {
        guard !acknowledged.isEmpty else { return nil }
        var copy = acknowledged[random.below(acknowledged.count)]
        copy.intent = .duplicate
        copy.fate = .unknown
        copy.asDesigned = nil
        copy.resentAnswer = nil
        return copy
    }

    /// A fresh event whose `seq` is below a durable one of its cell, or nil when no cell has one.
    mutating func outOfOrder(_ random: inout RandomSource) -> EventRecord? {
        let ready = durableSeq.filter { $0.value >= 2 }.keys.sorted()
        guard !ready.isEmpty else { return nil }
        let cell = ready[random.below(ready.count)]
        return EventRecord(
            id: freshID(), source: warehouse, seq: durableSeq[cell]! - 1, type: "adjust", cell: cell,
            delta: random.int(in: 1...9), intent: .stale)
    }

    /// Notes a fresh event as acknowledged (a candidate for repeats).
    mutating func acknowledged(_ event: EventRecord) {
        guard event.intent == .new else { return }
        acknowledged.append(event)
    }

    /// Notes that `event`'s `seq` is durable in atpd (applied and acknowledged).
    mutating func durable(_ event: EventRecord) {
        guard event.intent == .new, event.source == warehouse, let seq = event.seq else { return }
        durableSeq[event.cell] = max(durableSeq[event.cell] ?? 0, seq)
    }
}
