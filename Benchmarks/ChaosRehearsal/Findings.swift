import ATPTestSupport

/// Everything the rehearsal learnt, from the load to the read-back: what `Checks` judges and
/// `Summary` counts.
///
/// Thread-safety: a value type, built on the main thread after the load threads are joined.
struct Findings {
    var catalogue: Catalogue
    var ledger = Ledger()
    var faults: FaultLog
    /// The stock after the re-sends (nil: atpd did not answer).
    var stock: [Cell: CellFigures]?
    /// Each held hold (first answer or re-send) with its status read back by id.
    var holdStatuses: [(hold: HoldRecord, status: String)] = []
    /// Every applied HTTP event sent again by id, and the answer (`duplicate` expected).
    var eventProbes: [(event: EventRecord, answer: String)] = []
    /// Stream events (fresh and out-of-order) sent by id over HTTP once the stream drained.
    var streamProbes: [(event: EventRecord, answer: String)] = []
    /// Stream entries whose `XADD` went unanswered and were added again.
    var streamReAdded = 0
    var drained = false
    var drainSeconds = 0.0
    var samples = 0
    var sampleViolations: [String] = []
    var convergence: Convergence.Result?
    var convergeLimit = 0
    /// Load threads that did not stop in time.
    var stuckThreads = false

    init(catalogue: Catalogue, faults: FaultLog) {
        self.catalogue = catalogue
        self.faults = faults
    }

    /// Every HTTP event and every probed stream event whose effect is in on-hand.
    var appliedEvents: [EventRecord] {
        (ledger.events + streamProbes.map(\.event)).filter { $0.fate == .applied }
    }

    /// On-hand every cell should show: its seed plus every applied event's delta.
    var expectedOnHand: [Cell: Int] {
        var expected = Dictionary(uniqueKeysWithValues: catalogue.cells.map { ($0, catalogue.initial($0)) })
        for event in appliedEvents { expected[event.cell, default: 0] += event.delta }
        return expected
    }

    /// Units held per cell by the holds that took effect.
    var heldUnits: [Cell: Int] {
        ledger.holds.filter(\.isHeld).reduce(into: [:]) { $0[$1.cell, default: 0] += 1 }
    }
}
