/// What the harness drives: atpd over HTTP (`HTTPTarget`) or the Redis+Lua baseline
/// (`RedisTarget`). A target seeds the catalogue, opens one connection per simulated client and
/// reads the stock back for the verdict.
///
/// Thread-safety: targets are `Sendable` and shared; each `TargetConnection` belongs to one load
/// thread.
public protocol LoadTarget: StockReader, Sendable {
    /// For example `http://127.0.0.1:8080` or `redis://127.0.0.1:6379`.
    var description: String { get }
    /// Prepares the target for `catalogue`: loads scripts, seeds every cell's onHand.
    func prepare(_ catalogue: Catalogue) throws(LoadError)
    /// A new connection for one load thread.
    func connect(_ catalogue: Catalogue) throws(LoadError) -> any TargetConnection
}

/// One connection to a target. Never throws: transport failures are `Outcome(status: 0)`, after
/// which the connection reconnects on the next call.
/// Thread-safety: not thread-safe; one thread.
public protocol TargetConnection: AnyObject {
    /// Sends `operation` and waits for its answer. Complexity: one round trip.
    func perform(_ operation: Operation) -> Outcome
}

/// One cell as the target reports it after the run.
public struct CellReading: Sendable, Equatable {
    public var cell: Int
    public var onHand: Int
    public var reserved: Int
    /// As the target reports it (Redis: computed as onHand − reserved, so it may be negative).
    public var available: Int

    public init(cell: Int, onHand: Int, reserved: Int, available: Int) {
        self.cell = cell
        self.onHand = onHand
        self.reserved = reserved
        self.available = available
    }
}

/// Reads back the stock of every cell of a catalogue (the verdict's input).
/// Thread-safety: one call at a time is enough; implementations say more.
public protocol StockReader: Sendable {
    /// Every stocked cell the target knows; a cell missing from the answer is a violation.
    func readCells(_ catalogue: Catalogue) throws(LoadError) -> [CellReading]
}

/// Makes the target a URL names: `http://…` or `redis://…`.
public func makeTarget(url: String, token: String?, timeoutMilliseconds: Int) throws(LoadError) -> any LoadTarget {
    if url.hasPrefix("redis://") {
        return try RedisTarget(url: url, timeoutMilliseconds: timeoutMilliseconds)
    }
    return try HTTPTarget(url: url, token: token, timeoutMilliseconds: timeoutMilliseconds)
}
