import ATPJSON

/// What the simulated clients do: a weighted mix of flows and their parameters.
///
/// Built-in: `browse`, `checkout`, `warehouse`, `flash-sale` and `holiday-peak` (browse 70,
/// checkout 20, flash-sale 8, warehouse 2). A JSON file may define its own (see `init(json:)`).
/// Thread-safety: a value type, shared read-only by the load threads.
public struct ScenarioSpec: Sendable {
    /// One kind of client journey.
    public enum Flow: String, Sendable, CaseIterable {
        /// One availability read of 1–24 Zipf-popular skus, network-wide.
        case browse
        /// hold → confirm → fulfil, or hold → release, or a hold left to expire.
        case checkout
        /// One `POST /v1/events` of `warehouseBatch` set/adjust events on random cells.
        case warehouse
        /// hold one unit of one of a few scarce skus → confirm → fulfil.
        case flashSale = "flash-sale"
    }

    public var name: String
    /// Flows and their integer weights (> 0).
    public var mix: [(flow: Flow, weight: Int)]
    /// Zipf exponent of sku popularity (browse and checkout).
    public var zipfExponent = 1.0
    public var batchMin = 1
    public var batchMax = 24
    /// Lines per checkout hold (1...linesMax) and units per line (1...qtyMax).
    public var linesMax = 3
    public var qtyMax = 2
    /// Shares of successful checkout holds released, and left to expire (the rest are fulfilled).
    public var releaseShare = 0.10
    public var expireShare = 0.05
    public var expireTTLSeconds = 2
    public var holdTTLSeconds = 900
    public var flashSkus = 5
    public var flashStockPerSku = 1_000
    public var warehouseBatch = 100
    /// onHand seeded in every regular cell.
    public var seedOnHand = 10_000
    /// Catalogue size from the file, used unless `--skus`/`--locations` are given.
    public var skus: Int?
    public var locations: Int?

    public init(name: String, mix: [(flow: Flow, weight: Int)]) {
        self.name = name
        self.mix = mix
    }

    /// The built-in scenario called `name`, or nil.
    public static func builtIn(_ name: String) -> ScenarioSpec? {
        switch name {
        case "browse": ScenarioSpec(name: name, mix: [(.browse, 1)])
        case "checkout": ScenarioSpec(name: name, mix: [(.checkout, 1)])
        case "warehouse": ScenarioSpec(name: name, mix: [(.warehouse, 1)])
        case "flash-sale": ScenarioSpec(name: name, mix: [(.flashSale, 1)])
        case "holiday-peak":
            ScenarioSpec(name: name, mix: [(.browse, 70), (.checkout, 20), (.flashSale, 8), (.warehouse, 2)])
        default: nil
        }
    }

    public static let builtInNames = ["browse", "checkout", "warehouse", "flash-sale", "holiday-peak"]

    /// True when some flow holds stock (the Redis baseline and the verdict care).
    public func uses(_ flow: Flow) -> Bool { mix.contains { $0.flow == flow } }

    /// Parses a scenario file:
    /// `{"name":"peak","mix":{"browse":70,"checkout":20,"flash-sale":8,"warehouse":2},
    ///   "zipfExponent":1.0,"batch":[1,24],"skus":10000,"locations":4,"seedOnHand":10000,
    ///   "checkout":{"linesMax":3,"qtyMax":2,"releaseShare":0.1,"expireShare":0.05,
    ///               "expireTTLSeconds":2,"ttlSeconds":900},
    ///   "flashSale":{"skus":5,"stockPerSku":1000},"warehouse":{"batch":100}}`
    /// Every member but `mix` is optional. Throws a message naming what is wrong.
    public init(json bytes: [UInt8]) throws(LoadError) {
        let parsed: JSONValue
        do throws(JSONError) {
            parsed = try JSONParser.parse(bytes)
        } catch {
            throw .usage("scenario file: \(error)")
        }
        guard let root = parsed.object else { throw .usage("scenario file: the document must be an object") }
        guard let mixObject = root["mix"]?.object, !mixObject.isEmpty else {
            throw .usage("scenario file: \"mix\" must be an object of flow weights")
        }
        var mix: [(flow: Flow, weight: Int)] = []
        for (key, value) in mixObject.members {
            guard let flow = Flow(rawValue: key) else {
                throw .usage(
                    "scenario file: unknown flow \"\(key)\" (browse, checkout, warehouse, flash-sale)")
            }
            guard let weight = value.int64, weight > 0, weight < 1_000_000 else {
                throw .usage("scenario file: the weight of \(key) must be a positive integer")
            }
            mix.append((flow, Int(weight)))
        }
        self.init(name: root["name"]?.string ?? "custom", mix: mix)
        func int(_ v: JSONValue?, _ what: String, _ range: ClosedRange<Int>) throws(LoadError) -> Int? {
            guard let v else { return nil }
            guard let n = v.int64, range.contains(Int(n)) else {
                throw .usage("scenario file: \(what) must be an integer in \(range)")
            }
            return Int(n)
        }
        func share(_ v: JSONValue?, _ what: String) throws(LoadError) -> Double? {
            guard let v else { return nil }
            guard let d = v.double, d >= 0, d <= 1 else {
                throw .usage("scenario file: \(what) must be in 0...1")
            }
            return d
        }
        if let z = root["zipfExponent"] {
            guard let d = z.double, d >= 0, d <= 5 else {
                throw .usage("scenario file: zipfExponent in 0...5")
            }
            zipfExponent = d
        }
        if let batch = root["batch"]?.array {
            guard batch.count == 2, let lo = try int(batch[0], "batch[0]", 1...100),
                let hi = try int(batch[1], "batch[1]", lo...100)
            else { throw .usage("scenario file: batch must be [min, max] within 1...100") }
            (batchMin, batchMax) = (lo, hi)
        }
        skus = try int(root["skus"], "skus", 1...10_000_000)
        locations = try int(root["locations"], "locations", 1...1_000)
        seedOnHand = try int(root["seedOnHand"], "seedOnHand", 0...1_000_000_000) ?? seedOnHand
        if let c = root["checkout"]?.object {
            linesMax = try int(c["linesMax"], "checkout.linesMax", 1...100) ?? linesMax
            qtyMax = try int(c["qtyMax"], "checkout.qtyMax", 1...1_000) ?? qtyMax
            releaseShare = try share(c["releaseShare"], "checkout.releaseShare") ?? releaseShare
            expireShare = try share(c["expireShare"], "checkout.expireShare") ?? expireShare
            expireTTLSeconds =
                try int(c["expireTTLSeconds"], "checkout.expireTTLSeconds", 1...604_800) ?? expireTTLSeconds
            holdTTLSeconds = try int(c["ttlSeconds"], "checkout.ttlSeconds", 1...604_800) ?? holdTTLSeconds
            guard releaseShare + expireShare <= 1 else {
                throw .usage("scenario file: releaseShare + expireShare exceeds 1")
            }
        }
        if let f = root["flashSale"]?.object {
            flashSkus = try int(f["skus"], "flashSale.skus", 1...1_000) ?? flashSkus
            flashStockPerSku =
                try int(f["stockPerSku"], "flashSale.stockPerSku", 0...1_000_000_000) ?? flashStockPerSku
        }
        if let w = root["warehouse"]?.object {
            warehouseBatch = try int(w["batch"], "warehouse.batch", 1...5_000) ?? warehouseBatch
        }
    }
}
