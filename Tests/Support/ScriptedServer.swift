import ATPHTTP
import ATPPosix
import Foundation

/// One accepted connection of `ScriptedServer`: buffered reads of requests, raw writes. Every
/// wait is bounded (3 s), so a confused test fails instead of hanging.
///
/// Thread-safety: used by the server's script thread only.
public final class ScriptedPeer {
    public let fd: Int32
    private var buffer: [UInt8] = []
    /// Every request read, as text.
    public private(set) var requests: [String] = []
    init(fd: Int32) { self.fd = fd }

    /// Whether `events` are ready within 3 s.
    private func waitFor(_ events: Int16) -> Bool {
        (try? Syscall.poll(fd, for: events, withinMilliseconds: 3_000)) != nil
    }

    /// Reads once, waiting up to 3 s; false at the end of the stream, on error or timeout.
    private func fill() -> Bool {
        guard waitFor(PollEvents.readable) else { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        guard case .done(let n)? = chunk.withUnsafeMutableBytes({ try? Syscall.read(fd, $0) }), n > 0 else {
            return false
        }
        buffer += chunk[..<n]
        return true
    }

    /// The next request (head and Content-Length body) as text, or nil when the client closed.
    /// Complexity: O(request), plus a scan of the buffer for the head's end.
    public func readRequest() -> String? {
        while true {
            if let end = (0..<max(0, buffer.count - 3)).first(where: {
                buffer[$0..<$0 + 4].elementsEqual("\r\n\r\n".utf8)
            }) {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                let lengthLine = head.split(separator: "\r\n").first {
                    $0.lowercased().hasPrefix("content-length:")
                }
                let length =
                    lengthLine.flatMap { Int(String($0.dropFirst(15)).trimmingCharacters(in: .whitespaces)) }
                    ?? 0
                if buffer.count >= end + 4 + length {
                    requests.append(String(decoding: buffer[..<(end + 4 + length)], as: UTF8.self))
                    buffer.removeFirst(end + 4 + length)
                    return requests.last
                }
            }
            guard fill() else { return nil }
        }
    }

    /// Writes `text` whole (or until the client stops reading for 3 s).
    public func write(_ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            guard waitFor(PollEvents.writable),
                case .done(let n)? = bytes[sent...].withUnsafeBytes({ try? Syscall.write(fd, $0) }), n > 0
            else { return }
            sent += n
        }
    }

    /// Reads requests until the client closes (or 3 s pass without a byte).
    public func drain() { while readRequest() != nil {} }

    /// Answers each request with the next of `responses`, then drains.
    public func answer(_ responses: [String]) {
        for response in responses {
            guard readRequest() != nil else { return }
            write(response)
        }
        drain()
    }
}

/// A blocking test server on 127.0.0.1 that accepts `connections` connections one after another
/// and runs `script` on each, on its own thread: for testing a client against exact bytes,
/// including broken ones no real server sends.
///
/// Thread-safety: the script runs on the server's thread (a `JoinableThread`); `requests` and
/// `accepted` are read after `finish()` joined it (`@unchecked Sendable` for that hand-over, and
/// for the script, which only that thread calls).
public final class ScriptedServer: @unchecked Sendable {
    public let listener: Int32
    public let address: SocketAddress
    private let script: (ScriptedPeer, Int) -> Void
    private var thread: JoinableThread?
    /// Every request received, in order; read after `finish`.
    public private(set) var requests: [String] = []
    /// How many connections were accepted; read after `finish`.
    public private(set) var accepted = 0

    /// Starts accepting; `script` gets each connection and its index (from 0).
    public init(connections: Int = 1, _ script: @escaping (ScriptedPeer, Int) -> Void) throws {
        listener = try TCPSocket.listen(on: .loopback(port: 0))
        address = try TCPSocket.localAddress(listener)
        self.script = script
        thread = JoinableThread(name: "scripted-server") { [self] in serve(connections: connections) }
    }

    /// The server thread: accepts (waiting up to 3 s for each) and scripts `connections` peers.
    private func serve(connections: Int) {
        for index in 0..<connections {
            guard (try? Syscall.poll(listener, for: PollEvents.readable, withinMilliseconds: 3_000)) != nil,
                case .done(let fd)? = try? Syscall.accept(listener)
            else {
                return
            }
            accepted += 1
            let peer = ScriptedPeer(fd: fd)
            script(peer, index)
            requests += peer.requests
            Syscall.close(fd)
        }
    }

    /// Answers the requests on each connection with `responses`, in order.
    public convenience init(connections: Int = 1, responses: [String]) throws {
        try self.init(connections: connections) { peer, _ in peer.answer(responses) }
    }

    private var extraConnection: Bool?

    /// Joins the server thread and closes the listener (once; later calls repeat the answer).
    /// - Returns: whether a further connection was waiting to be accepted (one too many).
    @discardableResult
    public func finish() -> Bool {
        if let extraConnection { return extraConnection }
        thread?.join()
        thread = nil
        extraConnection =
            (try? Syscall.poll(listener, for: PollEvents.readable, withinMilliseconds: 50)) != nil
        Syscall.close(listener)
        return extraConnection!
    }
}
