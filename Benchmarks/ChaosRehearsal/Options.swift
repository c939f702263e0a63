import ATPLoad

/// The command line of `ChaosRehearsal drive` and `ChaosRehearsal receive`.
///
/// Thread-safety: a value type.
struct Options {
    var target = ""
    var redis = ""
    var stream = ""
    var webhook = ""
    var secret = ""
    var durationSeconds = 60
    var workers = 6
    var faultLog = ""
    var startedFile = ""
    var receiverLog = ""
    var ledgerOut = ""
    var failFlag = ""
    var port = 0
    var seed: UInt64?
    var faultTimeoutSeconds = 60
    var drainTimeoutSeconds = 45
    var convergeTimeoutSeconds = 30

    static let usage = """
        usage: ChaosRehearsal drive --target http://127.0.0.1:P --redis redis://127.0.0.1:R --stream KEY
                   --webhook http://127.0.0.1:W/hook --secret whsec_… --fault-log FILE --started-file FILE
                   --receiver-log FILE [--duration S] [--workers N] [--seed N] [--fault-timeout S]
                   [--drain-timeout S] [--converge-timeout S] [--ledger-out FILE]
               ChaosRehearsal receive --port W --log FILE --fail-flag FILE --secret whsec_…

        drive   seeds atpd, defines the channel, runs the load for --duration seconds (default 60)
                while Benchmarks/Chaos/run.sh injects faults, waits for the `end` line of the fault
                log, re-sends what was not acknowledged, reads everything back and prints the checks
                and the summary. Exit 0 when every check passes, 1 when one fails, 2 usage, 3 when
                atpd could not be set up. The token (read, reserve, ingest, admin) comes from the
                environment variable ATP_CHAOS_TOKEN; without it requests carry none. --ledger-out
                writes every re-sent or wrongly answered request, with its send time, as TSV.
        receive the webhook endpoint: answers 500 while the file --fail-flag exists, else 204, and
                appends what it got to --log. Stops on SIGTERM.

        """

    static func parse(_ arguments: [String]) throws -> Options {
        var o = Options()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < arguments.count else { throw RehearsalError("\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        func number(_ range: ClosedRange<Int>) throws -> Int {
            let text = try value()
            guard let n = Int(text), range.contains(n) else {
                throw RehearsalError("\(arguments[i - 1]) \(text): expected an integer in \(range)")
            }
            return n
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--target": o.target = try value()
            case "--redis": o.redis = try value()
            case "--stream": o.stream = try value()
            case "--webhook": o.webhook = try value()
            case "--secret": o.secret = try value()
            case "--duration": o.durationSeconds = try number(5...86_400)
            case "--workers": o.workers = try number(1...64)
            case "--fault-log": o.faultLog = try value()
            case "--started-file": o.startedFile = try value()
            case "--receiver-log", "--log": o.receiverLog = try value()
            case "--ledger-out": o.ledgerOut = try value()
            case "--fail-flag": o.failFlag = try value()
            case "--port": o.port = try number(1...65_535)
            case "--seed": o.seed = UInt64(try number(0...Int.max))
            case "--fault-timeout": o.faultTimeoutSeconds = try number(1...3_600)
            case "--drain-timeout": o.drainTimeoutSeconds = try number(1...3_600)
            case "--converge-timeout": o.convergeTimeoutSeconds = try number(1...3_600)
            default: throw RehearsalError("unknown option \(arguments[i])")
            }
            i += 1
        }
        return o
    }

    /// Throws naming the first of `names` (option, value) that is empty.
    func require(_ names: [(String, String)]) throws {
        if let missing = names.first(where: { $0.1.isEmpty }) {
            throw RehearsalError("\(missing.0) is required")
        }
    }
}
