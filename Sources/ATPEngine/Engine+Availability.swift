/// Availability reads: lock-free, allocation-free when given bytes.
extension Engine {
    /// Network-wide availability of the sku whose UTF-8 key is `sku`; 0 when unknown.
    /// - Complexity: O(key length + cells of the sku).
    @inline(__always)
    public func available(sku: UnsafeRawBufferPointer) -> Int64 {
        let reader = inventory.reader
        guard let id = reader.skus.find(sku) else { return 0 }
        return reader.available(sku: id)
    }

    /// Availability of `sku` at one location; 0 when either is unknown.
    @inline(__always)
    public func available(sku: UnsafeRawBufferPointer, location: UInt32?) -> Int64 {
        let reader = inventory.reader
        guard let location, let id = reader.skus.find(sku),
            let cell = reader.cell(sku: id, location: location)
        else {
            return 0
        }
        return reader.available(cell)
    }

    /// Availability of `sku` for `channel`: the sum over its locations minus its buffer, ≥ 0.
    @inline(__always)
    public func available(sku: UnsafeRawBufferPointer, channel: CompiledChannel) -> Int64 {
        let reader = inventory.reader
        guard let id = reader.skus.find(sku) else { return 0 }
        return channel.available(sku: id, in: reader)
    }

    /// Availability of each sku in `skus` (UTF-8 keys) over `scope`, written to `out[i]`.
    /// The fast path for requests naming many skus; see `Inventory.Reader.available(_:scope:into:)`.
    @inline(__always)
    public func available(
        skus: UnsafeBufferPointer<UnsafeRawBufferPointer>, scope: AvailabilityScope,
        into out: UnsafeMutableBufferPointer<Int64>
    ) {
        inventory.reader.available(skus, scope: scope, into: out)
    }

    /// Network-wide availability of `sku`.
    public func available(sku: String) -> Int64 {
        var sku = sku
        return sku.withUTF8 { available(sku: UnsafeRawBufferPointer($0)) }
    }

    /// Availability of `sku` at `location`.
    public func available(sku: String, location: String) -> Int64 {
        var sku = sku
        let location = inventory.locations.find(location)
        return sku.withUTF8 { available(sku: UnsafeRawBufferPointer($0), location: location) }
    }

    /// Availability of `sku` for the channel named `channel`, or nil when no such channel exists.
    public func available(sku: String, channel: String) -> Int64? {
        guard let compiled = self.channel(named: channel) else { return nil }
        var sku = sku
        return sku.withUTF8 { available(sku: UnsafeRawBufferPointer($0), channel: compiled) }
    }

    /// One location's figures in a stock detail.
    public struct LocationStock: Hashable, Sendable {
        public var location: String
        public var onHand: Int64
        public var reserved: Int64
        public var safetyStock: Int64
        public var available: Int64
    }

    /// Every cell of `sku`, sorted by location; nil when the sku was never seen.
    public func stock(sku: String) -> (available: Int64, locations: [LocationStock])? {
        guard let id = inventory.skus.find(sku) else { return nil }
        var rows: [LocationStock] = []
        var total: Int64 = 0
        inventory.forEachCell(ofSku: id) { cell in
            let (state, safety) = inventory.reader.state(cell)
            let available = state.available(safetyStock: safety)
            total = Quantity.saturatingAdd(total, available)
            rows.append(
                LocationStock(
                    location: inventory.locations.string(inventory.key(cell).location), onHand: state.onHand,
                    reserved: state.reserved, safetyStock: safety, available: available))
        }
        rows.sort { $0.location.utf8.lexicographicallyPrecedes($1.location.utf8) }
        return (total, rows)
    }

    /// Sets the safety stock of (sku, location), creating the cell if needed.
    /// - Returns: the cell's figures and the journal record.
    public func setSafetyStock(sku: String, location: String, value: Int64) throws(EngineError)
        -> (LocationStock, JournalRecord)
    {
        var change = EngineChange()
        let row = try setSafetyStock(sku: sku, location: location, value: value, into: &change)
        return (row, change.records[0])
    }

    /// `setSafetyStock`, appending its record to `change` (undone by taking back what it added).
    public func setSafetyStock(sku: String, location: String, value: Int64, into change: inout EngineChange)
        throws(EngineError) -> LocationStock
    {
        if let problem = Key.problem(sku, name: "sku") ?? Key.problem(location, name: "location") {
            throw .invalidRequest(problem)
        }
        guard Quantity.isValid(value, minimum: 0) else {
            throw .quantityOutOfRange("safetyStock must be 0...\(Quantity.requestLimit)")
        }
        guard let cell = inventory.findOrCreateCell(sku: sku, location: location) else {
            throw .capacityExhausted("no room for another cell")
        }
        let previous = inventory.exchangeSafetyStock(cell, value)
        let (state, safety) = inventory.reader.state(cell)
        change.append(
            .safetyStock(sku: sku, location: location, value: value),
            undo: .safetyStock(cell: cell, delta: value - previous))
        return LocationStock(
            location: location, onHand: state.onHand, reserved: state.reserved, safetyStock: safety,
            available: state.available(safetyStock: safety))
    }
}

extension Engine {
    /// The durable figures of one cell — on-hand, its version, safety stock — or nil when the
    /// cell does not exist. `reserved` is not among them: it is rebuilt from reservations.
    /// Stores that keep cells as values (Redis) write these.
    /// - Complexity: O(key lengths); lock-free.
    public func cellFigures(sku: String, location: String) -> CellSnapshotRecord? {
        guard let cell = inventory.cell(sku: sku, location: location) else { return nil }
        let (state, safety) = inventory.reader.state(cell)
        return CellSnapshotRecord(
            sku: sku, location: location, onHand: state.onHand, version: state.version, safetyStock: safety)
    }
}
