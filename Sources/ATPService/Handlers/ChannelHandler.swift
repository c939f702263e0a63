import ATPEngine
import ATPHTTP
import ATPJSON
import ATPPush
import ATPStore
import ATPUtilities

/// Channels: `PUT`, `GET`, `DELETE /v1/channels/{name}`, `GET /v1/channels`, and the dead-letter
/// routes.
///
/// A channel is its view (locations, buffer) plus its push settings (`ChannelDelivery`); both are
/// journaled in one `channelDefined` record. Status figures come from the push service.
/// Thread-safety: a value holding the thread-safe engine and push service; called from every loop
/// thread.
struct ChannelHandler: Sendable {
    let engine: Engine
    /// Delivery status figures and dead-letter replay.
    let push: PushService

    /// `PUT /v1/channels/{name}`: 201 when new, 200 when replaced.
    func define(
        name: String, body: UnsafeRawBufferPointer, _ response: inout HTTPResponse, _ change: inout Mutation
    ) throws(APIError) {
        if let problem = Key.problem(name, name: "channel name") { throw .invalidRequest(problem) }
        let object = try JSONBody.object(body)
        guard
            let endpoint = try object.string(
                "endpoint", at: "", required: true, maxBytes: ChannelDelivery.maxEndpointBytes),
            HTTPEndpoint(url: endpoint) != nil
        else {
            throw .invalidRequest(
                "endpoint must be an http:// URL with an IPv4 address or localhost as host (no DNS, no TLS)")
        }
        var locations: [String]?
        if let items = try object.array("locations", at: "", required: false) {
            locations = []
            for (i, item) in items.enumerated() {
                guard let location = item.string else {
                    throw .invalidRequest("locations[\(i)] must be a string")
                }
                locations!.append(location)
            }
        }
        let buffer = try object.quantity("bufferUnits", at: "", required: false) ?? 0
        let rate =
            try Self.number(
                object, "ratePerSecond", ChannelDelivery.minRate...ChannelDelivery.maxRate,
                ChannelDelivery.rateRangeText)
            ?? 10
        var delivery = ChannelDelivery(
            endpoint: endpoint, ratePerSecond: rate,
            burst: try Self.integer(object, "burst", 1...Int64(ChannelDelivery.maxBurst)).map { Int($0) })
        if let n = try Self.integer(object, "maxBatch", 1...Int64(ChannelDelivery.maxBatchLimit)) {
            delivery.maxBatch = Int(n)
        }
        if let n = try Self.integer(object, "maxAttempts", 1...Int64(ChannelDelivery.maxAttemptsLimit)) {
            delivery.maxAttempts = Int(n)
        }
        if let n = try Self.integer(
            object, "breakerThreshold", 1...Int64(ChannelDelivery.maxBreakerThreshold))
        {
            delivery.breakerThreshold = Int(n)
        }
        if let seconds = try Self.number(
            object, "breakerCooldownSeconds", 0.001...3600, "at least 0.001 and at most 3600")
        {
            delivery.breakerCooldownMilliseconds = Int64(saturating: seconds * 1000)  // 1...3_600_000
        }
        delivery.secret = try object.text("secret", at: "", maxBytes: 1024)
        let existed = engine.channel(named: name) != nil
        do {
            let view = ChannelView(name: name, locations: locations, bufferUnits: buffer, delivery: delivery)
            try change.record { (change) throws(EngineError) in try engine.define(view, into: &change) }
        } catch {
            throw APIError(error)
        }
        response.status = existed ? 200 : 201
        try read(name: name, &response)
    }

    /// `GET /v1/channels/{name}`.
    func read(name: String, _ response: inout HTTPResponse) throws(APIError) {
        guard let channel = engine.channel(named: name) else { throw .unknownChannel(name) }
        appendChannel(channel.view, to: &response.body)
    }

