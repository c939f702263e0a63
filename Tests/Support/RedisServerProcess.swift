import ATPHTTP
import ATPPosix
import ATPUtilities
import Glibc

/// Why a test Redis server could not be started.
public struct RedisServerError: Error, CustomStringConvertible {
    public let description: String
}

/// A real `redis-server` for tests, on a free loopback port with its own temporary directory.
///
/// Starts with `--port P --bind 127.0.0.1 --save "" --appendonly no --dir <temp dir>` followed by
/// the caller's `arguments` (later options win, e.g. `["--appendonly", "yes"]`), and returns once
/// `PING` is answered (at most 5 s). The port is found by binding port 0 and closing; if the
/// server then loses the race for it, another port is tried. `restart()` reuses the port and the
/// directory, so an append-only file survives `kill()`. Every wait is bounded and every child is
/// reaped (no zombies); `deinit` stops the server and deletes the directory. A missing
/// `redis-server` is an error naming the package to install — tests fail, never skip.
/// The server's output goes to `redis.log` in the directory; readiness also waits for its
/// "Ready to accept connections" line, so callers must not lower `--loglevel` below `notice`.
///
/// Thread-safety: one thread at a time.
public final class RedisServerProcess {
    /// The loopback port the server listens on (kept across `restart()`).
    public private(set) var port: UInt16
    /// The server's working directory (AOF and log), removed by `deinit`.
    public let directory: String
    public let executable: String
    private let arguments: [String]
    /// The running server's process id, or 0.
    private var pid: pid_t = 0

    /// `redis://127.0.0.1:port` without credentials.
    public var url: String { "redis://127.0.0.1:\(port)" }

    public var isRunning: Bool { pid != 0 }

    /// A URL with credentials and a database, e.g. `redis://user:pw@127.0.0.1:port/2`.
    public func url(user: String? = nil, password: String? = nil, db: Int = 0) -> String {
        var text = "redis://"
        if let password { text += "\(user ?? ""):\(password)@" }
        text += "127.0.0.1:\(port)"
        if db != 0 { text += "/\(db)" }
        return text
    }

    /// Starts a server; `arguments` are extra `redis-server` options.
    public init(arguments: [String] = []) throws {
        guard let executable = RedisServerProcess.findExecutable("redis-server") else {
            throw RedisServerError(
                description:
                    "redis-server is not installed (not found on PATH): apt-get install redis-server")
        }
        self.executable = executable
        self.arguments = arguments
        directory = try TemporaryDirectory(prefix: "atpd-redis").path
        port = 0
        var lastError: (any Error)?
        for _ in 0..<10 {
            do {
                port = try RedisServerProcess.freeLoopbackPort()
                if try launch() { return }
            } catch {
                lastError = error
                break
            }
        }
        // `deinit` runs for this throw (every property is set) and removes the directory.
        throw lastError ?? RedisServerError(description: "redis-server: no free port after 10 tries")
    }

    deinit {
        stop()
        RedisServerProcess.removeTree(directory)
    }

    /// Asks the server to shut down (SIGTERM) and waits for it, at most 5 s before SIGKILL.
    public func stop() {
        guard pid != 0 else { return }
        Glibc.kill(pid, SIGTERM)
        if !reap(waitingMilliseconds: 5_000) {
            Glibc.kill(pid, SIGKILL)
            reapBlocking()
        }
    }

    /// Kills the server at once (SIGKILL), as a crash would, and reaps it.
    public func kill() {
        guard pid != 0 else { return }
        Glibc.kill(pid, SIGKILL)
        reapBlocking()
    }

    /// Starts the server again on the same port and directory (stopping it first if running).
    ///
    /// Retries for up to about 2 s if the port is still taken.
    public func restart() throws {
        stop()
        for _ in 0..<40 {
            if try launch() { return }
            MonotonicClock.sleep(milliseconds: 50)
        }
        throw RedisServerError(description: "redis-server: port \(port) stayed in use; cannot restart")
    }

