/// One complete request as a handler sees it: views into the connection's buffers.
///
/// The views are valid only during the handler call; a handler that answers later (see
/// `HTTPResponder`) copies what it needs first.
/// Thread-safety: not `Sendable`; used on the connection's loop thread only.
public struct HTTPRequest {
    public let head: HTTPRequestHead
    /// The request's head bytes; `head`'s ranges index into these.
    public let headBytes: UnsafeRawBufferPointer
    /// The body (de-chunked when it came chunked); empty when there was none.
    public let body: UnsafeRawBufferPointer
    /// The request id echoed in `X-Request-Id`: the client's, or one made by the server.
    public let requestID: UnsafeRawBufferPointer
    /// Lets a handler answer from another thread; see `HTTPResponder`.
    public let deferral: HTTPDeferral

    public var method: HTTPMethod { head.method }
    public var path: UnsafeRawBufferPointer { bytes(head.path) }
    public var query: UnsafeRawBufferPointer { bytes(head.query) }

    /// The bytes of a range of `head`, or nil for nil.
    @inline(__always)
    public func bytes(_ range: Range<Int>?) -> UnsafeRawBufferPointer? {
        guard let range else { return nil }
        return bytes(range)
    }

    @inline(__always)
    public func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: headBytes[range])
    }

    /// The value of the first header named `name` (ASCII, any case), or nil.
    /// - Complexity: O(headers).
    public func header(_ name: StaticString) -> UnsafeRawBufferPointer? {
        bytes(head.value(of: name, in: headBytes))
    }

    /// The value of the application's indexed header at `position` (see `IndexedHeader`), or nil.
    /// - Complexity: O(1).
    @inline(__always)
    public func header(at position: Int) -> UnsafeRawBufferPointer? {
        bytes(head.indexedValue(at: position))
    }
}

/// What a handler did with a request.
public enum HTTPDisposition: Sendable {
    /// The response passed in is filled in and can be sent now.
    case answered
    /// The handler kept `request.deferral` and will call `complete` on it, from any thread.
    case deferred
}

/// The application side of the server.
///
/// Thread-safety: called concurrently from every loop thread; implementations must be safe for
/// that. Each call runs on the loop that owns the connection and must not block.
public protocol HTTPResponder: AnyObject, Sendable {
    /// The largest body accepted for a request with this head (413 beyond it).
    func bodyLimit(for head: HTTPRequestHead, headBytes: UnsafeRawBufferPointer) -> Int

    /// Answers `request` by filling in `response`, or defers the answer (see `HTTPDisposition`).
    func respond(to request: HTTPRequest, _ response: inout HTTPResponse) -> HTTPDisposition

    /// The request headers to pick out while parsing (read once, when the server starts); see
    /// `IndexedHeader`. None by default.
    var indexedHeaders: [IndexedHeader] { get }

    /// Fills `response` (reset, with `error.status`) with the answer to a request the server
    /// refuses itself: a malformed or oversized request, a timeout, and — rendered once, when the
    /// server is created — the 503 for connections over the limit (sent with `Retry-After: 1`).
    /// The server then closes the connection. By default a plain-text `detail`.
    func renderProtocolError(_ error: HTTPParseError, into response: inout HTTPResponse)

    /// Called on each loop thread once per event-loop iteration, after every ready connection
    /// (and every task and timer) of the iteration was handled: the place to hand over, in one
    /// go, work gathered across the requests of the iteration — such as waking a group-commit
    /// writer once for all of them. Nothing by default.
    func loopIterationDidEnd()
}

extension HTTPResponder {
    public var indexedHeaders: [IndexedHeader] { [] }

    public func loopIterationDidEnd() {}

    public func renderProtocolError(_ error: HTTPParseError, into response: inout HTTPResponse) {
        response.status = error.status
        response.contentType = .plainText
        response.body.append(contentsOf: error.detail.utf8)
    }
}
