import ATPEngine
import ATPHTTP
import ATPJSON
import ATPPosix
import ATPStore
import ATPUtilities

/// `GET` and `POST /v1/availability`: the hot path.
///
/// The GET reads sku bytes straight from the query (decoding into stack memory only when a value is
/// percent-encoded), asks the engine for all of them in one batch and writes the JSON by hand:
/// no Foundation, no heap allocation once the response buffer has grown.
/// Thread-safety: a value holding only the thread-safe engine; called from every loop thread.
struct AvailabilityHandler: Sendable {
    /// The most `sku` parameters one GET may carry.
    static let maxQuerySkus = 100
    /// The most skus one POST body may carry.
    static let maxBodySkus = 1_000

    let engine: Engine

    /// `GET /v1/availability?sku=…&location=…|channel=…`.
    func read(query: UnsafeRawBufferPointer, _ response: inout HTTPResponse) throws(APIError) {
        try withUnsafeTemporaryAllocation(byteCount: max(query.count, 1), alignment: 1) {
            decoded throws(APIError) in
            try withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: Self.maxQuerySkus) {
                skus throws(APIError) in
                var count = 0
                var used = 0
                var location: UnsafeRawBufferPointer?
                var channel: UnsafeRawBufferPointer?
                var failure: APIError?
                QueryString.forEach(query) { name, value in
                    guard failure == nil else { return }
                    let kind: QueryParameter? =
                        name.equals("sku")
                        ? .sku
                        : name.equals("location")
                            ? .location
                            : name.equals("channel") ? .channel : nil
                    guard let kind else { return }  // unknown parameters are ignored
                    guard let bytes = QueryString.decode(value, into: decoded.baseAddress! + used) else {
                        failure = .invalidRequest("query parameter \(kind) is not valid percent-encoding")
                        return
                    }
                    if bytes.baseAddress != value.baseAddress { used += bytes.count }
                    if let problem = KeyBytes.problem(bytes, name: "\(kind)") {
                        failure = .invalidRequest(problem)
                        return
                    }
                    switch kind {
                    case .sku:
                        guard count < Self.maxQuerySkus else {
                            failure = .invalidRequest("at most \(Self.maxQuerySkus) sku parameters")
                            return
                        }
                        skus[count] = bytes
                        count += 1
                    case .location: location = bytes
                    case .channel: channel = bytes
                    }
                }
                if let failure { throw failure }
                guard count > 0 else {
                    throw .invalidRequest("give 1 to \(Self.maxQuerySkus) sku parameters")
                }
                try answerAvailability(
                    UnsafeBufferPointer(rebasing: skus[..<count]), location: location, channel: channel,
                    &response)
            }
        }
    }

    /// `POST /v1/availability` with `{"skus":[…],"location"|"channel":…}`.
    func read(body: UnsafeRawBufferPointer, _ response: inout HTTPResponse) throws(APIError) {
        let object = try JSONBody.object(body)
        guard let items = try object.array("skus", at: "", required: true),
            (1...Self.maxBodySkus).contains(items.count)
        else { throw .invalidRequest("skus must hold 1 to \(Self.maxBodySkus) strings") }
        var names: [String] = []
        names.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard let sku = item.string else { throw .invalidRequest("skus[\(i)] must be a string") }
            if let problem = Key.problem(sku, name: "skus[\(i)]") { throw .invalidRequest(problem) }
            names.append(sku)
        }
        let location = try object.string("location", at: "", required: false)
        let channel = try object.string("channel", at: "", required: false)
        // One buffer holds every key; the batch gets views into it.
        var storage: [UInt8] = []
        var ranges: [Range<Int>] = []
        for text in names + [location, channel].compactMap({ $0 }) {
            let start = storage.count
            storage.append(contentsOf: text.utf8)
            ranges.append(start..<storage.count)
        }
        var failure: APIError?
        storage.withUnsafeBytes { all in
            withUnsafeTemporaryAllocation(of: UnsafeRawBufferPointer.self, capacity: names.count) { skus in
                for i in 0..<names.count { skus[i] = UnsafeRawBufferPointer(rebasing: all[ranges[i]]) }
                var next = names.count
                func extra(_ present: Bool) -> UnsafeRawBufferPointer? {
                    guard present else { return nil }
                    defer { next += 1 }
                    return UnsafeRawBufferPointer(rebasing: all[ranges[next]])
                }
                let locationBytes = extra(location != nil)
                let channelBytes = extra(channel != nil)
                do throws(APIError) {
                    try answerAvailability(
                        UnsafeBufferPointer(skus), location: locationBytes, channel: channelBytes, &response)
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
    }

    /// Looks up every sku over the scope and writes `{"items":[...]}`.
    private func answerAvailability(
        _ skus: UnsafeBufferPointer<UnsafeRawBufferPointer>, location: UnsafeRawBufferPointer?,
        channel: UnsafeRawBufferPointer?, _ response: inout HTTPResponse
    ) throws(APIError) {
        let scope: AvailabilityScope
        var locationKnown = true
        if location != nil && channel != nil { throw .invalidRequest("give location or channel, not both") }
        if let channel {
            let name = String(decoding: channel, as: UTF8.self)
            guard let compiled = engine.channel(named: name) else { throw .unknownChannel(name) }
            scope = .channel(compiled)
        } else if let location {
            if let id = engine.inventory.locations.find(location) {
                scope = .location(id)
            } else {
                scope = .network
                locationKnown = false
            }
        } else {
            scope = .network
        }
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: skus.count) { figures in
            if locationKnown {
                engine.available(skus: skus, scope: scope, into: figures)
            } else {
                figures.initialize(repeating: 0)
            }
            response.body.appendASCII(#"{"#)
            if let channel {
                response.body.appendASCII(#""channel":"#)
                response.body.appendJSONString(channel)
                response.body.append(UInt8(ascii: ","))
            }
            response.body.appendASCII(#""items":["#)
            for i in 0..<skus.count {
                response.body.appendASCII(i == 0 ? #"{"sku":"# : #",{"sku":"#)
                response.body.appendJSONString(skus[i])
                if let location {
                    response.body.appendASCII(#","location":"#)
                    response.body.appendJSONString(location)
                }
                response.body.appendASCII(#","available":"#)
                response.body.appendDecimal(figures[i])
                response.body.append(UInt8(ascii: "}"))
            }
            response.body.appendASCII("]}")
        }
    }
}

/// The query parameters the availability GET reads.
enum QueryParameter: CustomStringConvertible {
    case sku, location, channel
    var description: String {
        switch self {
        case .sku: "sku"
        case .location: "location"
        case .channel: "channel"
        }
    }
}
