import ATPPosix

/// One accepted client connection: reads requests, answers them in order, enforces limits.
///
/// Requests are parsed straight from the read buffer; each complete request goes to the
/// responder, and its response is appended to the output buffer, so pipelined requests are
/// answered in order with one `send` for the batch. A deferred response holds back the requests
/// behind it until it completes.
/// Thread-safety: confined to its worker's loop thread.
final class HTTPConnection: EventHandler {
    enum Phase {
        /// Waiting for (the rest of) a request head.
        case head
        /// Head parsed; waiting for `length` body bytes after it.
        case fixedBody(headLength: Int, length: Int)
        /// Head parsed; decoding a chunked body whose raw bytes after the head number `consumed`.
        case chunkedBody(headLength: Int, consumed: Int)
        /// A deferred response is pending; the request's bytes are `length` long.
        case awaiting(length: Int)
        /// The connection is finishing: flushing, then lingering or closing.
        case closing
    }

    enum Deadline { case none, idle, head, progress, linger }

    let fd: Int32
    let id: UInt64
    /// Unowned without reference counting: the worker owns its connections and outlives them.
    unowned(unsafe) let worker: ServerWorker
    var input = ReadBuffer(capacity: 16 * 1024)
    var output: [UInt8] = []
    var written = 0
    var phase = Phase.head
    var parser: HTTPHeadParser
    var head = HTTPRequestHead()
    var chunked = ChunkedDecoder(limit: 0)
    var chunkedBody: [UInt8] = []
    var response = HTTPResponse()
    var requestID: [UInt8] = []
    var sequence: UInt64 = 0
    var keepAlive = true
    var peerClosed = false
    var writeShut = false
    var wantsWrite = false
    var deadline: Int64 = 0
    var deadlineKind = Deadline.none
    /// Set when the server is shutting down: answer what is in flight, then close.
    var draining = false
    var isClosed = false
    /// When the last byte was sent, for the write-stall timeout.
    var lastWriteProgress: Int64 = 0

    init(fd: Int32, id: UInt64, worker: ServerWorker) {
        self.fd = fd
        self.id = id
        self.worker = worker
        parser = HTTPHeadParser(maxHeadBytes: worker.configuration.maxHeadBytes)
        parser.indexedHeaders = worker.indexedHeaders
        output.reserveCapacity(4096)
        setDeadline(.head, worker.configuration.headerTimeoutMilliseconds)
    }

    /// True when no request is in progress and nothing is left to write.
    var isIdle: Bool {
        if case .head = phase { return input.isEmpty && written == output.count }
        return false
    }

    func handleEvents(_ events: UInt32) {
        if events & (EpollEvents.readable | EpollEvents.hangUp | EpollEvents.error) != 0 { readAvailable() }
        if isClosed { return }
        if events & EpollEvents.writable != 0 { flush() }
    }

    // MARK: Reading

    private func readAvailable() {
        // Bounded per wake-up so one busy client cannot starve the others on this loop.
        var budget = 256 * 1024
        while budget > 0 && !isClosed {
            let result: IOResult<Int>
            do {
                result = try input.read(from: fd, atMost: budget)
            } catch {
                close()
                return
            }
            switch result {
            case .wouldBlock:
                budget = 0
            case .done(0):
                if !peerClosed {
                    peerClosed = true
                    // End of stream stays readable: stop watching for input, or the loop spins
                    // while an answer is pending or still being written.
                    worker.loop.modify(fd, events: wantsWrite ? EpollEvents.writable : 0)
                }
                budget = 0
            case .done(let n):
                // A short read drained the socket: epoll (level-triggered) reports the next bytes,
                // so skip the read that would only say EAGAIN.
                budget = n < input.lastRoom ? 0 : budget - n
                if case .closing = phase {
                    input.consume(input.count)  // lingering: discard
                } else if case .idle = deadlineKind {
                    setDeadline(.head, worker.configuration.headerTimeoutMilliseconds)
                } else if case .progress = deadlineKind {
                    setDeadline(.progress, worker.configuration.progressTimeoutMilliseconds)
                }
            }
        }
        if isClosed { return }
        processInput()
        if isClosed { return }
        if peerClosed {
            // Close once everything is sent; a response still being written is finished first.
            if case .closing = phase, written == output.count {
                close()
                return
            }
            if case .awaiting = phase { return }  // answer, then close
            flushThenClose()
            return
        }
        flush()
    }

    /// Parses and answers every complete request in the buffer.
    func processInput() {
        while !isClosed {
            switch phase {
            case .head:
                if !readHead() { return }
            case .fixedBody(let headLength, let length):
                guard input.count >= headLength + length else {
                    input.reserve(free: headLength + length - input.count)
                    return
                }
                let all = input.readable
                dispatch(
                    headLength: headLength,
                    body: UnsafeRawBufferPointer(rebasing: all[headLength..<(headLength + length)]),
                    length: headLength + length)
            case .chunkedBody(let headLength, let consumed):
                if !readChunks(headLength: headLength, consumed: consumed) { return }
            case .awaiting, .closing:
                return
            }
        }
    }

