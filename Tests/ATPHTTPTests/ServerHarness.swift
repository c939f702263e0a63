import ATPJSON
import ATPPosix
import ATPTestSupport
import ATPUtilities
import Dispatch
import Glibc
import Synchronization
import Testing

@testable import ATPHTTP

// Shared pieces of the HTTPServer tests: a test responder, a per-test server, request builders
// and raw-socket helpers that the tests use to look at exactly what is on the wire.

/// The responder every server test runs against.
///
/// - `/body…` echoes the request body as text/plain.
/// - `/slow…?ms=N` defers: a Dispatch thread completes it after N ms (default 100) with the
///   description below plus `X-Deferred: 1`.
/// - `/hold…` defers until the test calls `releaseHeld()`.
/// - anything else answers `{"method":..,"path":..,"query":..,"bodyLength":..}`.
///
/// Bodies may be up to `bodyLimit` bytes, except under `/small`, where the limit is 64. It indexes
/// `Authorization`, `Idempotency-Key` and `Content-Type`, refusing a second line of each.
/// Thread-safety: immutable configuration, a mutex and atomics.
final class TestResponder: HTTPResponder {
    let bodyLimitBytes: Int
    let answered = Atomic<Int>(0)
    let deferredCompleted = Atomic<Int>(0)
    /// The `pthread_t` of the last loop thread that called `respond`.
    let lastLoopThread = Atomic<UInt>(0)
    private let held = Locked<[(deferral: HTTPDeferral, response: HTTPResponse)]>([])

    init(bodyLimit: Int = 8 << 20) {
        bodyLimitBytes = bodyLimit
    }

    /// Protocol errors as atpd renders them (problem+json with its codes), so that the limit and
    /// smuggling tests read the answers a client of atpd gets.
    func renderProtocolError(_ error: HTTPParseError, into response: inout HTTPResponse) {
        response.setProblem(
            status: error.status, code: Self.codes[error.kind] ?? "unknown", detail: error.detail)
    }

    /// atpd's code for each kind of protocol error.
    static let codes: [HTTPParseError.Kind: String] = [
        .malformed: "invalid_request", .headersTooLarge: "headers_too_large",
        .payloadTooLarge: "payload_too_large",
        .unsupportedCoding: "not_implemented", .unsupportedVersion: "http_version_not_supported",
        .requestTimeout: "request_timeout", .tooManyConnections: "too_many_connections",
    ]

    /// The singletons atpd's API indexes, so that the smuggling tests see a second one refused.
    let indexedHeaders = [
        IndexedHeader("Authorization"), IndexedHeader("Idempotency-Key"), IndexedHeader("Content-Type"),
    ]

    func bodyLimit(for head: HTTPRequestHead, headBytes: UnsafeRawBufferPointer) -> Int {
        UnsafeRawBufferPointer(rebasing: headBytes[head.path]).starts(with: "/small".utf8)
            ? 64 : bodyLimitBytes
    }

