import Glibc

/// CPU time used by this process (`getrusage`, microseconds) or by another process on the same
/// machine (`/proc/<pid>/stat` utime and stime, in clock ticks of usually 10 ms), so a rehearsal
/// can say what the load client itself and the servers (`--cpu-pid`) burned in the measured
/// window.
///
/// Thread-safety: stateless; call from any thread. Complexity: one or two system calls, or one
/// small file read.
public enum ProcessCPU {
    /// User and system seconds so far of `pid`, or of this process when nil; nil when the
    /// process does not exist (or /proc is not mounted).
    public static func sample(pid: Int32?) -> (user: Double, system: Double)? {
        guard let pid else {
            var usage = rusage()
            guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return nil }
            return (seconds(usage.ru_utime), seconds(usage.ru_stime))
        }
        guard let stat = try? readFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")"))
        else { return nil }
        // After "pid (comm) " come state (field 3) ... utime (14) and stime (15).
        let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 12, let user = Int64(String(decoding: fields[11], as: UTF8.self)),
            let system = Int64(String(decoding: fields[12], as: UTF8.self))
        else { return nil }
        let hz = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
        return (Double(user) / hz, Double(system) / hz)
    }

    /// The command name of `pid` (`/proc/<pid>/comm`), or "pid N" when unknown.
    public static func name(pid: Int32) -> String {
        guard let comm = try? readFile("/proc/\(pid)/comm"), !comm.isEmpty else { return "pid \(pid)" }
        return String(decoding: comm.prefix { $0 != 0x0A }, as: UTF8.self)
    }

    private static func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
}

/// The CPU one process used during a run's measured window.
///
/// Thread-safety: a value type.
public struct CPUFigure: Sendable, Equatable {
    /// `atp-load` for the load client itself, else the process's command name.
    public var process: String
    /// nil for the load client itself.
    public var pid: Int32?
    public var userSeconds: Double
    public var systemSeconds: Double
    public var totalSeconds: Double { userSeconds + systemSeconds }

    public init(process: String, pid: Int32?, userSeconds: Double, systemSeconds: Double) {
        self.process = process
        self.pid = pid
        self.userSeconds = userSeconds
        self.systemSeconds = systemSeconds
    }

    /// `atp-load` or `atpd[1234]`.
    public var label: String { pid.map { "\(process)[\($0)]" } ?? process }
}

/// Samples this process and the watched pids at the start and at the end of a window.
///
/// Thread-safety: a value type; used by the runner's thread.
struct CPUWindow {
    private let pids: [Int32?]
    private var first: [(user: Double, system: Double)?] = []

    init(watching pids: [Int32]) {
        self.pids = [nil] + pids.map { Optional($0) }
    }

    mutating func begin() { first = pids.map { ProcessCPU.sample(pid: $0) } }

    /// What each process used since `begin` (processes that vanished are left out).
    func end() -> [CPUFigure] {
        var figures: [CPUFigure] = []
        for (i, pid) in pids.enumerated() {
            guard i < first.count, let before = first[i], let after = ProcessCPU.sample(pid: pid) else {
                continue
            }
            figures.append(
                CPUFigure(
                    process: pid.map { ProcessCPU.name(pid: $0) } ?? "atp-load", pid: pid,
                    userSeconds: max(0, after.user - before.user),
                    systemSeconds: max(0, after.system - before.system)))
        }
        return figures
    }
}
