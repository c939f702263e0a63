import ATPEngine
import ATPJSON
import ATPUtilities
import Glibc

/// A value in a log line.
public enum LogValue: Sendable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null
}

/// One JSON object per line on stderr: `{"time":..,"level":..,"event":..,...}`.
///
/// Used for notable events only (start, stop, errors, slow requests), never per request.
/// Thread-safety: any thread; each line is one `write(2)`, so lines from threads do not interleave.
public struct Log: Sendable {
    /// Where lines go; tests pass a pipe.
    public let fd: Int32
    let clock: any WallClock

    public init(fd: Int32 = 2, clock: any WallClock) {
        self.fd = fd
        self.clock = clock
    }

    public func info(_ event: String, _ fields: [(String, LogValue)] = []) { write("info", event, fields) }
    public func warning(_ event: String, _ fields: [(String, LogValue)] = []) {
        write("warning", event, fields)
    }
    public func error(_ event: String, _ fields: [(String, LogValue)] = []) { write("error", event, fields) }

    private func write(_ level: StaticString, _ event: String, _ fields: [(String, LogValue)]) {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.appendASCII(#"{"time":""#)
        clock.now().appendRFC3339(to: &line, fraction: true)
        line.appendASCII(#"","level":""#)
        line.appendASCII(level)
        line.appendASCII(#"","event":"#)
        line.appendJSONString(event)
        for (name, value) in fields {
            line.append(UInt8(ascii: ","))
            line.appendJSONString(name)
            line.append(UInt8(ascii: ":"))
            switch value {
            case .string(let text): line.appendJSONString(text)
            case .int(let number): line.appendDecimal(number)
            case .bool(let flag): flag ? line.appendASCII("true") : line.appendASCII("false")
            case .null: line.appendASCII("null")
            }
        }
        line.appendASCII("}\n")
        _ = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
