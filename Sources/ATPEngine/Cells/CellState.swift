import Synchronization

/// The atomically updated part of a cell: on-hand, reserved and a version, packed in 128 bits.
///
/// Layout of the `WordPair`: `first` is `onHand` (two's complement, 64 bits); `second` holds
/// `reserved` in its low 40 bits and `version` in its high 24 bits. `version` counts changes of
/// `onHand` (modulo 2^24), so journal replay can apply a cell's on-hand changes in the order they
/// really happened even when records reach the journal in another order.
/// Thread-safety: a value type.
public struct CellState: Equatable, Sendable {
    public var onHand: Int64
    public var reserved: Int64
    public var version: UInt32

    static let reservedBits: UInt = 40
    static let reservedMask: UInt = (1 << reservedBits) - 1
    /// Versions live in 24 bits and compare with serial-number arithmetic (RFC 1982).
    public static let versionMask: UInt32 = 0xFF_FFFF

    public init(onHand: Int64, reserved: Int64, version: UInt32) {
        self.onHand = onHand
        self.reserved = reserved
        self.version = version & Self.versionMask
    }

    @inline(__always)
    init(_ pair: WordPair) {
        onHand = Int64(Int(bitPattern: pair.first))
        reserved = Int64(pair.second & Self.reservedMask)
        version = UInt32(truncatingIfNeeded: pair.second >> Self.reservedBits)
    }

    @inline(__always)
    var pair: WordPair {
        WordPair(
            first: UInt(bitPattern: Int(onHand)), second: UInt(reserved) | UInt(version) << Self.reservedBits)
    }

    /// `max(0, onHand − reserved − safetyStock)`.
    @inline(__always)
    public func available(safetyStock: Int64) -> Int64 {
        max(0, onHand - reserved - safetyStock)
    }

    /// The version after `version`.
    @inline(__always)
    static func next(_ version: UInt32) -> UInt32 { (version &+ 1) & versionMask }

    /// Serial-number distance from `a` to `b` in −2^23..<2^23: positive when `b` is newer.
    static func distance(from a: UInt32, to b: UInt32) -> Int32 {
        let raw = (b &- a) & versionMask
        return raw >= 1 << 23 ? Int32(raw) - (1 << 24) : Int32(raw)
    }
}

/// A change of a cell's on-hand count: absolute (a warehouse count) or relative.
public enum OnHandChange: Equatable, Sendable {
    case set(Int64)
    case add(Int64)

    @inline(__always)
    func applied(to onHand: Int64) -> Int64 {
        switch self {
        case .set(let value): value
        case .add(let delta): onHand + delta
        }
    }
}
