/// Parses the `atp-load` command line into `LoadOptions`.
///
/// Thread-safety: stateless. Complexity: O(arguments).
public enum OptionsParser {
    public enum Outcome: Sendable {
        case run(LoadOptions)
        case help
    }

    public static func parse(_ given: [String]) throws(LoadError) -> Outcome {
        // --name=value is accepted as well as --name value.
        let arguments = given.flatMap { a -> [String] in
            guard a.hasPrefix("--"), let eq = a.firstIndex(of: "=") else { return [a] }
            return [String(a[..<eq]), String(a[a.index(after: eq)...])]
        }
        var options = LoadOptions()
        var i = 0
        func value(_ name: String) throws(LoadError) -> String {
            i += 1
            guard i < arguments.count else { throw .usage("\(name) needs a value") }
            return arguments[i]
        }
        func count(_ name: String, _ range: ClosedRange<Int>) throws(LoadError) -> Int {
            let text = try value(name)
            guard let n = Int(text), range.contains(n) else {
                throw .usage("\(name) \(text): expected an integer in \(range)")
            }
            return n
        }
        func duration(_ name: String) throws(LoadError) -> Int64 {
            let text = try value(name)
            guard let n = DurationText.nanoseconds(text) else {
                throw .usage("\(name) \(text): expected a duration such as 30s, 500ms or 2m")
            }
            // Bounded so that sums of durations and clock readings cannot overflow Int64.
            guard n <= 7 * 86_400 * 1_000_000_000 else { throw .usage("\(name) \(text): at most 7 days") }
            return n
        }
        while i < arguments.count {
            let argument = arguments[i]
            switch argument {
            case "--help", "-h": return .help
            case "--target": options.target = try value(argument)
            case "--scenario": options.scenario = try value(argument)
            case "--duration":
                options.durationNanoseconds = try duration(argument)
                guard options.durationNanoseconds >= 1_000_000_000 else {
                    throw .usage("--duration: at least 1s")
                }
            case "--warmup": options.warmupNanoseconds = try duration(argument)
            case "--connections": options.connections = try count(argument, 1...10_000)
            case "--threads": options.threads = try count(argument, 1...10_000)
            case "--rate": options.rate = try count(argument, 1...100_000_000)
            case "--skus": options.skus = try count(argument, 1...10_000_000)
            case "--locations": options.locations = try count(argument, 1...1_000)
            case "--token": options.token = try value(argument)
            case "--slo":
                let text = try value(argument)
                guard let slo = ServiceLevelObjective(parsing: text) else {
                    throw .usage("--slo \(text): expected e.g. p99<5ms, hold.p99.9<20ms, max<1s")
                }
                options.slos.append(slo)
            case "--report-json": options.reportJSON = try value(argument)
            case "--report-html": options.reportHTML = try value(argument)
            case "--compare": options.compare = try value(argument)
            case "--seed":
                let text = try value(argument)
                guard let seed = UInt64(text) else { throw .usage("--seed \(text): expected an integer") }
                options.seed = seed
            case "--timeout":
                options.timeoutMilliseconds = Int(max(1, try duration(argument) / 1_000_000))
            case "--cpu-pid": options.cpuPIDs.append(Int32(try count(argument, 1...Int(Int32.max))))
            case "--quiet": options.quiet = true
            default: throw .usage("unknown option \(argument) (see --help)")
            }
            i += 1
        }
        return .run(options)
    }
}
