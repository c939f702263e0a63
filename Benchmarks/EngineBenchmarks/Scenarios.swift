import ATPEngine
import Foundation

/// A clock that reads the system's real time (the engine itself never does).
struct SystemClock: WallClock {
    func now() -> Timestamp {
        Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
    }
}

/// One row of results: engine and baseline medians in operations per second.
struct Row {
    var name: String
    var unit: String
    var engine: Double
    var baseline: Double?
    var note: String = ""
}

/// A catalogue loaded into both the engine and the mutex baseline, with keys ready to use.
final class Catalogue: @unchecked Sendable {
    let engine = Engine(clock: SystemClock())
    let baseline = MutexBaseline()
    let skuBytes: [StableBytes]
    let keys: [MutexBaseline.Key]
    let location = "DC1"
    let locationID: UInt32

    init(skus: Int, onHand: Int64) {
        var bytes: [StableBytes] = []
        var keys: [MutexBaseline.Key] = []
        for i in 0..<skus {
            let sku = "SKU-\(100_000 + i)"
            bytes.append(StableBytes(sku))
            keys.append(.init(sku: sku, location: "DC1"))
            engine.replay(
                .cellSnapshot(
                    CellSnapshotRecord(sku: sku, location: "DC1", onHand: onHand, version: 0, safetyStock: 0))
            )
            engine.replay(
                .cellSnapshot(
                    CellSnapshotRecord(sku: sku, location: "DC2", onHand: onHand, version: 0, safetyStock: 0))
            )
            baseline.set(keys[i], onHand: onHand)
        }
        skuBytes = bytes
        self.keys = keys
        locationID = engine.inventory.locations.find("DC1")!
    }
}

/// Availability lookups of one (sku, location) by key bytes, on `threads` threads.
func lookups(_ c: Catalogue, threads: Int, harness: Harness) -> Row {
    let n = c.keys.count
    let engine = harness.measure(threads: threads) { t, deadline in
        // Locals, so the loop does not touch the shared catalogue object's reference counts.
        let (engine, keys, location) = (c.engine, c.skuBytes, c.locationID)
        var rng = XorShift(state: 0x9E37_79B9 &+ UInt64(t))
        var sink: Int64 = 0
        let ops = repeatUntil(deadline, calls: 1024) {
            sink &+= engine.available(sku: keys[rng.next(n)].buffer, location: location)
        }
        precondition(sink > 0)
        return ops
    }
    let baseline = harness.measure(threads: threads) { t, deadline in
        let (baseline, keys) = (c.baseline, c.keys)
        var rng = XorShift(state: 0x9E37_79B9 &+ UInt64(t))
        var sink: Int64 = 0
        let ops = repeatUntil(deadline, calls: 1024) { sink &+= baseline.available(keys[rng.next(n)]) }
        precondition(sink > 0)
        return ops
    }
    return Row(
        name: "lookup, \(threads) thread\(threads > 1 ? "s" : "")", unit: "lookups/s", engine: median(engine),
        baseline: median(baseline))
}

/// Availability of batches of `batch` random skus at one location — a storefront request — on
/// `threads` threads; counts skus looked up. The baseline takes its lock once per batch.
func batchLookups(_ c: Catalogue, threads: Int, batch: Int, harness: Harness) -> Row {
    let n = c.keys.count
    let engine = harness.measure(threads: threads) { t, deadline in
        let (engine, keys, location) = (c.engine, c.skuBytes.map(\.buffer), c.locationID)
        var rng = XorShift(state: 0x1234 &+ UInt64(t))
        var request = [UnsafeRawBufferPointer](repeating: keys[0], count: batch)
        var out = [Int64](repeating: 0, count: batch)
        var sink: Int64 = 0
        let ops = repeatUntil(deadline, calls: 64, opsPerCall: batch) {
            for i in 0..<batch { request[i] = keys[rng.next(n)] }
            request.withUnsafeBufferPointer { r in
                out.withUnsafeMutableBufferPointer {
                    engine.available(skus: r, scope: .location(location), into: $0)
                }
            }
            sink &+= out[0]

        }
        precondition(sink > 0)
        return ops
    }
    let baseline = harness.measure(threads: threads) { t, deadline in
        let (baseline, keys) = (c.baseline, c.keys)
        var rng = XorShift(state: 0x1234 &+ UInt64(t))
        var request = [MutexBaseline.Key](repeating: keys[0], count: batch)
        var out = [Int64](repeating: 0, count: batch)
        var sink: Int64 = 0
        let ops = repeatUntil(deadline, calls: 64, opsPerCall: batch) {
            for i in 0..<batch { request[i] = keys[rng.next(n)] }
            baseline.available(request[...], into: &out)
            sink &+= out[0]

        }
        precondition(sink > 0)
        return ops
    }
    return Row(
        name: "lookup in batches of \(batch), \(threads) thread\(threads > 1 ? "s" : "")", unit: "lookups/s",
        engine: median(engine),
        baseline: median(baseline))
}

