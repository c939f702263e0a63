import ATPPosix
import Glibc

/// Starting, reaping and waiting for the child processes of the tests and benchmarks
/// (redis-server, atpd, umount): the one process-spawning code of the tests.
///
/// Thread-safety: stateless.
public enum ChildProcess {
    /// Starts `executable` with `argv` (argv[0] included), stdin from /dev/null and stdout plus
    /// stderr into `logPath`. The child starts with no blocked signals and default SIGPIPE,
    /// whatever this process set.
    /// - Returns: the child's pid, or the `strerror` text of a failed `posix_spawn`.
    public static func spawn(_ executable: String, _ argv: [String], logPath: String) -> Result<
        pid_t, SpawnError
    > {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var pipeOnly = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &pipeOnly)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArguments = argv.map { strdup($0) }
        cArguments.append(nil)
        defer { for argument in cArguments { free(argument) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, cArguments, environ)
        guard result == 0 else {
            return .failure(
                SpawnError(description: "posix_spawn \(executable): \(String(cString: strerror(result)))"))
        }
        return .success(child)
    }

    /// Reaps `pid` if it has exited, or waits until it has when `block`; EINTR is retried.
    /// - Returns: its wait status; -1 when it is no child of this process any more (ECHILD:
    ///   reaped elsewhere); nil while it is still running (only when not `block`).
    public static func reap(_ pid: pid_t, block: Bool) -> Int32? {
        var status: Int32 = 0
        let (result, code) = Syscall.retryingInterrupts {
            Int(waitpid(pid, &status, block ? 0 : WNOHANG))
        }
        if result == Int(pid) { return status }
        if code != 0 { return -1 }
        return nil
    }

    /// Waits up to `milliseconds` for `pid` to exit (polling as `eventually` does) and reaps it.
    /// - Returns: its wait status (-1 for ECHILD), or nil when it is still running.
    public static func reap(_ pid: pid_t, waitingMilliseconds milliseconds: Int) -> Int32? {
        var status: Int32?
        _ = eventually(within: milliseconds) {
            status = reap(pid, block: false)
            return status != nil
        }
        return status
    }

    /// Whether a wait status says the child exited normally with status 0 (WIFEXITED and
    /// WEXITSTATUS by hand: the macros are not imported).
    public static func exitedZero(_ status: Int32) -> Bool { exitCode(status) == 0 }

    /// The exit status of a child that exited normally, or nil when a signal ended it.
    public static func exitCode(_ status: Int32) -> Int32? {
        status & 0x7F == 0 ? (status >> 8) & 0xFF : nil
    }

    /// Runs `executable` with `arguments` (argv[0] is `executable`), output into `logPath`, and
    /// waits for it; its exit status, or nil when it could not start or a signal ended it.
    public static func run(_ executable: String, _ arguments: [String], logPath: String = "/dev/null")
        -> Int32?
    {
        guard case .success(let pid) = spawn(executable, [executable] + arguments, logPath: logPath),
            let status = reap(pid, block: true)
        else { return nil }
        return exitCode(status)
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public let description: String
    }
}
