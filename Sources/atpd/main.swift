// atpd: parse the configuration, start the service, stop gracefully on SIGTERM or SIGINT.
import ATPService
import Foundation
import Glibc

let outcome: ConfigurationParser.Outcome
do {
    outcome = try ConfigurationParser.parse(
        arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
} catch {
    FileHandle.standardError.write("atpd: \(error)\n".data(using: .utf8)!)
    exit(2)
}
let configuration: ServiceConfiguration
switch outcome {
case .help:
    print(ConfigurationParser.usage, terminator: "")
    exit(0)
case .migrate(let settings, let dryRun):
    do {
        for line in try StoreMigration.run(settings, dryRun: dryRun) { print(line) }
        exit(0)
    } catch {
        FileHandle.standardError.write("atpd migrate: \(error)\n".data(using: .utf8)!)
        exit(1)
    }
case .run(let settings):
    configuration = settings
}

// Block the stop signals in every thread (threads inherit the mask), then wait for them here.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGTERM)
sigaddset(&stopSignals, SIGINT)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
signal(SIGPIPE, SIG_IGN)

let service: Service
do {
    service = try Service(configuration: configuration)
} catch let error as ConfigurationError {
    FileHandle.standardError.write("atpd: \(error)\n".data(using: .utf8)!)
    exit(2)
} catch {
    FileHandle.standardError.write("atpd: cannot start: \(error)\n".data(using: .utf8)!)
    exit(1)
}
service.start()
var received: Int32 = 0
sigwait(&stopSignals, &received)
service.shutdown()
service.wait()
exit(0)
