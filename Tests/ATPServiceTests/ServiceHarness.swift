import ATPEngine
import ATPHTTP
import ATPTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

@testable import ATPService

/// The keys of the harness's key file (every token at least 16 bytes).
enum Tokens {
    static let reader = "reader-token-0001-abcdef"
    static let shop = "shop-token-0002-abcdef"
    /// Stored in the key file only as `sha256:` of itself.
    static let wms = "wms-token-0003-abcdef"
    static let wmsSHA256 = "f4966b061108c2deebd2df4d07ffe27c25fbc3b801443f5089303276a9766170"
    static let ops = "ops-token-0004-abcdef"
    /// Every scope; the default token of `ServiceHarness.request`.
    static let all = "all-token-0005-abcdef"
    /// Another key with `reserve`, for idempotency scoping.
    static let shop2 = "shop2-token-0006-abcdef"
    /// `reserve` alone.
    static let reserver = "reserver-token-0007-abcdef"

    static let file = """
        # atpd keys for the API tests
        reader read \(reader)
        shop read,reserve \(shop)

        wms ingest sha256:\(wmsSHA256)
        ops admin \(ops)
        all read,reserve,ingest,admin \(all)
        shop2 read,reserve \(shop2)
        reserver reserve \(reserver)
        """
}

/// A running `Service` on an ephemeral loopback port with a `ManualClock` and a temporary key
/// file, and helpers to talk to it.
final class ServiceHarness: @unchecked Sendable {  // written only in init and stop (one thread)
    let clock: ManualClock
    let service: Service
    let port: UInt16
    private let keyFile: String?
    private let logFD: Int32
    /// Where the service's log lines go when they are captured; nil when they go to /dev/null.
    let logFile: String?
    private var stopped = false

