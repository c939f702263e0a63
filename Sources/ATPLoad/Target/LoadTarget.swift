import ATPHTTP
import ATPPosix

/// What the harness drives: atpd over HTTP (`HTTPTarget`) or the Redis+Lua baseline
/// (`RedisTarget`). A target seeds the catalogue and reads the stock back for the verdict (both
/// blocking, outside the measured window), and makes one `WireCodec` per load connection; the
/// event-driven driver connects to `address` and does the rest.
///
/// Thread-safety: targets are `Sendable` and shared; each codec belongs to one load thread.
public protocol LoadTarget: StockReader, Sendable {
    /// For example `http://127.0.0.1:8080` or `redis://127.0.0.1:6379`.
    var description: String { get }
    /// Where the load connections go.
    var address: SocketAddress { get }
    /// Prepares the target for `catalogue`: seeds every cell's onHand.
    func prepare(_ catalogue: Catalogue) throws(LoadError)
    /// The codecs of `count` load connections (Redis: loads the scripts first, once).
    func makeCodecs(_ catalogue: Catalogue, count: Int) throws(LoadError) -> [any WireCodec]
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
public func makeTarget(url: String, token: String?, timeoutMilliseconds: Int) throws(LoadError)
    -> any LoadTarget
{
    if url.hasPrefix("redis://") {
        return try RedisTarget(url: url, timeoutMilliseconds: timeoutMilliseconds)
    }
    return try HTTPTarget(url: url, token: token, timeoutMilliseconds: timeoutMilliseconds)
}
