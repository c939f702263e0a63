import ATPHTTP
import ATPUtilities

/// A real webhook receiver on loopback (atpd's own HTTP server): records every request body and
/// answers `status`.
///
/// Thread-safety: the bodies and the status under locks; `stop` once, from the test.
final class WebhookSink: HTTPResponder, @unchecked Sendable {
    let bodies = Locked<[String]>([])
    let status = Locked(204)
    var server: HTTPServer!

    init() throws {
        var configuration = HTTPServerConfiguration(address: .loopback(port: 0))
        configuration.threads = 1
        configuration.shutdownGraceMilliseconds = 200
        server = try HTTPServer(configuration: configuration, responder: self)
        server.start()
    }

    /// Stops the server and lets go of it (it holds this sink as its responder).
    func stop() {
        server.shutdown()
        server.wait()
        server = nil
    }

    func bodyLimit(for head: HTTPRequestHead, headBytes: UnsafeRawBufferPointer) -> Int { 1 << 20 }

    func respond(to request: HTTPRequest, _ response: inout HTTPResponse) -> HTTPDisposition {
        bodies.withLock { $0.append(String(decoding: request.body, as: UTF8.self)) }
        response = HTTPResponse(status: status.withLock { $0 }, contentType: .none)
        return .answered
    }
}
