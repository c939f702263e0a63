import ATPEngine
import ATPHTTP
import ATPPosix
import ATPPush
import ATPStore
import ATPUtilities
import Synchronization

/// The v1 API on top of the engine: routing, auth, the content-type check, dispatch to the
/// handlers, request metrics and the slow-request log.
///
/// Thread-safety: called from every loop thread at once; it holds only immutable configuration,
/// handler values over thread-safe objects, and atomics.
final class APIResponder: HTTPResponder {
    let configuration: ServiceConfiguration
    let keys: APIKeys?
    /// Where mutations become durable (the one commit seam).
    let durable: DurableEngine
    /// The store behind `durable`; nil for the memory store (answered at once).
    var store: (any Store)? { durable.store }
    private let availability: AvailabilityHandler
    private let stock: StockHandler
    private let reservations: ReservationHandler
    private let events: EventHandler
    private let channels: ChannelHandler
    private let operations: OperationsHandler
    /// Request counters and latency histograms, by route.
    let metrics: Metrics
    let log: Log
    /// True once state is recovered and the store is reachable (`/readyz`).
    let ready = Atomic<Bool>(false)

    /// - Parameters:
    ///   - metrics: where requests are counted; one of `metricsSources`.
    ///   - metricsSources: what `/metrics` renders, in order.
    init(
        durable: DurableEngine, configuration: ServiceConfiguration, keys: APIKeys?, push: PushService,
        log: Log, metrics: Metrics, metricsSources: [any MetricsSource]
    ) {
        let engine = durable.engine
        self.durable = durable
        self.metrics = metrics
        operations = OperationsHandler(store: durable.store, metricsSources: metricsSources)
        availability = AvailabilityHandler(engine: engine)
        stock = StockHandler(engine: engine)
        reservations = ReservationHandler(engine: engine)
        events = EventHandler(engine: engine)
        channels = ChannelHandler(engine: engine, push: push)
        self.configuration = configuration
        self.keys = keys
        self.log = log
    }

    func bodyLimit(for head: HTTPRequestHead, headBytes: UnsafeRawBufferPointer) -> Int {
        let path = UnsafeRawBufferPointer(rebasing: headBytes[head.path])
        return path.equals("/v1/events") ? configuration.maxEventsBody : configuration.maxBody
    }

    /// Wakes the store's writer once for the mutations this loop iteration made (see `respond`).
    func loopIterationDidEnd() { durable.wakeWriterIfOwed() }

    func respond(to request: HTTPRequest, _ response: inout HTTPResponse) -> HTTPDisposition {
        let started = MonotonicClock.microseconds()
        let match: RouteMatch
        do throws(APIError) {
            guard let found = try Router.match(request.path) else {
                throw .notFound("no route for this path")
            }
            match = found
        } catch {
            error.write(into: &response)
            finish(
                .unmatched, request.method, response.status, started: started, requestID: request.requestID)
            return .answered
        }
        let route = match.route
        // Every request passes the seam: a read records nothing and is answered at once; a
        // mutation enters the gate at its first engine call and is answered once it is durable
        // (the loop is woken through its eventfd), or that nothing changed.
        // The writer is woken once per loop iteration (`loopIterationDidEnd`), so every mutation
        // of the iteration shares its batch.
        let (_, pending) = durable.commit(
            wakingWriter: false, { change in handle(match, request, &response, &change) },
            answer: { _ in
                let answer = response
                let deferral = request.deferral
                let method = request.method
                let requestID = Array(request.requestID)
                return { [self] result in
                    var final = answer
                    if case .failure(let error) = result {
                        final.reset()
                        APIError.nothingChanged("the change was not made durable (\(error.detail))")
                            .write(into: &final)
                    }
                    requestID.withUnsafeBytes {
                        finish(route, method, final.status, started: started, requestID: $0)
                    }
                    deferral.complete(final)
                }
            })
        if pending { return .deferred }
        finish(route, request.method, response.status, started: started, requestID: request.requestID)
        return .answered
    }

    /// Dispatches and renders any error into `response` (a handler's records stay in `change`).
    private func handle(
        _ match: RouteMatch, _ request: HTTPRequest, _ response: inout HTTPResponse, _ change: inout Mutation
    ) {
        do throws(APIError) {
            try dispatch(match, request, &response, &change)
        } catch {
            error.write(into: &response)
        }
    }

    /// Counts the request and logs it when slow.
    private func finish(
        _ route: Route, _ method: HTTPMethod, _ status: Int, started: Int64, requestID: UnsafeRawBufferPointer
    ) {
        let elapsed = MonotonicClock.microseconds() - started
        metrics.record(route: route, status: status, microseconds: elapsed)
        if elapsed >= configuration.slowRequestMilliseconds * 1000 {
            log.warning(
                "slow_request",
                [
                    ("route", .string(route.label)), ("method", .string(method.description)),
                    ("status", .int(Int64(status))), ("durationMs", .int(elapsed / 1000)),
                    ("requestId", .string(String(decoding: requestID, as: UTF8.self))),
                ])
        }
    }

