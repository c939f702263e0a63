// atp-load: parse the command line, run the load (and the --compare run), print and write the
// reports, and exit 0 (pass), 1 (an invariant broke or an SLO was missed), 2 (usage) or 3 (target).
import ATPLoad
import Glibc

signal(SIGPIPE, SIG_IGN)

func fail(_ error: LoadError) -> Never {
    StandardError.write("atp-load: \(error)\n")
    if case .usage = error { exit(2) }
    exit(3)
}

let options: LoadOptions
do {
    switch try OptionsParser.parse(Array(CommandLine.arguments.dropFirst())) {
    case .help:
        print(loadUsage, terminator: "")
        exit(0)
    case .run(let parsed): options = parsed
    }
} catch {
    fail(error)
}

do {
    let spec = try loadScenario(options.scenario)
    let runner = LoadRunner(options: options, spec: spec, progress: { StandardError.write($0 + "\n") })
    var results = [
        try runner.run(
            target: makeTarget(
                url: options.target, token: options.token,
                timeoutMilliseconds: options.timeoutMilliseconds))
    ]
    print(TextSummary.render(results[0]), terminator: "")
    if let other = options.compare {
        results.append(
            try runner.run(
                target: makeTarget(
                    url: other, token: options.token,
                    timeoutMilliseconds: options.timeoutMilliseconds)))
        print(TextSummary.render(results[1]), terminator: "")
        print(TextSummary.comparison(results[0], results[1]), terminator: "")
    }
    if let path = options.reportJSON { try writeFile(path, JSONReport.render(results)) }
    if let path = options.reportHTML { try writeFile(path, HTMLReport.render(results)) }
    exit(results.allSatisfy(\.passed) ? 0 : 1)
} catch {
    fail(error)
}
