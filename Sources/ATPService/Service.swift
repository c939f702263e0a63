import ATPEngine
import ATPHTTP
import ATPStore
import Dispatch
import Foundation

/// atpd assembled: engine, API, HTTP server, and the sweep that expires holds.
///
/// Thread-safety: `start`, `shutdown` and `wait` from any thread, each once.
public final class Service: @unchecked Sendable {  // the sweeper is touched only by start and wait
    public let engine: Engine
    public let server: HTTPServer
    public let configuration: ServiceConfiguration
    let responder: APIResponder
    /// Where mutations become durable; nil for `--store memory`.
    let store: (any Store)?
    let log: Log
    private let sweeper: DispatchSourceTimer

    /// Reads the key file, binds the listening sockets; serves nothing until `start`.
    public init(configuration: ServiceConfiguration, clock: any WallClock = SystemClock(), logFD: Int32 = 2) throws {
        self.configuration = configuration
        log = Log(fd: logFD, clock: clock)
        var keys: APIKeys?
        if let path = configuration.apiKeysFile {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigurationError("--api-keys: cannot read \(path): \(error.localizedDescription)")
            }
            keys = try APIKeys(parsing: text)
        } else if !configuration.listen.isLoopback {
            throw ConfigurationError(
                "without --api-keys atpd runs open and listens only on loopback; \(configuration.listen) is not")
        }
        let engine = Engine(clock: clock)
        self.engine = engine
        let store = try Self.openStore(configuration, engine: engine, log: log)
        self.store = store
        responder = APIResponder(engine: engine, configuration: configuration, keys: keys, store: store, log: log)
        var http = configuration.http
        http.onError = { [log] message in log.error("server_error", [("detail", .string(message))]) }
        server = try HTTPServer(configuration: http, responder: responder)
        responder.server.withLock { [server] in $0 = server }
        sweeper = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "atpd.sweep"))
        let interval = DispatchTimeInterval.milliseconds(Int(configuration.sweepIntervalMilliseconds))
        sweeper.schedule(deadline: .now() + interval, repeating: interval)
        sweeper.setEventHandler { [log] in
            let records = engine.sweepExpired()
            guard let store, !records.isEmpty else { return }
            store.append(records) { result in
                if case .failure(let error) = result {
                    log.error("expiry_not_durable", [("detail", .string(error.description))])
                }
            }
        }
        if keys == nil {
            log.warning("open_mode", [("detail", .string("no --api-keys: every request is allowed; loopback only"))])
        }
    }

    /// Opens the configured store and recovers its state into `engine` (before serving).
    private static func openStore(_ configuration: ServiceConfiguration, engine: Engine, log: Log) throws
        -> (any Store)?
    {
        let store: any Store
        switch configuration.store {
        case .memory:
            return nil
        case .file(let path):
            store = try FileStore(directory: path)
        case .redis:
            throw ConfigurationError("--store redis://: the Redis store is not wired in yet")
        }
        let report = try store.recover(into: engine)
        log.info("recovered", [
            ("store", .string(configuration.store.description)), ("records", .int(Int64(report.records))),
            ("tornBytes", .int(Int64(report.tornBytes))), ("gaps", .int(Int64(report.gaps))),
            ("durationMs", .int(report.milliseconds)), ("cells", .int(Int64(engine.inventory.cellCount))),
        ])
        return store
    }

    /// The address the server listens on (with the kernel's port when 0 was asked for).
    public var boundAddress: SocketAddress { server.boundAddress }

    /// Starts serving and sweeping; `/readyz` answers 200 from now on.
    public func start() {
        server.start()
        sweeper.resume()
        responder.ready.store(true, ordering: .releasing)
        log.info("started", configuration.logFields() + [("boundAddress", .string(boundAddress.description))])
    }

    /// Stops accepting, lets in-flight requests finish (see `HTTPServer.shutdown`).
    public func shutdown() {
        responder.ready.store(false, ordering: .releasing)
        log.info("stopping", [("openConnections", .int(Int64(server.openConnections)))])
        server.shutdown()
    }

    /// Blocks until the server has stopped, then stops the sweep.
    public func wait() {
        server.wait()
        sweeper.cancel()
        store?.close()
        log.info("stopped")
    }
}
