/// Where a batch of availability reads is summed.
public enum AvailabilityScope: Sendable {
    /// Every location of the sku.
    case network
    /// One location (by id).
    case location(UInt32)
    /// A channel's locations, minus its buffer.
    case channel(CompiledChannel)
}

extension Inventory.Reader {
    /// Availability of every sku in `keys` (UTF-8), written to `out[i]`; unknown skus read 0.
    ///
    /// Works in groups of eight keys and in stages — hash and load each key's first index slot,
    /// then resolve ids and load their entries, then load their cells — so the cache misses of
    /// different keys overlap instead of queueing behind each other. Same answers as looking the
    /// keys up one by one.
    /// - Complexity: O(total key length + cells of the skus). No allocation.
    public func available(
        _ keys: UnsafeBufferPointer<UnsafeRawBufferPointer>, scope: AvailabilityScope,
        into out: UnsafeMutableBufferPointer<Int64>
    ) {
        precondition(out.count >= keys.count, "output shorter than the batch")
        let group = 8
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * group) {
            (scratch: UnsafeMutableBufferPointer<UInt64>) -> Void in
            var base = 0
            while base < keys.count {
                let n = min(group, keys.count - base)
                let table = skus.table
                // Stage 1: hashes, and the first slot of each (independent loads).
                for i in 0..<n {
                    let hash = ByteHash.hash(keys[base + i])
                    scratch[i] = hash
                    scratch[group + i] = table[1 + StringTable.Reader.start(hash, table)].load(
                        ordering: .acquiring)
                }
                // Stage 2: resolve ids (loads each entry) and read each sku's first cell.
                for i in 0..<n {
                    if let id = skus.find(
                        keys[base + i], hash: scratch[i], in: table, firstSlot: scratch[group + i])
                    {
                        scratch[i] = UInt64(id)
                        scratch[group + i] = UInt64(head(of: id))
                    } else {
                        scratch[i] = .max
                        scratch[group + i] = 0
                    }
                }
                // Stage 3: sum the cells.
                for i in 0..<n {
                    let sku = scratch[i]
                    guard sku != .max, scratch[group + i] != 0 else {
                        out[base + i] = 0
                        continue
                    }
                    switch scope {
                    case .network:
                        out[base + i] = available(sku: UInt32(sku))
                    case .location(let location):
                        if let c = cell(sku: UInt32(sku), location: location) {
                            out[base + i] = available(c)
                        } else {
                            out[base + i] = 0
                        }
                    case .channel(let channel):
                        out[base + i] = channel.available(sku: UInt32(sku), in: self)
                    }
                }
                base += n
            }
        }
    }
}
