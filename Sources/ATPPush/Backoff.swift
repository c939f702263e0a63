/// Exponential backoff with "equal jitter": attempt n waits between half and all of
/// `min(cap, base × 2^(n−1))`.
///
/// Thread-safety: stateless. - Complexity: O(1).
enum Backoff {
    /// The delay before the attempt after failed attempt `attempt` (1-based), in microseconds.
    static func delay<R: RandomNumberGenerator>(
        afterAttempt attempt: Int, baseMilliseconds: Int64, capMilliseconds: Int64, using random: inout R
    ) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(capMilliseconds, baseMilliseconds << Int64(exponent)) * 1000
        let half = ceiling / 2
        return half + (half > 0 ? Int64.random(in: 0...half, using: &random) : 0)
    }
}
