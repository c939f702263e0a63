import ATPPosix
import ATPTestSupport
import Foundation
import Synchronization

@testable import ATPEngine

/// Runs `body(i)` on `count` new threads (`JoinableThread`) that start together; returns when all
/// have finished.
func runConcurrently(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let ready = DispatchGroup()
    let start = DispatchSemaphore(value: 0)
    let threads = (0..<count).map { i in
        ready.enter()
        return JoinableThread(name: "concurrent-\(i)") {
            ready.leave()
            start.wait()
            body(i)
        }
    }
    ready.wait()
    for _ in 0..<count { start.signal() }
    for thread in threads { thread.join() }
}

extension Engine {
    /// Applies one event and returns its outcome.
    @discardableResult
    func apply(_ event: StockEvent) -> EventOutcome { apply([event]).outcomes[0] }

    /// Sets on-hand of (sku, location) through a `set` event with a fresh id.
    func stock(_ sku: String, _ location: String, _ qty: Int64) {
        let outcome = apply(
            StockEvent(
                id: "seed-\(sku)-\(location)-\(UUID())", kind: .set, sku: sku, location: location, amount: qty
            ))
        precondition(outcome == .applied)
    }

    /// The state of (sku, location), or nil.
    func cellState(_ sku: String, _ location: String) -> CellState? {
        inventory.cell(sku: sku, location: location).map { inventory.reader.state($0).state }
    }

    /// A canonical description of all state, for comparing two engines.
    func canonicalState() -> [String] {
        var lines: [String] = []
        exportSnapshot { record in lines.append("\(record)") }
        for cell in 0..<inventory.cellCount {
            let key = inventory.key(CellID(cell))
            let state = inventory.reader.state(CellID(cell)).state
            lines.append(
                "reserved \(inventory.skus.string(key.sku))@\(inventory.locations.string(key.location))=\(state.reserved)"
            )
        }
        return lines.sorted()
    }
}

func hold(_ engine: Engine, _ lines: [(String, String, Int64)], ttl: Int64 = 900) throws(Engine.CreateFailure)
    -> Reservation
{
    try engine.createReservation(
        ReservationRequest(
            lines: lines.map { ReservationLine(sku: $0.0, location: $0.1, qty: $0.2) }, ttlSeconds: ttl)
    ).0
}