    /// Spawns the server on `port` and waits until it answers `PING`. False when the port was
    /// taken (the caller retries); throws on any other failure.
    private func launch() throws -> Bool {
        let log = directory + "/redis.log"
        let argv =
            [
                executable, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", directory, "--daemonize", "no", "--loglevel", "notice",
            ] + arguments
        switch ChildProcess.spawn(executable, argv, logPath: log) {
        case .success(let child): pid = child
        case .failure(let error): throw RedisServerError(description: error.description)
        }

        var exited = false
        let ready = eventually(within: 5_000, every: 10) {
            exited = reap(waitingMilliseconds: 0)
            // The log check makes sure the PING was answered by this child, not by another
            // test's server that won the race for the same port.
            return exited
                || (RedisServerProcess.tail(of: log).contains("Ready to accept connections")
                    && RedisServerProcess.answersPing(port: port))
        }
        if exited {
            let output = RedisServerProcess.tail(of: log)
            if output.contains("Address already in use") { return false }
            throw RedisServerError(description: "redis-server exited at start:\n\(output)")
        }
        if ready { return true }
        kill()
        throw RedisServerError(
            description:
                "redis-server did not answer PING on port \(port) within 5 s:\n\(RedisServerProcess.tail(of: log))"
        )
    }

    /// Waits up to `waitingMilliseconds` for the child to exit (`ChildProcess.reap`) and clears
    /// `pid` if it did (or was reaped elsewhere). Returns whether it exited.
    private func reap(waitingMilliseconds: Int) -> Bool {
        guard pid != 0 else { return true }
        guard ChildProcess.reap(pid, waitingMilliseconds: waitingMilliseconds) != nil else { return false }
        pid = 0
        return true
    }

    /// Waits for the child to exit, however long that takes, and clears `pid`.
    private func reapBlocking() {
        guard pid != 0 else { return }
        _ = ChildProcess.reap(pid, block: true)
        pid = 0
    }

    /// True when something on `port` answers a RESP `PING` with `+PONG` or `-NOAUTH` (the
    /// server is up but wants a password); false for no answer or `-LOADING`.
    private static func answersPing(port: UInt16) -> Bool {
        guard let fd = try? TCPSocket.connect(to: .loopback(port: port), timeoutMilliseconds: 200) else {
            return false
        }
        defer { Syscall.close(fd) }
        let ping = Array("*1\r\n$4\r\nPING\r\n".utf8)
        guard case .done(ping.count)? = ping.withUnsafeBytes({ try? Syscall.write(fd, $0) }),
            (try? Syscall.poll(fd, for: PollEvents.readable, withinMilliseconds: 500)) != nil
        else {
            return false
        }
        var reply = [UInt8](repeating: 0, count: 64)
        guard case .done(let count)? = reply.withUnsafeMutableBytes({ try? Syscall.read(fd, $0) }), count > 0
        else { return false }
        let text = String(decoding: reply[..<count], as: UTF8.self)
        return text.hasPrefix("+PONG") || text.hasPrefix("-NOAUTH")
    }

    /// A loopback port nothing listens on right now (bind port 0, read it, close).
    public static func freeLoopbackPort() throws -> UInt16 {
        let fd = try TCPSocket.listen(on: .loopback(port: 0), backlog: 1)
        defer { Syscall.close(fd) }
        return try TCPSocket.localAddress(fd).port
    }

    private static func findExecutable(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        let folders =
            path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/usr/sbin"]
        return folders.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// The last 4 KiB of a file, for error messages.
    private static func tail(of path: String) -> String {
        guard let file = fopen(path, "r") else { return "(no output)" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[..<count]
            if bytes.count > 4_096 { bytes.removeFirst(bytes.count - 4_096) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Deletes a file, or a directory and everything under it (symbolic links are not followed).
    private static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            unlink(path)
            return
        }
        var names: [String] = []
        if let folder = opendir(path) {
            while let entry = readdir(folder) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(folder)
        }
        for name in names { removeTree(path + "/" + name) }
        rmdir(path)
    }
}