/// Hold one unit then release it, each thread on its own cells (looked up by key each time).
func holdRelease(_ c: Catalogue, threads: Int, harness: Harness) -> Row {
    let perThread = c.keys.count / threads
    let engine = harness.measure(threads: threads) { t, deadline in
        let (reader, keys, location) = (c.engine.inventory.reader, c.skuBytes, c.locationID)
        var rng = XorShift(state: 0xABCD &+ UInt64(t))
        let ops = repeatUntil(deadline, calls: 1024) {
            let i = t * perThread + rng.next(perThread)
            let sku = reader.skus.find(keys[i].buffer)!
            let cell = reader.cell(sku: sku, location: location)!
            precondition(reader.hold(cell, qty: 1) == nil)
            reader.release(cell, qty: 1)

        }
        return ops
    }
    let baseline = harness.measure(threads: threads) { t, deadline in
        let (baseline, keys) = (c.baseline, c.keys)
        var rng = XorShift(state: 0xABCD &+ UInt64(t))
        let ops = repeatUntil(deadline, calls: 1024) {
            let key = keys[t * perThread + rng.next(perThread)]
            precondition(baseline.hold(key, qty: 1))
            baseline.release(key, qty: 1)

        }
        return ops
    }
    return Row(
        name: "hold+release, distinct cells, \(threads) thread\(threads > 1 ? "s" : "")", unit: "pairs/s",
        engine: median(engine), baseline: median(baseline))
}

/// Two threads holding and releasing the same cell.
func hotSku(_ c: Catalogue, harness: Harness) -> Row {
    let inventory = c.engine.inventory
    let cell = inventory.reader.cell(sku: inventory.skus.find(c.skuBytes[0].buffer)!, location: c.locationID)!
    let engine = harness.measure(threads: 2) { _, deadline in
        let reader = inventory.reader
        let ops = repeatUntil(deadline, calls: 1024) {
            precondition(reader.hold(cell, qty: 1) == nil)
            reader.release(cell, qty: 1)

        }
        return ops
    }
    let key = c.keys[0]
    let baseline = harness.measure(threads: 2) { _, deadline in
        let baseline = c.baseline
        let ops = repeatUntil(deadline, calls: 1024) {
            precondition(baseline.hold(key, qty: 1))
            baseline.release(key, qty: 1)

        }
        return ops
    }
    return Row(
        name: "hold+release, one hot sku, 2 threads", unit: "pairs/s", engine: median(engine),
        baseline: median(baseline))
}

/// Whole reservations through the engine API (validation, id, record, journal record), then a
/// release: what one checkout hold costs end to end, without HTTP. No baseline.
func reservations(_ c: Catalogue, threads: Int, harness: Harness) -> Row {
    let perThread = c.keys.count / threads
    let samples = harness.measure(threads: threads) { t, deadline in
        let (engine, keys) = (c.engine, c.keys)
        var rng = XorShift(state: 0x5555 &+ UInt64(t))
        let ops = repeatUntil(deadline, calls: 256) {
            let key = keys[t * perThread + rng.next(perThread)]
            let request = ReservationRequest(lines: [
                ReservationLine(sku: key.sku, location: key.location, qty: 1)
            ])
            let (r, _) = try! engine.createReservation(request)
            _ = engine.transition(r.id, .release)

        }
        return ops
    }
    return Row(
        name: "reservation create+release (engine API), \(threads) thread\(threads > 1 ? "s" : "")",
        unit: "pairs/s", engine: median(samples), baseline: nil)
}
