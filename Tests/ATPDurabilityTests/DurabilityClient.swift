import ATPHTTP
import ATPTestSupport
import Foundation
import Testing

/// A sequential client of a running `atpd` (open mode: no token) on one keep-alive connection.
///
/// Nothing is ever resent: a failed call throws, and the next call connects anew.
/// Thread-safety: one thread at a time.
final class AtpdClient {
    let port: UInt16
    private var connection: RawConnection?

    init(port: UInt16) { self.port = port }
    convenience init(_ process: AtpdProcess) { self.init(port: process.port) }

    /// Sends one request and reads its response.
    func send(_ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = [])
        throws -> RawResponse
    {
        let live = try connection ?? RawConnection(port: port, timeoutMilliseconds: 5_000)
        connection = nil
        try live.send(requestText(method, path, body: body, headers: headers, token: nil))
        let response = try live.readResponse()
        if response.header("Connection")?.lowercased() != "close" { connection = live }
        return response
    }

    /// Sends a JSON value as the body.
    func send(_ method: String, _ path: String, json: Any, headers: [(String, String)] = []) throws
        -> RawResponse
    {
        try send(method, path, body: Self.text(json), headers: headers)
    }

    static func text(_ json: Any) throws -> String {
        String(
            decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
    }

    /// `POST /v1/events`; the answer's counts (applied, duplicate, stale, rejected).
    func events(_ events: [[String: Any]]) throws -> EventCounts {
        let response = try send("POST", "/v1/events", json: ["events": events])
        guard response.status == 200 else {
            throw JSONShapeError(description: "POST /v1/events answered \(response.status) \(response.text)")
        }
        return try EventCounts(response)
    }

    /// Creates a reservation; returns the response.
    func hold(_ lines: [(String, String, Int)], key: String? = nil, reference: String? = nil, ttl: Int? = nil)
        throws -> RawResponse
    {
        var body: [String: Any] = ["lines": lines.map { ["sku": $0.0, "location": $0.1, "qty": $0.2] }]
        if let reference { body["reference"] = reference }
        if let ttl { body["ttlSeconds"] = ttl }
        return try send(
            "POST", "/v1/reservations", json: body, headers: key.map { [("Idempotency-Key", $0)] } ?? [])
    }

    /// The id of a 201 hold; records an issue and returns "" for anything else.
    func heldID(_ response: RawResponse, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        guard response.status == 201, let id = (try? response.json())?["id"] as? String else {
            Issue.record(
                "expected 201 with an id, got \(response.status) \(response.text)",
                sourceLocation: sourceLocation)
            return ""
        }
        return id
    }

    /// `POST /v1/reservations/{id}/<transition>`, expecting 200.
    func transition(_ id: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let response = try send("POST", "/v1/reservations/\(id)/\(name)")
        #expect(response.status == 200, "\(name) \(id): \(response.text)", sourceLocation: sourceLocation)
    }

    /// Every cell of `GET /v1/stock/{sku}` by location; empty for an unknown sku.
    func stock(_ sku: String) throws -> [String: CellFigures] {
        let response = try send("GET", "/v1/stock/\(percentEncoded(sku))")
        guard response.status == 200 else { return [:] }
        var cells: [String: CellFigures] = [:]
        for row in try response.json()["locations"] as? [[String: Any]] ?? [] {
            guard let location = row["location"] as? String else { continue }
            cells[location] = CellFigures(
                onHand: row["onHand"] as? Int ?? .min, reserved: row["reserved"] as? Int ?? .min,
                safetyStock: row["safetyStock"] as? Int ?? .min, available: row["available"] as? Int ?? .min)
        }
        return cells
    }

    /// The status of reservation `id`, or nil when it is unknown (404).
    func reservationStatus(_ id: String) throws -> String? {
        let response = try send("GET", "/v1/reservations/\(id)")
        guard response.status == 200 else { return nil }
        return try response.json()["status"] as? String
    }

    /// What the API shows of every given sku, reservation and channel, as `path → body`; the
    /// bodies are re-serialized with sorted keys, and the `locations` of a stock answer sorted,
    /// so that two dumps of the same state are equal whatever order the server lists things in.
    /// Channels are compared without their delivery status.
    func dump(skus: [String], reservations: [String]) throws -> [String: String] {
        var paths = skus.map { "/v1/stock/\(percentEncoded($0))" }
        paths += reservations.map { "/v1/reservations/\($0)" }
        paths += ["/v1/channels"]
        paths += skus.map { "/v1/availability?sku=\(percentEncoded($0))&channel=web" }
        var out: [String: String] = [:]
        for path in paths {
            let response = try send("GET", path)
            guard var object = try? response.json() else {
                out[path] = "\(response.status) \(response.text)"
                continue
            }
            if var rows = object["locations"] as? [[String: Any]] {
                rows.sort { ($0["location"] as? String ?? "") < ($1["location"] as? String ?? "") }
                object["locations"] = rows
            }
            // A channel's delivery status (attempts, pending) is live push state, not stored state.
            if let channels = object["channels"] as? [[String: Any]] {
                object["channels"] = channels.map { channel in channel.filter { $0.key != "status" } }
            }
            out[path] = "\(response.status) \(try Self.text(object))"
        }
        return out
    }
}

/// The counts of a `POST /v1/events` answer.
struct EventCounts: Equatable, CustomStringConvertible {
    var applied: Int
    var duplicate: Int
    var stale: Int
    var rejected: Int

    init(applied: Int = 0, duplicate: Int = 0, stale: Int = 0, rejected: Int = 0) {
        self.applied = applied
        self.duplicate = duplicate
        self.stale = stale
        self.rejected = rejected
    }

    init(_ response: RawResponse) throws {
        let object = try response.json()
        guard let applied = object["applied"] as? Int, let duplicate = object["duplicate"] as? Int,
            let stale = object["stale"] as? Int, let rejected = object["rejected"] as? [Any]
        else { throw JSONShapeError(description: "not an events answer: \(response.text)") }
        self.init(applied: applied, duplicate: duplicate, stale: stale, rejected: rejected.count)
    }

    var description: String {
        "applied \(applied) duplicate \(duplicate) stale \(stale) rejected \(rejected)"
    }
}
