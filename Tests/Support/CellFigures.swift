/// One cell as `GET /v1/stock/{sku}` shows it: what the durability tests and the chaos
/// rehearsal read back and check.
///
/// Thread-safety: a value type.
public struct CellFigures: Equatable, CustomStringConvertible, Sendable {
    public var onHand: Int
    public var reserved: Int
    public var safetyStock: Int
    public var available: Int

    public init(onHand: Int, reserved: Int, safetyStock: Int, available: Int) {
        self.onHand = onHand
        self.reserved = reserved
        self.safetyStock = safetyStock
        self.available = available
    }

    public var description: String {
        "onHand \(onHand) reserved \(reserved) safety \(safetyStock) available \(available)"
    }
}
