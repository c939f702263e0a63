import ATPHTTP
import ATPPosix
import ATPTestSupport
import ATPUtilities
import Foundation
import Glibc

/// Why a real `atpd` child could not be started or did not stop as asked.
struct AtpdProcessError: Error, CustomStringConvertible {
    let description: String
}

/// The real `atpd` executable as a child process of the test, for end-to-end durability tests.
///
/// The executable is the one SwiftPM built next to the test bundle (`.build/<config>/atpd`, beside
/// `atpdPackageTests.xctest`). Each `start()` spawns it with `--listen 127.0.0.1:0` and the
/// caller's flags, reads the port the kernel gave from its `started` log line, and returns once
/// `GET /readyz` answers 200 (at most 10 s). Its stderr goes to a temporary file per start, quoted
/// in every error. `kill9()` is a crash (SIGKILL, then reaped); `terminate()` is the operator's
/// stop (SIGTERM; exit status 0 expected within 10 s). Every wait is bounded, every child reaped,
/// and `deinit` kills a child still running and removes the log files.
///
/// Thread-safety: one thread at a time.
final class AtpdProcess {
    let executable: String
    let arguments: [String]
    /// The running child's pid, or 0.
    private(set) var pid: pid_t = 0
    /// The port of the running (or last) child.
    private(set) var port: UInt16 = 0
    private var logs: [String] = []

    /// Starts `atpd` with `arguments` (besides `--listen`), waiting until it is ready.
    init(_ arguments: [String]) throws {
        executable = try Self.executablePath()
        self.arguments = arguments
        try start()
    }

    deinit {
        kill9()
        for log in logs { unlink(log) }
    }

    /// `atpd` beside the running test binary; throws a clear message when it is missing.
    static func executablePath() throws -> String {
        var candidates: [String] = []
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        if count > 0 {
            candidates.append(String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        candidates.append(CommandLine.arguments[0])
        for binary in candidates {
            // The test binary is `<dir>/atpdPackageTests.xctest`: `atpd` is in `<dir>`.
            let directory = (binary as NSString).deletingLastPathComponent
            if access(directory + "/atpd", X_OK) == 0 { return directory + "/atpd" }
        }
        throw AtpdProcessError(
            description:
                "the atpd executable is not next to the test binary (\(candidates.joined(separator: ", "))): "
                + "run swift build --build-tests first")
    }

    /// The running child's stderr so far (its last 8 KiB), for failure messages.
    var stderrTail: String {
        guard let log = logs.last, let data = FileManager.default.contents(atPath: log) else {
            return "(no output)"
        }
        return String(decoding: data.suffix(8_192), as: UTF8.self)
    }

    /// Spawns the child and waits (10 s at most) for its port and `/readyz` 200.
    func start() throws {
        precondition(pid == 0, "atpd is already running")
        let log = NSTemporaryDirectory() + "atpd-durability-\(getpid())-\(UUID().uuidString).log"
        logs.append(log)
        switch ChildProcess.spawn(
            executable, [executable, "--listen", "127.0.0.1:0"] + arguments, logPath: log)
        {
        case .success(let child): pid = child
        case .failure(let error): throw AtpdProcessError(description: error.description)
        }
        port = 0
        var exitStatus: Int32?
        let ready = eventually(within: 10_000) {
            exitStatus = reap(block: false)
            if exitStatus != nil { return true }
            if port == 0 { port = Self.boundPort(in: stderrTail) ?? 0 }
            return port != 0 && (try? Self.get(port: port, "/readyz"))?.status == 200
        }
        if let exitStatus {
            throw AtpdProcessError(
                description: "atpd exited during start-up (status \(exitStatus)):\n\(stderrTail)")
        }
        if ready { return }
        kill9()
        throw AtpdProcessError(description: "atpd did not become ready within 10 s:\n\(stderrTail)")
    }

    /// Kills the child at once (SIGKILL), as a crash would, and reaps it.
    func kill9() {
        guard pid != 0 else { return }
        Glibc.kill(pid, SIGKILL)
        _ = reap(block: true)
    }

    /// Asks the child to stop (SIGTERM) and expects exit status 0 within 10 s; kills it otherwise.
    func terminate() throws {
        guard pid != 0 else { return }
        Glibc.kill(pid, SIGTERM)
        if let status = ChildProcess.reap(pid, waitingMilliseconds: 10_000) {
            pid = 0
            guard ChildProcess.exitedZero(status) else {
                throw AtpdProcessError(
                    description: "atpd did not exit 0 on SIGTERM (wait status \(status)):\n\(stderrTail)")
            }
            return
        }
        kill9()
        throw AtpdProcessError(description: "atpd did not exit within 10 s of SIGTERM:\n\(stderrTail)")
    }

    /// Reaps the child if it has exited (or waits for it when `block`); its wait status (-1 when
    /// it was reaped elsewhere), or nil while it runs.
    private func reap(block: Bool) -> Int32? {
        guard pid != 0 else { return nil }
        let status = ChildProcess.reap(pid, block: block)
        if status != nil { pid = 0 }
        return status
    }

    /// One request on a fresh connection (500 ms timeout), for readiness polls.
    static func get(port: UInt16, _ path: String) throws -> RawResponse {
        let connection = try RawConnection(port: port, timeoutMilliseconds: 500)
        try connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        return try connection.readResponse()
    }

    /// The port of the `"boundAddress":"127.0.0.1:PORT"` member of the `started` log line.
    private static func boundPort(in log: String) -> UInt16? {
        guard let range = log.range(of: #""boundAddress":"127.0.0.1:"#) else { return nil }
        return UInt16(log[range.upperBound...].prefix { $0.isNumber })
    }

    /// Monotonic milliseconds.
    static func now() -> Int64 { MonotonicClock.milliseconds() }
}