    private func dispatch(
        _ match: RouteMatch, _ request: HTTPRequest, _ response: inout HTTPResponse, _ change: inout Mutation
    ) throws(APIError) {
        var method = request.method
        if method == .head { method = .get }
        guard match.route.methods.contains(method) else { throw .methodNotAllowed(match.route) }
        // Auth before anything else: a caller without the scope learns nothing more, neither
        // readiness nor what its body lacks.
        var key: APIKey?
        if let scope = match.route.scope(for: method) { key = try authorize(request, scope) }
        if !match.route.isOperational {
            guard ready.load(ordering: .acquiring) else {
                throw APIError(.notReady, "state is being recovered")
            }
            if method != .get, let store, !store.isAvailable {
                let why = store.statistics.lastFailure.map { "last failure: \($0)" } ?? "unreachable"
                throw .nothingChanged(
                    "the \(store.kind) store is not accepting writes (\(why)); reads still work")
            }
        }
        if !request.body.isEmpty, let type = request.header(at: APIHeader.contentType), !Self.isJSON(type) {
            throw APIError(.unsupportedMediaType, "send request bodies as application/json")
        }
        switch (match.route, method) {
        case (.healthz, _):
            operations.healthz(&response)
        case (.readyz, _):
            try operations.readyz(recovered: ready.load(ordering: .acquiring), &response)
        case (.metrics, _):
            operations.metrics(&response)
        case (.openAPI, _):
            operations.openAPI(&response)
        case (.availability, .get):
            try availability.read(query: request.query, &response)
        case (.availability, _):
            try availability.read(body: request.body, &response)
        case (.stock, _):
            try stock.read(sku: match.first, &response)
        case (.safetyStock, _):
            try stock.setSafetyStock(
                sku: match.first, location: match.second, body: request.body, &response, &change)
        case (.reservations, _):
            try reservations.create(request, key: key, &response, &change)
        case (.reservation, _):
            try reservations.read(id: match.first, &response)
        case (.confirm, _), (.fulfill, _), (.release, _):
            let transition: ReservationTransition =
                match.route == .confirm ? .confirm : match.route == .fulfill ? .fulfil : .release
            try reservations.transition(id: match.first, transition, &response, &change)
        case (.events, _):
            try events.ingest(body: request.body, &response, &change)
        case (.channels, _):
            channels.list(&response)
        case (.channel, .get):
            try channels.read(name: match.first, &response)
        case (.channel, .put):
            try channels.define(name: match.first, body: request.body, &response, &change)
        case (.channel, _):
            try channels.delete(name: match.first, &response, &change)
        case (.deadLetters, _):
            try channels.listDeadLetters(name: match.first, &response)
        case (.deadLetterReplay, _):
            try channels.replayDeadLetters(name: match.first, &response, &change)
        case (.unmatched, _):
            throw .notFound("no route for this path")
        }
    }

    /// The caller's key when it has `scope`; nil when the server runs open (no key file).
    private func authorize(_ request: HTTPRequest, _ scope: Scopes) throws(APIError) -> APIKey? {
        guard let keys else { return nil }
        guard let header = request.header(at: APIHeader.authorization), header.count > 7,
            Self.hasBearerPrefix(header)
        else { throw .unauthorized("send Authorization: Bearer <token>") }
        var token = UnsafeRawBufferPointer(rebasing: header[7...])
        while let first = token.first, first == 0x20 { token = UnsafeRawBufferPointer(rebasing: token[1...]) }
        guard let key = keys.key(forToken: token) else { throw .unauthorized("unknown token") }
        guard key.scopes.contains(scope) else {
            throw .forbidden("key \(key.name) lacks the \(Self.name(scope)) scope")
        }
        return key
    }

    /// `Bearer ` in any letter case.
    private static func hasBearerPrefix(_ header: UnsafeRawBufferPointer) -> Bool {
        header.prefix(7).map(asciiLower).elementsEqual("bearer ".utf8)
    }

    private static func name(_ scope: Scopes) -> String {
        switch scope {
        case .read: "read"
        case .reserve: "reserve"
        case .ingest: "ingest"
        default: "admin"
        }
    }

    /// `application/json`, optionally with parameters such as `; charset=utf-8`.
    private static func isJSON(_ type: UnsafeRawBufferPointer) -> Bool {
        ("application/json" as StaticString).withUTF8Buffer { expected in
            guard type.count >= expected.count else { return false }
            for i in 0..<expected.count where asciiLower(type[i]) != expected[i] { return false }
            return type.count == expected.count || type[expected.count] == UInt8(ascii: ";")
                || type[expected.count] == 0x20
        }
    }

    private static func asciiLower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

}