    /// Starts a service; `keys: false` runs it open (no key file); `captureLog: true` keeps its
    /// log lines for `logText`.
    init(
        keys: Bool = true, captureLog: Bool = false,
        configure: (inout ServiceConfiguration) -> Void = { _ in }
    ) throws {
        clock = ManualClock()
        var configuration = ServiceConfiguration()
        configuration.store = .memory
        configuration.listen = .loopback(port: 0)
        configuration.threads = 2
        configuration.shutdownGraceMilliseconds = 1_000
        if keys {
            let path = NSTemporaryDirectory() + "atpd-apitests-keys-\(UUID().uuidString)"
            try Tokens.file.write(toFile: path, atomically: true, encoding: .utf8)
            keyFile = path
            configuration.apiKeysFile = path
        } else {
            keyFile = nil
        }
        configure(&configuration)
        logFile = captureLog ? NSTemporaryDirectory() + "atpd-apitests-log-\(UUID().uuidString)" : nil
        logFD = Glibc.open(logFile ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        do {
            service = try Service(configuration: configuration, clock: clock, logFD: logFD)
        } catch {
            if let keyFile { try? FileManager.default.removeItem(atPath: keyFile) }
            if let logFile { try? FileManager.default.removeItem(atPath: logFile) }
            Glibc.close(logFD)
            throw error
        }
        service.start()
        port = service.boundAddress.port
    }

    deinit {
        stop()
        if let logFile { try? FileManager.default.removeItem(atPath: logFile) }
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        service.shutdown()
        service.wait()
        Glibc.close(logFD)
        if let keyFile { try? FileManager.default.removeItem(atPath: keyFile) }
    }

    /// Every line the service logged so far, `stop` included (empty unless started with
    /// `captureLog`).
    var logText: String {
        guard let logFile, let data = FileManager.default.contents(atPath: logFile) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// A new keep-alive connection to the service.
    func connect(timeoutMilliseconds: Int32 = 5_000) throws -> RawConnection {
        try RawConnection(port: port, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// The bytes of one request (`requestText`), authorised with every scope unless told otherwise.
    static func requestText(
        _ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = [],
        token: String? = Tokens.all, contentType: String? = "application/json"
    ) -> String {
        ATPTestSupport.requestText(
            method, path, body: body, headers: headers, token: token, contentType: contentType)
    }

    /// Sends one request on a fresh connection and reads its response.
    func request(
        _ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = [],
        token: String? = Tokens.all, contentType: String? = "application/json"
    ) throws -> RawResponse {
        let connection = try connect()
        try connection.send(
            Self.requestText(
                method, path, body: body, headers: headers, token: token, contentType: contentType))
        return try connection.readResponse()
    }

    /// Sends a JSON value as the body.
    func request(
        _ method: String, _ path: String, json: Any, headers: [(String, String)] = [],
        token: String? = Tokens.all
    ) throws -> RawResponse {
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        return try request(
            method, path, body: String(decoding: data, as: UTF8.self), headers: headers, token: token)
    }

    // MARK: Shortcuts

    /// Sets on-hand of (sku, location) with a `set` event (fresh id, no seq).
    func seed(_ sku: String, _ location: String, _ qty: Int64) throws {
        let event: [String: Any] = [
            "id": "seed-\(UUID().uuidString)", "type": "set", "sku": sku, "location": location, "qty": qty,
        ]
        let response = try request("POST", "/v1/events", json: ["events": [event]], token: Tokens.all)
        #expect(response.status == 200, "seeding: \(response.text)")
        #expect(try response.json()["applied"] as? Int == 1, "seeding: \(response.text)")
    }

    /// Network-wide (or one location's) availability of one sku, read through the API.
    func available(_ sku: String, location: String? = nil, channel: String? = nil) throws -> Int? {
        var path = "/v1/availability?sku=\(percentEncoded(sku))"
        if let location { path += "&location=\(percentEncoded(location))" }
        if let channel { path += "&channel=\(percentEncoded(channel))" }
        let response = try request("GET", path, token: Tokens.all)
        guard response.status == 200 else { return nil }
        let items = try response.json()["items"] as? [[String: Any]]
        return items?.first?["available"] as? Int
    }

    /// One cell of `GET /v1/stock/{sku}`, or nil.
    func cell(_ sku: String, _ location: String) throws -> [String: Any]? {
        let response = try request("GET", "/v1/stock/\(percentEncoded(sku))", token: Tokens.all)
        guard response.status == 200 else { return nil }
        let rows = try response.json()["locations"] as? [[String: Any]] ?? []
        return rows.first { $0["location"] as? String == location }
    }

    /// Creates a reservation of the given lines; returns the response.
    func hold(
        _ lines: [(String, String, Int)], ttlSeconds: Int? = nil, reference: String? = nil,
        headers: [(String, String)] = [], token: String = Tokens.all
    ) throws -> RawResponse {
        var body: [String: Any] = ["lines": lines.map { ["sku": $0.0, "location": $0.1, "qty": $0.2] }]
        if let ttlSeconds { body["ttlSeconds"] = ttlSeconds }
        if let reference { body["reference"] = reference }
        return try request("POST", "/v1/reservations", json: body, headers: headers, token: token)
    }

    /// The value of a sample line of `/metrics` (`name{labels} value`), or nil when absent.
    func metric(_ sample: String) throws -> Int? {
        let response = try request("GET", "/metrics", token: nil)
        for line in response.text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Int(line.dropFirst(sample.count + 1))
        }
        return nil
    }

    /// RFC 3339 UTC (seconds) of a millisecond Unix time, formatted by Foundation.
    static func rfc3339(milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds / 1000)))
    }
}

extension RawResponse {
    /// The `items` of an availability answer as (sku, available) pairs.
    func availabilityItems() throws -> [(sku: String, available: Int)] {
        let items = try json()["items"] as? [[String: Any]] ?? []
        return items.map { ($0["sku"] as? String ?? "?", $0["available"] as? Int ?? -1) }
    }
}
