import ATPEngine
import ATPUtilities

/// The Redis data model of atpd, layout 2: the journal itself, split into partitions.
///
/// The file store's design, in Redis: each partition has an append-only log of checksummed
/// journal frames (`JournalFrame`, one frame per partition per batch) and a snapshot that is valid
/// with the logs of its generation and later. Every key of a partition carries the hash tag
/// `{P<p>}` (prefix `P`, default `atp:`), so in a Redis Cluster a partition is one slot and its
/// commit one call.
///
/// | key | type | value |
/// |---|---|---|
/// | `P meta` | hash | `layout` → `2`, `partitions` → N (fixed at first start) |
/// | `{P<p>}:meta` | hash | `epoch` → the owner's fencing epoch (1 for a single node), `head` → the generation commits append to, `snap` → the generation of the published snapshot (0: none) |
/// | `{P<p>}:log:<g>` | string | the frames committed to partition p in generation g, appended |
/// | `{P<p>}:snap:<g>` | string | frames of the partition's state at the start of generation g, ending with an empty frame |
/// | `P cell:<sku>` | hash | field `<location>` → `"<onHand> <version> <safetyStock>"`: a mirror for other tools, not read by recovery (`RedisCellMirror`) |
///
/// Records go to partitions by what they name (`partition(of:)`): a cell's records by sku, a
/// reservation's by id, an idempotency key by the id of the reservation it created (so a hold
/// with a key is one partition) or else by its digest, an event id by its digest, a channel's and
/// its dead letters' by channel name. Replay is order-independent across partitions (`Engine.replay`:
/// on-hand changes carry versions), and within a partition the log keeps commit order.
///
/// Thread-safety: an immutable value type. Complexity: every key is O(length of its parts).
public struct RedisLogLayout: Sendable, Hashable {
    /// The layout version this atpd writes and reads (`P meta` field `layout`).
    public static let version = 2
    /// Partitions of a new Redis (issue: the number the fleet uses).
    public static let defaultPartitions = 64
    /// The largest partition count accepted.
    public static let maximumPartitions = 16_384

    /// The prefix of every key, e.g. `atp:`.
    public let prefix: String
    /// The number of partitions, fixed once a Redis holds data.
    public let partitions: Int

    public init(prefix: String = "atp:", partitions: Int = Self.defaultPartitions) {
        self.prefix = prefix
        self.partitions = max(1, min(Self.maximumPartitions, partitions))
    }

    /// `P meta`.
    public var meta: [UInt8] { Array((prefix + "meta").utf8) }
    /// `{P<p>}:meta`.
    public func meta(partition p: Int) -> [UInt8] { Array((tag(p) + ":meta").utf8) }
    /// `{P<p>}:log:<g>`.
    public func log(partition p: Int, generation g: UInt64) -> [UInt8] { Array((tag(p) + ":log:\(g)").utf8) }
    /// `{P<p>}:snap:<g>`.
    public func snapshot(partition p: Int, generation g: UInt64) -> [UInt8] {
        Array((tag(p) + ":snap:\(g)").utf8)
    }

    /// `{P<p>}`: the hash tag of partition p.
    public func tag(_ p: Int) -> String { "{\(prefix)\(p)}" }

    /// The partition of the bytes that name a thing: CRC-32C of them, modulo the partition count.
    /// Stable across versions and processes: it is part of the layout.
    /// - Complexity: O(bytes), no allocation.
    public func partition(ofName bytes: UnsafeRawBufferPointer) -> Int {
        Int(CRC32C.checksum(bytes) % UInt32(partitions))
    }

    /// The partition of a record (see the type's documentation).
    /// - Complexity: O(length of the name), no allocation for native strings.
    public func partition(of record: JournalRecord) -> Int {
        switch record {
        case .stockEvent(let r): partition(ofText: r.event.sku)
        case .safetyStock(let sku, _, _), .sequenceMark(_, let sku, _, _): partition(ofText: sku)
        case .cellSnapshot(let c): partition(ofText: c.sku)
        case .reservationCreated(let r), .reservationSnapshot(let r): partition(of: r.id)
        case .reservationTransition(let t): partition(of: t.id)
        case .idempotency(let r):
            if case .created(let reservation) = r.outcome {
                partition(of: reservation.id)
            } else {
                partition(of: r.key)
            }
        case .eventSeen(let id, _): partition(of: id)
        case .channelDefined(let view): partition(ofText: view.name)
        case .channelRemoved(let name), .deadLettersRemoved(let name, _): partition(ofText: name)
        case .deadLetter(let letter): partition(ofText: letter.channel)
        }
    }

    /// The partition of a reservation: its 64-bit id, little-endian.
    public func partition(of id: ReservationID) -> Int {
        withUnsafeBytes(of: id.raw.littleEndian) { partition(ofName: $0) }
    }

    /// The partition of a digest (idempotency key, event id): `high` then `low`, little-endian.
    public func partition(of digest: Digest128) -> Int {
        withUnsafeBytes(of: (digest.high.littleEndian, digest.low.littleEndian)) { partition(ofName: $0) }
    }

    /// The partition of a name given as text (sku, channel), by its UTF-8 bytes.
    public func partition(ofText text: String) -> Int {
        var text = text
        return text.withUTF8 { partition(ofName: UnsafeRawBufferPointer($0)) }
    }
}
