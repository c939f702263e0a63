import ATPHTTP
import ATPPosix
import ATPUtilities

/// A response as a test reads it off the wire.
public struct RawResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first header named `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking loopback TCP connection for tests: send raw bytes, read whole responses.
///
/// Every read and write waits at most `timeoutMilliseconds` (`Syscall.poll`), so a test never
/// hangs.
/// Thread-safety: one thread at a time.
public final class RawConnection {
    public let fd: Int32
    public let timeoutMilliseconds: Int32
    private var buffer: [UInt8] = []

    public init(port: UInt16, timeoutMilliseconds: Int32 = 5_000) throws {
        fd = try TCPSocket.connect(to: .loopback(port: port), timeoutMilliseconds: timeoutMilliseconds)
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    deinit { Syscall.close(fd) }

    /// Whether `events` (`PollEvents`) are ready within `milliseconds` (default: the connection's
    /// timeout); false on a timeout or a failed poll.
    public func waitFor(_ events: Int16, milliseconds: Int? = nil) -> Bool {
        (try? Syscall.poll(fd, for: events, withinMilliseconds: milliseconds ?? Int(timeoutMilliseconds)))
            != nil
    }

    /// Sends all of `bytes` (blocking until written or the timeout passes).
    public func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            switch try? bytes[sent...].withUnsafeBytes({ try Syscall.write(fd, $0) }) {
            case .done(let n)? where n > 0:
                sent += n
            case .wouldBlock?:
                guard waitFor(PollEvents.writable) else { throw RawConnectionError.timedOut }
            default:
                throw RawConnectionError.closed
            }
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads one complete response (Content-Length, chunked, or until close); the answer to a
    /// HEAD request is read as `bodyless` (its Content-Length describes a body that is not sent).
    public func readResponse(bodyless: Bool = false) throws -> RawResponse {
        while true {
            if let response = try parseBuffered(atEOF: false, bodyless: bodyless) { return response }
            guard try fill() else {
                if let response = try parseBuffered(atEOF: true, bodyless: bodyless) { return response }
                throw RawConnectionError.closed
            }
        }
    }

    /// True when the server has closed the connection (reads EOF within the timeout).
    public func isClosedByPeer() -> Bool {
        do {
            while try fill() { buffer.removeAll() }
            return true
        } catch {
            return false
        }
    }

    /// The bytes still to come before the server closes, buffered ones first: `[]` when the
    /// connection ends with nothing more; nil when it is still open after the timeout.
    public func readToEnd() -> [UInt8]? {
        let deadline = MonotonicClock.milliseconds() + Int64(timeoutMilliseconds)
        while MonotonicClock.milliseconds() < deadline {
            guard let more = try? fill() else { return nil }
            if !more {
                defer { buffer.removeAll() }
                return buffer
            }
        }
        return nil
    }

    /// Reads more bytes into the buffer; false on EOF (or a reset), throws on timeout.
    private func fill() throws -> Bool {
        guard waitFor(PollEvents.readable) else { throw RawConnectionError.timedOut }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        switch try? chunk.withUnsafeMutableBytes({ try Syscall.read(fd, $0) }) {
        case .done(let n)? where n > 0:
            buffer += chunk[..<n]
            return true
        case .wouldBlock?:
            return true  // nothing after all: the caller reads again
        default:
            return false
        }
    }

    private func parseBuffered(atEOF: Bool, bodyless: Bool) throws -> RawResponse? {
        guard let headEnd = find([13, 10, 13, 10], in: buffer) else { return nil }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw RawConnectionError.malformed(head)
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: " ")
            )
        }
        var response = RawResponse(status: status, headers: headers, body: [])
        let bodyStart = headEnd + 4
        if status == 100 {
            buffer.removeFirst(bodyStart)
            return try parseBuffered(atEOF: atEOF, bodyless: bodyless)
        }
        if bodyless {
            buffer.removeFirst(bodyStart)
            return response
        }
        if let length = response.header("Content-Length").flatMap(Int.init) {
            guard buffer.count >= bodyStart + length else { return nil }
            response.body = Array(buffer[bodyStart..<(bodyStart + length)])
            buffer.removeFirst(bodyStart + length)
            return response
        }
        guard atEOF else { return nil }
        response.body = Array(buffer[bodyStart...])
        buffer.removeAll()
        return response
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count)
        where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}

public enum RawConnectionError: Error {
    case timedOut
    case closed
    case malformed(String)
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
