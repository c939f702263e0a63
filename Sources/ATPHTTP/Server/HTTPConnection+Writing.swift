import ATPPosix
import ATPUtilities

/// Serializing responses into the output buffer, sending it, and closing.
extension HTTPConnection {
    /// Appends status line, standard headers and body of `response`.
    /// - Complexity: O(body); no allocation once `output` has grown.
    func appendResponse(_ response: HTTPResponse, isHead: Bool) {
        HTTPStatus.appendStatusLine(response.status, to: &output)
        output.append(contentsOf: worker.dateHeader)
        output.appendASCII(response.contentType.headerLine)
        output.appendASCII("Content-Length: ")
        output.appendDecimal(response.body.count)
        output.appendASCII("\r\nX-Request-Id: ")
        output.append(contentsOf: requestID)
        output.appendASCII("\r\n")
        output.append(contentsOf: response.extraHeaders)
        if !keepAlive {
            output.appendASCII("Connection: close\r\n")
        } else if head.minorVersion == 0 {
            output.appendASCII("Connection: keep-alive\r\n")
        }
        output.appendASCII("\r\n")
        if !isHead { output.append(contentsOf: response.body) }
    }

    /// Sends as much of the output buffer as the socket takes; watches for writability if not all.
    func flush() {
        while written < output.count {
            let result: IOResult<Int>
            do {
                result = try output.withUnsafeBytes { all throws(SystemError) in
                    try Syscall.write(fd, UnsafeRawBufferPointer(rebasing: all[written...]))
                }
            } catch {
                close()
                return
            }
            guard case .done(let n) = result else { break }
            written += n
            lastWriteProgress = worker.loop.now
        }
        if written == output.count {
            output.removeAll(keepingCapacity: output.capacity <= 1 << 20)
            written = 0
            if case .closing = phase {
                linger()
                return
            }
        }
        let needsWrite = written < output.count
        if needsWrite != wantsWrite {
            wantsWrite = needsWrite
            worker.loop.modify(
                fd, events: (peerClosed ? 0 : EpollEvents.readable) | (needsWrite ? EpollEvents.writable : 0))
        }
        if !needsWrite, case .head = phase {
            input.shrinkIfIdle(to: 16 * 1024)
            if draining && input.isEmpty { close() }
        }
    }

    /// Stops taking requests, sends what is buffered, then closes gracefully.
    func flushThenClose() {
        phase = .closing
        keepAlive = false
        flush()
    }

    /// After the last response: half-close, then read and discard until the client closes or the
    /// linger time passes, so unread request bytes do not turn into a reset that eats the answer.
    private func linger() {
        if peerClosed {
            close()
            return
        }
        if !writeShut {
            writeShut = true
            TCPSocket.shutdown(fd, .writing)
            setDeadline(.linger, 2_000)
        }
    }

    /// Closes the socket now and forgets the connection.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        worker.loop.unregister(fd)
        Syscall.close(fd)
        worker.connectionClosed(self)
    }
}