    /// `GET /v1/channels`, sorted by name.
    func list(_ response: inout HTTPResponse) {
        let views = engine.channelViews.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        response.body.appendASCII(#"{"channels":["#)
        for (i, view) in views.enumerated() {
            if i > 0 { response.body.append(UInt8(ascii: ",")) }
            appendChannel(view, to: &response.body)
        }
        response.body.appendASCII("]}")
    }

    /// `DELETE /v1/channels/{name}`: 204.
    func delete(name: String, _ response: inout HTTPResponse, _ change: inout Mutation)
        throws(APIError)
    {
        guard change.record({ engine.removeChannel(named: name, into: &$0) }) else {
            throw .unknownChannel(name)
        }
        response.status = 204
        response.contentType = .none
    }

    /// `{"deadLetters":[{"webhookId":..,"updates":[..],"attempts":..,"lastError":..,"failedAt":..}]}`.
    func listDeadLetters(name: String, _ response: inout HTTPResponse) throws(APIError) {
        guard engine.channel(named: name) != nil else { throw .unknownChannel(name) }
        response.body.appendASCII(#"{"deadLetters":["#)
        for (i, letter) in engine.deadLetters(channel: name).enumerated() {
            if i > 0 { response.body.append(UInt8(ascii: ",")) }
            response.body.appendASCII(#"{"webhookId":"#)
            response.body.appendJSONString(letter.webhookID)
            response.body.appendASCII(#","updates":["#)
            for (j, u) in letter.updates.enumerated() {
                if j > 0 { response.body.append(UInt8(ascii: ",")) }
                response.body.appendASCII(#"{"sku":"#)
                response.body.appendJSONString(u.sku)
                response.body.appendASCII(#","available":"#)
                response.body.appendDecimal(u.available)
                response.body.appendASCII(#","at":""#)
                u.at.appendRFC3339(to: &response.body, fraction: true)
                response.body.appendASCII(#""}"#)
            }
            response.body.appendASCII(#"],"attempts":"#)
            response.body.appendDecimal(letter.attempts)
            response.body.appendASCII(#","lastError":"#)
            response.body.appendJSONString(letter.lastError)
            response.body.appendASCII(#","failedAt":""#)
            letter.failedAt.appendRFC3339(to: &response.body, fraction: true)
            response.body.appendASCII(#""}"#)
        }
        response.body.appendASCII("]}")
    }

    /// Takes the channel's dead letters out (journaled) and queues the current availability of
    /// their skus: `{"replayed":n}`.
    func replayDeadLetters(name: String, _ response: inout HTTPResponse, _ change: inout Mutation)
        throws(APIError)
    {
        guard engine.channel(named: name) != nil else { throw .unknownChannel(name) }
        let letters = change.record { engine.takeDeadLetters(channel: name, into: &$0) }
        push.replay(channel: name, letters: letters)
        response.body.appendASCII(#"{"replayed":"#)
        response.body.appendDecimal(letters.count)
        response.body.append(UInt8(ascii: "}"))
    }

    private func appendChannel(_ view: ChannelView, to body: inout [UInt8]) {
        body.appendASCII(#"{"name":"#)
        body.appendJSONString(view.name)
        if let d = view.delivery {
            body.appendASCII(#","endpoint":"#)
            body.appendJSONString(d.endpoint)
        }
        if let locations = view.locations {
            body.appendASCII(#","locations":["#)
            for (i, location) in locations.enumerated() {
                if i > 0 { body.append(UInt8(ascii: ",")) }
                body.appendJSONString(location)
            }
            body.append(UInt8(ascii: "]"))
        }
        body.appendASCII(#","bufferUnits":"#)
        body.appendDecimal(view.bufferUnits)
        if let d = view.delivery {
            body.append(
                contentsOf: #","ratePerSecond":\#(Self.decimal(d.ratePerSecond)),"burst":\#(d.burst)"#.utf8)
            body.append(contentsOf: #","maxBatch":\#(d.maxBatch),"maxAttempts":\#(d.maxAttempts)"#.utf8)
            body.append(contentsOf: #","breakerThreshold":\#(d.breakerThreshold)"#.utf8)
            body.append(
                contentsOf:
                    #","breakerCooldownSeconds":\#(Self.decimal(Double(d.breakerCooldownMilliseconds) / 1000))"#
                    .utf8)
            body.append(contentsOf: #","hasSecret":\#(d.secret != nil),"disabled":\#(d.disabled)"#.utf8)
            let c = push.counters(channel: view.name)
            body.appendASCII(#","status":{"pending":"#)
            body.appendDecimal(c?.pending.load(ordering: .relaxed) ?? 0)
            body.appendASCII(#","sent":"#)
            body.appendDecimal(c?.sent.load(ordering: .relaxed) ?? 0)
            body.appendASCII(#","failedAttempts":"#)
            body.appendDecimal(c?.failedAttempts.load(ordering: .relaxed) ?? 0)
            body.appendASCII(#","deadLetters":"#)
            body.appendDecimal(engine.deadLetterCount(channel: view.name))
            body.appendASCII(#","breaker":""#)
            body.append(contentsOf: (c?.breakerLabel ?? "closed").utf8)
            body.appendASCII(#"","lastSuccessAt":"#)
            let last = c?.lastSuccessMilliseconds.load(ordering: .relaxed) ?? 0
            if last > 0 {
                body.append(UInt8(ascii: "\""))
                Timestamp(milliseconds: last).appendRFC3339(to: &body, fraction: true)
                body.append(UInt8(ascii: "\""))
            } else {
                body.appendASCII("null")
            }
            body.append(UInt8(ascii: "}"))
        }
        body.append(UInt8(ascii: "}"))
    }

    /// A number member (integer or fraction) within `range` (`rangeText` says it in words), or
    /// nil when absent.
    private static func number(
        _ object: JSONObject, _ key: String, _ range: ClosedRange<Double>, _ rangeText: String
    )
        throws(APIError) -> Double?
    {
        guard let value = object[key] else { return nil }
        guard let n = value.double, n.isFinite else {
            throw .invalidRequest("\(key) must be a number, not \(value.kindName)")
        }
        guard range.contains(n) else { throw .invalidRequest("\(key) must be \(rangeText); got \(n)") }
        return n
    }

    /// An integer member within `range`, or nil when absent.
    private static func integer(_ object: JSONObject, _ key: String, _ range: ClosedRange<Int64>)
        throws(APIError) -> Int64?
    {
        guard let value = object[key] else { return nil }
        guard let n = value.int64 else {
            throw .invalidRequest("\(key) must be an integer, not \(value.kindName)")
        }
        guard range.contains(n) else {
            throw .invalidRequest("\(key) must be \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    /// A JSON number for a double: integral values without a fraction.
    private static func decimal(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