    func respond(to request: HTTPRequest, _ response: inout HTTPResponse) -> HTTPDisposition {
        answered.add(1, ordering: .relaxed)
        lastLoopThread.store(UInt(pthread_self()), ordering: .relaxed)
        let path = request.path
        if path.starts(with: "/body".utf8) {
            response.contentType = .plainText
            response.body.append(contentsOf: request.body)
            return .answered
        }
        let description = Self.describe(request)
        if path.starts(with: "/slow".utf8) {
            let query = String(decoding: request.query, as: UTF8.self)
            let milliseconds = query.hasPrefix("ms=") ? Int(query.dropFirst(3)) ?? 100 : 100
            var deferred = HTTPResponse(status: 200, contentType: .json, body: description)
            deferred.addHeader("X-Deferred", "1")
            let answer = deferred
            let deferral = request.deferral
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [self] in
                deferral.complete(answer)
                deferredCompleted.add(1, ordering: .relaxed)
            }
            return .deferred
        }
        if path.starts(with: "/hold".utf8) {
            var deferred = HTTPResponse(status: 200, contentType: .json, body: description)
            deferred.addHeader("X-Deferred", "1")
            let entry = (deferral: request.deferral, response: deferred)
            held.withLock { $0.append(entry) }
            return .deferred
        }
        response.body = description
        return .answered
    }

    /// How many `/hold` requests wait for `releaseHeld`.
    var heldCount: Int { held.withLock { $0.count } }

    /// Completes every held request from the calling thread; returns how many there were.
    @discardableResult
    func releaseHeld() -> Int {
        let all = held.withLock { held in
            defer { held.removeAll() }
            return held
        }
        for entry in all {
            entry.deferral.complete(entry.response)
            deferredCompleted.add(1, ordering: .relaxed)
        }
        return all.count
    }

    static func describe(_ request: HTTPRequest) -> [UInt8] {
        var out: [UInt8] = []
        out.appendASCII(#"{"method":"#)
        out.appendJSONString(request.method.description)
        out.appendASCII(#","path":"#)
        out.appendJSONString(request.path)
        out.appendASCII(#","query":"#)
        out.appendJSONString(request.query)
        out.appendASCII(#","bodyLength":"#)
        out.appendDecimal(request.body.count)
        out.appendASCII("}")
        return out
    }
}

extension HTTPServerConfiguration {
    /// 127.0.0.1 on a kernel-chosen port, `threads` loops and a 2 s shutdown grace (so teardown is
    /// bounded even when a test leaves a request in flight), then whatever `adjust` changes.
    static func testing(threads: Int = 2, _ adjust: (inout Self) -> Void = { _ in }) -> Self {
        var configuration = HTTPServerConfiguration(address: .loopback(port: 0))
        configuration.threads = threads
        configuration.shutdownGraceMilliseconds = 2_000
        adjust(&configuration)
        return configuration
    }
}

/// Runs `body` against a fresh server, then shuts it down and waits for its threads, whatever
/// `body` did.
func withServer(
    _ configuration: HTTPServerConfiguration = .testing(),
    responder: TestResponder = TestResponder(),
    _ body: (_ server: HTTPServer, _ responder: TestResponder, _ port: UInt16) throws -> Void
) throws {
    let server = try HTTPServer(configuration: configuration, responder: responder)
    #expect(server.boundAddress.isLoopback)
    server.start()
    defer {
        server.shutdown()
        responder.releaseHeld()
        server.wait()
    }
    try body(server, responder, server.boundAddress.port)
}

/// A client connection with the tests' default read timeout.
func connect(_ port: UInt16, timeoutMilliseconds: Int32 = 5_000) throws -> RawConnection {
    try RawConnection(port: port, timeoutMilliseconds: timeoutMilliseconds)
}

/// `GET path HTTP/1.1` with a Host header and `headers` (each a full `Name: value` line).
func get(_ path: String, _ headers: String...) -> String {
    "GET \(path) HTTP/1.1\r\nHost: test\r\n" + headers.map { $0 + "\r\n" }.joined() + "\r\n"
}

/// `POST path HTTP/1.1` with a Content-Length body.
func post(_ path: String, _ body: String, _ headers: String...) -> String {
    "POST \(path) HTTP/1.1\r\nHost: test\r\nContent-Length: \(body.utf8.count)\r\n"
        + headers.map { $0 + "\r\n" }.joined() + "\r\n" + body
}

/// The JSON object of a response body.
func jsonObject(_ response: RawResponse, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> JSONObject
{
    let value = try JSONParser.parse(response.body)
    return try #require(
        value.object, "body is not a JSON object: \(response.text)", sourceLocation: sourceLocation)
}

/// Checks a response of the test responder's describing route.
func expectDescribed(
    _ response: RawResponse, method: String = "GET", path: String, query: String = "", bodyLength: Int = 0,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(response.status == 200, sourceLocation: sourceLocation)
    #expect(response.header("Content-Type") == "application/json", sourceLocation: sourceLocation)
    let object = try jsonObject(response, sourceLocation: sourceLocation)
    #expect(object["method"]?.string == method, sourceLocation: sourceLocation)
    #expect(object["path"]?.string == path, sourceLocation: sourceLocation)
    #expect(object["query"]?.string == query, sourceLocation: sourceLocation)
    #expect(object["bodyLength"]?.int64 == Int64(bodyLength), sourceLocation: sourceLocation)
}

func sleepMilliseconds(_ milliseconds: Int) {
    MonotonicClock.sleep(milliseconds: Int64(milliseconds))
}

/// CPU time a thread has used, in milliseconds.
func cpuMilliseconds(ofThread thread: pthread_t) -> Int64? {
    var clock = clockid_t()
    guard pthread_getcpuclockid(thread, &clock) == 0 else { return nil }
    var spec = timespec()
    guard clock_gettime(clock, &spec) == 0 else { return nil }
    return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
}

/// Failure messages collected from client threads, checked afterwards on the test's thread.
final class FailureLog: Sendable {
    private let messages = Locked<[String]>([])
    func add(_ message: String) { messages.withLock { $0.append(message) } }
    var all: [String] { messages.withLock { $0 } }
}

/// Runs `body(0..<count)` on `count` fresh threads at once and joins them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let threads = (0..<count).map { index in JoinableThread { body(index) } }
    for thread in threads { thread.join() }
}

// MARK: Raw socket helpers

/// Direct reads on the socket, bypassing `RawConnection`'s buffer: use them only while that buffer
/// is empty (before `readResponse`, or when no further response has arrived).
extension RawConnection {
    /// Reads byte by byte up to and including the first empty line (so nothing after it is taken).
    func readRawHead(timeoutMilliseconds: Int32 = 5_000) throws -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while !bytes.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard waitFor(PollEvents.readable, milliseconds: Int(timeoutMilliseconds)) else {
                throw RawConnectionError.timedOut
            }
            switch try? withUnsafeMutableBytes(of: &byte, { try Syscall.read(fd, $0) }) {
            case .done(1)?: bytes.append(byte)
            case .wouldBlock?: continue
            default: throw RawConnectionError.closed
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Everything that arrives within `milliseconds` (stopping early at end of stream).
    func bytesArriving(withinMilliseconds milliseconds: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        let deadline = MonotonicClock.milliseconds() + milliseconds
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let left = deadline - MonotonicClock.milliseconds()
            if left <= 0 { return bytes }
            guard waitFor(PollEvents.readable, milliseconds: Int(left)) else { return bytes }
            switch try? chunk.withUnsafeMutableBytes({ try Syscall.read(fd, $0) }) {
            case .done(let n)? where n > 0: bytes += chunk[..<n]
            case .wouldBlock?: continue
            default: return bytes
            }
        }
    }

    /// Reads until the server closes (end of stream or reset); the bytes received, or nil when the
    /// connection is still open after `milliseconds`.
    func readUntilClosed(timeoutMilliseconds milliseconds: Int64 = 5_000) -> [UInt8]? {
        var bytes: [UInt8] = []
        let deadline = MonotonicClock.milliseconds() + milliseconds
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let left = deadline - MonotonicClock.milliseconds()
            if left <= 0 { return nil }
            guard waitFor(PollEvents.readable, milliseconds: Int(left)) else { return nil }
            switch try? chunk.withUnsafeMutableBytes({ try Syscall.read(fd, $0) }) {
            case .done(let n)? where n > 0: bytes += chunk[..<n]
            case .wouldBlock?: continue
            default: return bytes  // end of stream, reset or another error: closed
            }
        }
    }

    /// Sends `bytes` one at a time with a pause between, so the server sees many small reads.
    func sendByteByByte(_ text: String, pauseMicroseconds: UInt32 = 300) throws {
        for byte in text.utf8 {
            try send([byte])
            MonotonicClock.sleep(microseconds: Int64(pauseMicroseconds))
        }
    }

    /// Sends our FIN (no more requests) but keeps reading.
    func shutdownWrite() {
        TCPSocket.shutdown(fd, .writing)
    }

    /// Makes the coming close send a reset (SO_LINGER with a zero timeout).
    func resetOnClose() {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    }
}