    /// Reads a request head; false when more bytes are needed or the connection is done.
    private func readHead() -> Bool {
        let headLength: Int
        do throws(HTTPParseError) {
            // Empty lines before a request line are ignored (RFC 9112 §2.2).
            input.consume(try parser.emptyLinesBefore(input.readable))
            if input.isEmpty {
                if draining { flushThenClose() }
                return false
            }
            guard let length = try parser.findEnd(input.readable) else { return false }
            headLength = length
            try parser.parse(input.readable, length: length, into: &head)
        } catch {
            fail(error)
            return false
        }
        parser.reset()
        let limit = worker.responder.bodyLimit(
            for: head, headBytes: UnsafeRawBufferPointer(rebasing: input.readable[..<headLength]))
        if head.chunked {
            chunked = ChunkedDecoder(limit: limit)
            chunkedBody.removeAll(keepingCapacity: true)
            phase = .chunkedBody(headLength: headLength, consumed: 0)
        } else if let length = head.contentLength, length > 0 {
            guard length <= limit else {
                fail(.payloadTooLarge)
                return false
            }
            phase = .fixedBody(headLength: headLength, length: length)
        } else {
            dispatch(
                headLength: headLength, body: UnsafeRawBufferPointer(start: nil, count: 0), length: headLength
            )
            return true
        }
        setDeadline(.progress, worker.configuration.progressTimeoutMilliseconds)
        if head.expectsContinue && input.count == headLength {
            output.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
        }
        return true
    }

    /// Decodes chunked body bytes; false when more are needed or the connection is done.
    private func readChunks(headLength: Int, consumed: Int) -> Bool {
        let all = input.readable
        let fresh = UnsafeRawBufferPointer(rebasing: all[(headLength + consumed)...])
        let used: Int
        do throws(HTTPParseError) {
            used = try chunked.decode(fresh, into: &chunkedBody)
            // Raw chunk framing may not exceed the body limit by much (1-byte chunks cost 6×).
            if consumed + used > 2 * chunked.limit + 64 * 1024 { throw .payloadTooLarge }
        } catch {
            fail(error)
            return false
        }
        if chunked.isDone {
            let length = headLength + consumed + used
            chunkedBody.withUnsafeBytes { body in dispatch(headLength: headLength, body: body, length: length)
            }
            return true
        }
        phase = .chunkedBody(headLength: headLength, consumed: consumed + used)
        input.reserve(free: 4096)
        return false
    }

    // MARK: Dispatch

    /// Hands a complete request to the responder; `length` is its size in the read buffer.
    private func dispatch(headLength: Int, body: UnsafeRawBufferPointer, length: Int) {
        let headBytes = UnsafeRawBufferPointer(rebasing: input.readable[..<headLength])
        worker.makeRequestID(
            echoing: head.requestID.map { UnsafeRawBufferPointer(rebasing: headBytes[$0]) }, into: &requestID)
        keepAlive = head.keepAlive && !draining
        sequence &+= 1
        response.reset()
        let disposition = requestID.withUnsafeBytes { id in
            let request = HTTPRequest(
                head: head, headBytes: headBytes, body: body, requestID: id,
                deferral: HTTPDeferral(worker: worker, connectionID: self.id, sequence: sequence))
            return worker.responder.respond(to: request, &response)
        }
        switch disposition {
        case .answered:
            finishRequest(length: length)
        case .deferred:
            phase = .awaiting(length: length)
            setDeadline(.none, 0)
        }
    }

    /// A deferred response arrived; sends it and resumes reading.
    func completeDeferred(sequence: UInt64, response deferred: HTTPResponse) {
        guard sequence == self.sequence, case .awaiting(let length) = phase else { return }
        response = deferred
        // Shutdown may have begun after dispatch decided on keep-alive: this answer is the last.
        if draining { keepAlive = false }
        finishRequest(length: length)
        if isClosed { return }
        processInput()
        if !isClosed { peerClosed ? flushThenClose() : flush() }
    }

    private func finishRequest(length: Int) {
        appendResponse(response, isHead: head.method == .head)
        input.consume(length)
        chunkedBody.removeAll(keepingCapacity: true)
        if keepAlive {
            phase = .head
            setDeadline(
                input.isEmpty ? .idle : .head,
                input.isEmpty
                    ? worker.configuration.idleTimeoutMilliseconds
                    : worker.configuration.headerTimeoutMilliseconds)
        } else {
            flushThenClose()
        }
    }

    /// Answers a protocol error as the responder renders it and closes the connection.
    func fail(_ error: HTTPParseError) {
        keepAlive = false
        worker.makeRequestID(echoing: nil, into: &requestID)
        response.reset()
        response.status = error.status
        worker.responder.renderProtocolError(error, into: &response)
        appendResponse(response, isHead: false)
        flushThenClose()
    }

    // MARK: Deadlines

    func setDeadline(_ kind: Deadline, _ milliseconds: Int64) {
        deadlineKind = kind
        deadline = worker.loop.now + milliseconds
    }

    /// Called by the worker's sweep when `deadline` has passed.
    func deadlinePassed() {
        switch deadlineKind {
        case .none:
            return
        case .idle, .linger:
            close()
        case .head:
            if input.isEmpty {
                close()
            } else {
                fail(.requestTimeout("the request head did not arrive in time"))
            }
        case .progress:
            if case .closing = phase {
                close()
            } else if written < output.count {
                close()
            } else {
                fail(.requestTimeout("the request body stopped arriving"))
            }
        }
    }
}
