// ChaosRehearsal: the client and the webhook receiver of Benchmarks/Chaos/run.sh.
//   drive    load atpd while the script injects faults, then settle, read back and judge;
//            exit 0 (every check passed), 1 (a check failed), 2 (usage), 3 (could not run)
//   receive  the channel's webhook endpoint, until SIGTERM
import ATPLoad
import Glibc

signal(SIGPIPE, SIG_IGN)
let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, command == "drive" || command == "receive" else {
    print(Options.usage, terminator: "")
    exit(arguments.first == "--help" || arguments.first == "-h" ? 0 : 2)
}

let options: Options
do {
    options = try Options.parse(Array(arguments.dropFirst()))
} catch {
    StandardError.write("ChaosRehearsal: \(error)\n")
    exit(2)
}

do {
    if command == "receive" {
        try options.require([
            ("--log", options.receiverLog), ("--fail-flag", options.failFlag), ("--secret", options.secret),
        ])
        guard options.port > 0 else { throw RehearsalError("--port is required") }
        try WebhookReceiver.serve(
            port: UInt16(options.port), logPath: options.receiverLog, failFlag: options.failFlag,
            secret: options.secret)
        exit(0)
    }
    exit(try Rehearsal(options: options).run() ? 0 : 1)
} catch {
    StandardError.write("ChaosRehearsal: \(error)\n")
    exit(3)
}
