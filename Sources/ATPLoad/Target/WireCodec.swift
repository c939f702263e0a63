/// How one load connection speaks to its target: operations out as request bytes, reply bytes in
/// as outcomes. The event-driven driver (`EventDriver`) owns the socket, the timing and the
/// session; a codec only encodes and decodes, so atpd (HTTP/1.1) and the Redis+Lua baseline
/// (RESP2) are driven by exactly the same loop.
///
/// One request is outstanding at a time per connection (no pipelining across operations; a
/// Redis operation may itself be several pipelined commands, answered as one outcome).
/// Thread-safety: not thread-safe; a codec belongs to one connection on one load thread.
public protocol WireCodec: AnyObject {
    /// Appends what a fresh connection sends before its first request (Redis: AUTH, SELECT and
    /// SCRIPT LOAD, whose replies the codec then reads and drops), and resets the reply state.
    /// Called once per new connection. Complexity: O(greeting bytes).
    func greet(into out: inout [UInt8])

    /// Appends the request(s) for `operation` to `out` and prepares to read the answer.
    /// - Returns: false when the operation cannot be encoded (then nothing was appended; the
    ///   driver counts it as a transport failure, status 0).
    /// - Complexity: O(request size); allocation-free once the buffers have grown.
    func encode(_ operation: Operation, into out: inout [UInt8]) -> Bool

    /// Consumes what it can of the unread reply bytes `bytes` (which start where the previous
    /// call's consumption ended). - Complexity: O(bytes), plus a rescan of an incomplete reply.
    func consume(_ bytes: UnsafeRawBufferPointer) -> WireStep

    /// The peer closed the connection after what `consume` saw: the answer, when the end of the
    /// stream completes it (an HTTP body delimited by the close), else `.failed`.
    func endOfStream() -> WireStep
}

/// What a codec made of the bytes it was given.
///
/// Thread-safety: a value type.
public enum WireStep {
    /// The answer is not complete yet; `consumed` bytes were taken.
    case partial(consumed: Int)
    /// The answer is complete after `consumed` bytes; `closes` when the connection must not be
    /// reused (HTTP `Connection: close`).
    case complete(consumed: Int, outcome: Outcome, closes: Bool)
    /// The bytes break the protocol: the connection is closed and the operation is a transport
    /// failure (status 0).
    case failed
}
