/// How a sales channel sees stock: a set of locations (nil = all) and a buffer held back.
public struct ChannelView: Hashable, Sendable {
    public var name: String
    /// The locations whose stock the channel may sell; nil means every location.
    public var locations: [String]?
    /// Units held back from the channel's availability (0...`Quantity.requestLimit`).
    public var bufferUnits: Int64

    public init(name: String, locations: [String]? = nil, bufferUnits: Int64 = 0) {
        self.name = name
        self.locations = locations
        self.bufferUnits = bufferUnits
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
        return nil
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
        locations = view.locations.map { names in LocationSet(names.compactMap { inventory.locations.intern($0) }) }
    }

    /// The channel's availability of `sku`: its locations' sum minus the buffer, floored at 0.
    /// - Complexity: O(cells of the sku).
    @inline(__always)
    func available(sku: UInt32, in reader: Inventory.Reader) -> Int64 {
        let total = locations.map { reader.available(sku: sku, in: $0) } ?? reader.available(sku: sku)
        return max(0, total - view.bufferUnits)
    }

    /// True when the channel sells stock held at `location`.
    public func covers(location: UInt32) -> Bool { locations?.contains(location) ?? true }
}
