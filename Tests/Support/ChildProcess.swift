import Glibc

/// Starting the servers tests run as child processes (redis-server, atpd).
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

    public struct SpawnError: Error, CustomStringConvertible {
        public let description: String
    }
}
