/// Bounds on every quantity atpd accepts or stores, chosen so no arithmetic can overflow.
///
/// Request quantities (a line's `qty`, an event's `qty` or `delta`, a safety stock) are at most
/// `Quantity.requestLimit` in magnitude. A cell's `onHand` stays within ±`Quantity.cellLimit` and
/// its `reserved` within `0...cellLimit`: an operation that would leave those bounds is refused.
/// Sums over many cells saturate at `Int64.max` instead of wrapping.
public enum Quantity {
    /// The largest magnitude of any quantity in a request: 1,000,000,000.
    public static let requestLimit: Int64 = 1_000_000_000
    /// The largest magnitude of a cell's on-hand count and of its reserved count: 10^12.
    /// `reserved` is packed into 40 bits (2^40 > 10^12), see `CellState`.
    public static let cellLimit: Int64 = 1_000_000_000_000

    /// True when `value` is a valid request quantity of at least `minimum`.
    @inlinable
    public static func isValid(_ value: Int64, minimum: Int64) -> Bool {
        value >= minimum && value <= requestLimit
    }

    /// `a + b`, clamped to `Int64.max`; both operands are non-negative availabilities.
    @inlinable
    static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }
}
