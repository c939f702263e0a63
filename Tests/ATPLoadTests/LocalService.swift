import ATPHTTP
import ATPService
import Glibc

/// An atpd `Service` started in-process on an ephemeral loopback port: memory store, open (no
/// key file), real clock, logs to /dev/null. Stopped by `stop()` or `deinit`.
final class LocalService: @unchecked Sendable {  // written in init and stop only
    let service: Service
    let url: String
    private let logFD: Int32
    private var stopped = false

    init() throws {
        var configuration = ServiceConfiguration()
        configuration.store = .memory
        configuration.listen = .loopback(port: 0)
        configuration.threads = 2
        configuration.shutdownGraceMilliseconds = 1_000
        logFD = open("/dev/null", O_WRONLY)
        service = try Service(configuration: configuration, clock: SystemClock(), logFD: logFD)
        service.start()
        url = "http://127.0.0.1:\(service.boundAddress.port)"
    }

    deinit { stop() }

    func stop() {
        guard !stopped else { return }
        stopped = true
        service.shutdown()
        service.wait()
        close(logFD)
    }
}
