/// One simulated client: picks a flow from the scenario mix, and walks it one request at a time
/// (hold → confirm → fulfil, ...), recording what succeeded in the thread's `Ledger`.
///
/// Usage: `let op = session.next(&random)`, send it, then `session.complete(outcome, &ledger)`.
/// The operation is reused, so steady state allocates only the ids the server returns.
/// Thread-safety: owned by one load thread. Complexity: O(lines or batch size) per step.
struct Session {
    private enum Plan { case fulfil, release, expire }
    private enum Step { case idle, held, confirmed }

    let spec: ScenarioSpec
    let catalogue: Catalogue
    let zipf: ZipfSampler
    /// Prefix of reservation and event ids this session makes up (Redis ids, event ids).
    let idPrefix: String
    /// Hold TTL for reservations that must outlive the run.
    let longTTL: Int
    private let weights: [Int]
    private let totalWeight: Int
    private(set) var operation = Operation()
    private var step = Step.idle
    private var plan = Plan.fulfil
    private var flow = ScenarioSpec.Flow.browse
    private var counter = 0

    init(spec: ScenarioSpec, catalogue: Catalogue, zipf: ZipfSampler, idPrefix: String, longTTL: Int) {
        self.spec = spec
        self.catalogue = catalogue
        self.zipf = zipf
        self.idPrefix = idPrefix
        self.longTTL = longTTL
        weights = spec.mix.map(\.weight)
        totalWeight = weights.reduce(0, +)
        operation.eventPrefix = idPrefix + "e"
    }

    /// The next request of this client.
    mutating func next(_ random: inout RandomSource) -> Operation {
        switch step {
        case .held:
            operation.kind = plan == .release ? .release : .confirm
        case .confirmed:
            operation.kind = .fulfil
        case .idle:
            flow = pickFlow(&random)
            switch flow {
            case .browse: planBrowse(&random)
            case .checkout: planHold(&random, flash: false)
            case .flashSale: planHold(&random, flash: true)
            case .warehouse: planEvents(&random)
            }
        }
        return operation
    }

    /// Records the answer to the operation `next` returned and advances the flow.
    mutating func complete(_ outcome: Outcome, ledger: inout Ledger) {
        let ok = outcome.status >= 200 && outcome.status < 300
        switch operation.kind {
        case .availability:
            step = .idle
        case .events:
            for event in operation.events {
                ledger.touched(cell: catalogue.regularCell(sku: event.sku, location: event.location))
            }
            step = .idle
        case .hold:
            if ok {
                ledger.holdSucceeded(operation.lines, mustStayLive: plan != .expire)
                if let id = outcome.reservationID { operation.reservationID = id }
                step = plan == .expire ? .idle : .held
            } else {
                if outcome.isAmbiguous {
                    ledger.holdAmbiguous(operation.lines)
                } else {
                    ledger.holdRejected()
                }
                step = .idle
            }
        case .confirm:
            step = ok ? .confirmed : .idle  // a failed confirm leaves the hold live (long TTL)
        case .fulfil, .release:
            // A definite refusal (4xx) changed nothing: the units stay held and live.
            if ok || outcome.isAmbiguous {
                ledger.finished(
                    operation.lines, fulfilled: operation.kind == .fulfil, succeeded: ok, wasLive: true)
            }
            step = .idle
        }
    }

    private func pickFlow(_ random: inout RandomSource) -> ScenarioSpec.Flow {
        if weights.count == 1 { return spec.mix[0].flow }
        var r = random.below(totalWeight)
        for (i, w) in weights.enumerated() {
            if r < w { return spec.mix[i].flow }
            r -= w
        }
        return spec.mix[0].flow
    }

    private mutating func planBrowse(_ random: inout RandomSource) {
        operation.kind = .availability
        operation.skus.removeAll(keepingCapacity: true)
        let n = random.int(in: spec.batchMin...spec.batchMax)
        for _ in 0..<n { operation.skus.append(zipf.sample(&random)) }
    }

    private mutating func planHold(_ random: inout RandomSource, flash: Bool) {
        operation.kind = .hold
        operation.lines.removeAll(keepingCapacity: true)
        counter += 1
        operation.reservationID = idPrefix + "r" + String(counter)
        if flash {
            let f = random.below(catalogue.flashSkus)
            operation.lines.append(
                .init(
                    cell: catalogue.flashCell(f), sku: catalogue.regularSkus + f,
                    location: 0, qty: 1))
            plan = .fulfil
        } else {
            let n = random.int(in: 1...min(spec.linesMax, catalogue.regularSkus * catalogue.locations))
            while operation.lines.count < n {
                let sku = zipf.sample(&random)
                let location = random.below(catalogue.locations)
                let cell = catalogue.regularCell(sku: sku, location: location)
                if operation.lines.contains(where: { $0.cell == cell }) { continue }
                operation.lines.append(
                    .init(
                        cell: cell, sku: sku, location: location,
                        qty: random.int(in: 1...spec.qtyMax)))
            }
            let r = random.unit()
            plan =
                r < spec.releaseShare
                ? .release : r < spec.releaseShare + spec.expireShare ? .expire : .fulfil
        }
        operation.ttlSeconds = plan == .expire ? spec.expireTTLSeconds : longTTL
    }

    private mutating func planEvents(_ random: inout RandomSource) {
        operation.kind = .events
        operation.events.removeAll(keepingCapacity: true)
        operation.eventFirstNumber = counter
        counter += spec.warehouseBatch
        for _ in 0..<spec.warehouseBatch {
            let sku = random.below(catalogue.regularSkus)
            let location = random.below(catalogue.locations)
            let isSet = random.below(2) == 0
            var value = isSet ? random.int(in: 100...10_000) : random.int(in: 1...20)
            if !isSet && random.below(2) == 0 { value = -value }
            operation.events.append(.init(sku: sku, location: location, isSet: isSet, value: value))
        }
    }
}
