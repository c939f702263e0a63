import Synchronization

/// The baseline every engine figure is compared with: one `Mutex` around a Swift dictionary
/// from (sku, location) to a plain cell, the way a straightforward in-memory cache would be built.
final class MutexBaseline: Sendable {
    struct Key: Hashable, Sendable {
        let sku: String
        let location: String
    }

    struct Cell: Sendable {
        var onHand: Int64
        var reserved: Int64
        var safetyStock: Int64
    }

    let cells = Mutex<[Key: Cell]>([:])

    func set(_ key: Key, onHand: Int64) {
        cells.withLock { $0[key, default: Cell(onHand: 0, reserved: 0, safetyStock: 0)].onHand = onHand }
    }

    @inline(never)
    func available(_ key: Key) -> Int64 {
        cells.withLock { cells in
            guard let c = cells[key] else { return 0 }
            return max(0, c.onHand - c.reserved - c.safetyStock)
        }
    }

    /// Availability of each key into `out`, under one lock acquisition for the batch.
    @inline(never)
    func available(_ keys: ArraySlice<Key>, into out: inout [Int64]) {
        cells.withLock { cells in
            for (i, key) in keys.enumerated() {
                guard let c = cells[key] else {
                    out[i] = 0
                    continue
                }
                out[i] = max(0, c.onHand - c.reserved - c.safetyStock)
            }
        }
    }

    @inline(never)
    func hold(_ key: Key, qty: Int64) -> Bool {
        cells.withLock { cells in
            guard let c = cells[key], c.onHand - c.reserved - c.safetyStock >= qty else { return false }
            cells[key]!.reserved += qty
            return true
        }
    }

    @inline(never)
    func release(_ key: Key, qty: Int64) {
        cells.withLock { $0[key]?.reserved -= qty }
    }
}
