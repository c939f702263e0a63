import ATPHTTP
import ATPJSON
import ATPPush
import ATPUtilities
import Glibc

/// The channel's webhook endpoint (`ChaosRehearsal receive`): the project's `HTTPServer` on a
/// loopback port, appending what it gets to a log file that survives its restarts.
///
/// While the file `failFlag` exists it answers 500 to every delivery (the endpoint is failing);
/// otherwise 204. Per request it appends, in one `write(2)` to the log opened with `O_APPEND`:
///
///     req <status> <webhook-id> <signature ok: 1|0>
///     upd <webhook-id> <sku> <available> <at>        (one line per update, for 2xx only)
///
/// Signatures are checked against the channel's secret (Standard Webhooks: `v1,` base64
/// HMAC-SHA256 of `id.timestamp.body`). Stopping the process makes the endpoint refuse
/// connections; `ReceiverLog` reads the file back.
///
/// Not the tests' `WebhookReceiver` (Tests/Support), which keeps its requests in memory inside
/// the test process: this one runs as a process of its own that the rehearsal kills and restarts,
/// so what it received must be in a file that outlives it.
/// Thread-safety: `respond` runs on the server's loop threads; the log is one fd, each request
/// one `write`. Complexity: O(body) per request.
final class WebhookReceiver: HTTPResponder {
    let failFlag: String
    let key: [UInt8]
    private let log: Int32

    init(logPath: String, failFlag: String, secret: String) throws {
        guard secret.hasPrefix("whsec_"), let key = Base64.decode(String(secret.dropFirst(6))) else {
            throw RehearsalError("--secret must be whsec_<base64>")
        }
        self.key = key
        self.failFlag = failFlag
        log = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else {
            throw RehearsalError("cannot open \(logPath): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(log) }

    func bodyLimit(for head: HTTPRequestHead, headBytes: UnsafeRawBufferPointer) -> Int { 1 << 20 }

    func respond(to request: HTTPRequest, _ response: inout HTTPResponse) -> HTTPDisposition {
        func header(_ name: StaticString) -> String {
            request.header(name).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        let id = header("webhook-id")
        let body = Array(request.body)
        let signed = WebhookSignature.verify(
            header: header("webhook-signature"), key: key, id: id,
            timestamp: Int64(header("webhook-timestamp")) ?? -1, body: body)
        let failing = access(failFlag, F_OK) == 0
        response.status = failing ? 500 : 204
        response.contentType = .none
        var text = "req \(response.status) \(id.isEmpty ? "-" : id) \(signed ? 1 : 0)\n"
        if !failing, let updates = (try? JSONParser.parse(body))?.object?["updates"]?.array {
            for update in updates {
                guard let update = update.object, let sku = update["sku"]?.string,
                    let available = update["available"]?.int64, let at = update["at"]?.string
                else { continue }
                text += "upd \(id) \(sku) \(available) \(at)\n"
            }
        }
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(log, $0.baseAddress, $0.count) }
        return .answered
    }

    /// Runs the receiver on 127.0.0.1:`port` until SIGTERM or SIGINT.
    static func serve(port: UInt16, logPath: String, failFlag: String, secret: String) throws {
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        var configuration = HTTPServerConfiguration(address: .loopback(port: port))
        configuration.threads = 1
        configuration.shutdownGraceMilliseconds = 200
        let server = try HTTPServer(
            configuration: configuration,
            responder: WebhookReceiver(logPath: logPath, failFlag: failFlag, secret: secret))
        server.start()
        var received: Int32 = 0
        sigwait(&stopSignals, &received)
        server.shutdown()
        server.wait()
    }
}
