/// How a sales channel sees stock: a set of locations (nil = all) and a buffer held back, plus
/// where its availability updates are pushed (`delivery`, nil for a view-only channel).
public struct ChannelView: Hashable, Sendable {
    public var name: String
    /// The locations whose stock the channel may sell; nil means every location.
    public var locations: [String]?
    /// Units held back from the channel's availability (0...`Quantity.requestLimit`).
    public var bufferUnits: Int64
    /// Channel push settings; nil when the channel is only a view (no webhooks).
    public var delivery: ChannelDelivery?

    public init(
        name: String, locations: [String]? = nil, bufferUnits: Int64 = 0, delivery: ChannelDelivery? = nil
    ) {
        self.name = name
        self.locations = locations
        self.bufferUnits = bufferUnits
        self.delivery = delivery
    }

    /// Nil when the view is valid, else why not.
    public var problem: String? {
        if let p = Key.problem(name, name: "channel name") { return p }
        guard Quantity.isValid(bufferUnits, minimum: 0) else {
            return "bufferUnits must be 0...\(Quantity.requestLimit)"
        }
        for (i, location) in (locations ?? []).enumerated() {
            if let p = Key.problem(location, name: "locations[\(i)]") { return p }
        }
        return delivery?.problem
    }
}

/// A channel view with its locations resolved to a bitmap, ready for summing.
///
/// Thread-safety: immutable.
public final class CompiledChannel: Sendable {
    public let view: ChannelView
    let locations: LocationSet?

    init(_ view: ChannelView, inventory: Inventory) {
        self.view = view
        locations = view.locations.map { names in
            LocationSet(names.compactMap { inventory.locations.intern($0) })
        }
    }

    /// The channel's availability of `sku`: its locations' sum minus the buffer, floored at 0.
    /// - Complexity: O(cells of the sku).
    @inline(__always)
    func available(sku: UInt32, in reader: Inventory.Reader) -> Int64 {
        let total = locations.map { reader.available(sku: sku, in: $0) } ?? reader.available(sku: sku)
        return max(0, total - view.bufferUnits)
    }

    /// The channel's availability of the sku with id `sku` (lock-free).
    /// - Complexity: O(cells of the sku).
    public func available(sku: UInt32, in inventory: Inventory) -> Int64 {
        available(sku: sku, in: inventory.reader)
    }

    /// True when the sku with id `sku` has a cell at one of the channel's locations.
    /// - Complexity: O(cells of the sku).
    public func covers(sku: UInt32, in inventory: Inventory) -> Bool {
        var found = false
        inventory.forEachCell(ofSku: sku) { cell in
            if !found && covers(location: inventory.key(cell).location) { found = true }
        }
        return found
    }

    /// True when the channel sells stock held at `location`.
    public func covers(location: UInt32) -> Bool { locations?.contains(location) ?? true }
}
