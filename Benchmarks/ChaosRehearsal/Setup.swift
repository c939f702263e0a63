import ATPHTTP
import ATPLoad
import ATPPosix
import ATPUtilities

/// Why the rehearsal could not run (as opposed to a failed check).
struct RehearsalError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Before the load: waits for atpd, seeds the catalogue, sets safety stock and defines the
/// channel — all through the API.
enum Setup {
    /// Waits until `GET /readyz` answers 200, at most `seconds`; the time it took.
    @discardableResult
    static func waitReady(_ link: AtpdLink, seconds: Int) throws -> Double {
        let start = MonotonicClock.now()
        let deadline = start + Int64(seconds) * 1_000_000_000
        while MonotonicClock.now() < deadline {
            if case .answered(let response) = link.send(.get, "/readyz"), response.status == 200 {
                return Double(MonotonicClock.now() - start) / 1e9
            }
            MonotonicClock.sleep(nanoseconds: 100_000_000)
        }
        throw RehearsalError("atpd at \(link.endpoint.hostHeader) was not ready within \(seconds) s")
    }

    /// Sends one mutation that must answer `status`.
    private static func expect(
        _ link: AtpdLink, _ method: HTTPMethod, _ path: String, _ body: String, _ statuses: Set<Int>
    ) throws {
        let answer = link.send(method, path, body: body)
        guard case .answered(let response) = answer, statuses.contains(response.status) else {
            throw RehearsalError("\(path) answered \(answer)")
        }
    }

    static func prepare(_ link: AtpdLink, catalogue: Catalogue, tag: String, webhook: String, secret: String)
        throws
    {
        let seed = catalogue.cells.enumerated().map { i, cell in
            #"{"id":"seed-\#(tag)-\#(i)","type":"set","sku":"\#(cell.sku)","location":"\#(cell.location)","qty":\#(catalogue.initial(cell))}"#
        }
        try expect(link, .post, "/v1/events", #"{"events":[\#(seed.joined(separator: ","))]}"#, [200])
        for (cell, units) in catalogue.safety {
            try expect(
                link, .put, "/v1/stock/\(cell.sku)/\(cell.location)/safety-stock",
                #"{"safetyStock":\#(units)}"#,
                [200])
        }
        let locations = Catalogue.channelLocations.map { #""\#($0)""# }.joined(separator: ",")
        let channel =
            #"{"endpoint":"\#(webhook)","locations":[\#(locations)],"bufferUnits":\#(Catalogue.bufferUnits),"#
            + #""ratePerSecond":20,"burst":4,"maxBatch":50,"secret":"\#(secret)","maxAttempts":3,"#
            + #""breakerThreshold":5,"breakerCooldownSeconds":2}"#
        try expect(link, .put, "/v1/channels/\(Catalogue.channel)", channel, [200, 201])
    }
}
