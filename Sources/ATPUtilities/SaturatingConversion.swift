/// Double → integer conversions that cannot trap.
///
/// `Int64(x)` traps when `x` is NaN, infinite or outside the type's range; every conversion of a
/// computed Double (rates, durations, quantile ranks) goes through these instead.
/// Thread-safety: pure functions. - Complexity: O(1).
extension Int64 {
    /// `value` rounded by `rule`, clamped to `Int64.min...Int64.max`; NaN becomes 0.
    @inlinable
    public init(saturating value: Double, rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero)
    {
        let r = value.rounded(rule)
        if r.isNaN {
            self = 0
        } else if r >= 9_223_372_036_854_775_807.0 {  // 2^63: the first Double above Int64.max
            self = .max
        } else if r <= -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int64(r)
        }
    }
}

extension Int {
    /// `value` rounded by `rule`, clamped to `Int.min...Int.max`; NaN becomes 0.
    @inlinable
    public init(saturating value: Double, rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero)
    {
        self = Int(Int64(saturating: value, rounding: rule))
    }
}
