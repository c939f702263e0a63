/// A handle with which a handler answers a request later, from any thread.
///
/// Completing wakes the connection's loop through its eventfd; the response is sent in request
/// order (later pipelined requests wait for it). Completing a request whose connection has gone
/// does nothing.
/// Thread-safety: `Sendable`; `complete` may be called from any thread, once.
public struct HTTPDeferral: Sendable {
    let worker: ServerWorker
    let connectionID: UInt64
    let sequence: UInt64

    /// Sends `response` for the deferred request.
    public func complete(_ response: HTTPResponse) {
        let worker = worker
        let connectionID = connectionID
        let sequence = sequence
        worker.loop.execute {
            worker.completeDeferred(connectionID: connectionID, sequence: sequence, response: response)
        }
    }
}
