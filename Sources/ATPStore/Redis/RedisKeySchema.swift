import ATPEngine

/// Layout 1 of atpd's Redis data (written until session 8): every durable fact as a key under
/// one prefix `P` (default `atp:`), holding current values. Read now only to migrate it
/// (`RedisLegacyLayout`); its cell hashes live on as layout 2's mirror (`RedisCellMirror`).
///
/// | key | type | value | expiry |
/// |---|---|---|---|
/// | `P cell:<sku>` | hash | field `<location>` → `"<onHand> <version> <safetyStock>"` (decimal, one space) | none |
/// | `P res:<id>` | string | binary `JournalRecord.reservationSnapshot` (`<id>` is `r_` + 16 hex digits) | fulfilled/released/expired: `finalReservationRetention` − age; held/confirmed: none |
/// | `P idem:<hex>` | string | binary `JournalRecord.idempotency`; `<hex>` = 32 lowercase hex digits of the (scope, key) digest | `idempotencyRetention` − age |
/// | `P evt:<event id>` | string | decimal milliseconds since the epoch when the event was applied | `eventIDRetention` − age |
/// | `P evtd:<hex>` | string | as `evt:`, for ids known only by their 128-bit digest (snapshot `eventSeen` records) | `eventIDRetention` − age |
/// | `P seq:<source>` | hash | field `<sku>\0<location>` → last applied `seq` (decimal) | none |
/// | `P channels` | hash | field `<name>` → binary `JournalRecord.channelDefined`; removed channels are `HDEL`ed | none |
/// | `P dl:<channel>` | hash | field `<webhook-id>` → binary `JournalRecord.deadLetter`; replayed ones are `HDEL`ed, the key is `DEL`ed with its channel | none |
///
/// `reserved` is deliberately not stored in cells: recovery rebuilds it from the held and
/// confirmed reservations, on top of the recovered `onHand`. Binary values are the engine's
/// journal encoding (`JournalRecord.encode(into:)`, format byte first). Keys are binary-safe;
/// skus, locations and sources never contain control characters, so `\0` cannot be ambiguous.
///
/// Thread-safety: an immutable value type. Complexity: every key is O(length of its parts).
public struct RedisKeySchema: Sendable, Hashable {
    /// The prefix of every key, e.g. `atp:`.
    public let prefix: String

    /// A schema whose keys all start with `prefix`.
    public init(prefix: String = "atp:") {
        self.prefix = prefix
    }

    /// What kind of atpd key a key is, with the part that names it.
    public enum Kind: Hashable, Sendable {
        case cell(sku: String)
        case reservation(ReservationID)
        case idempotency(Digest128)
        case event(id: String)
        case eventDigest(Digest128)
        case sequenceMarks(source: String)
        case channels
        case deadLetters(channel: String)
    }

    /// `P cell:<sku>`.
    public func cell(sku: String) -> [UInt8] { key("cell:", sku) }
    /// `P res:r_<16 hex>`.
    public func reservation(_ id: ReservationID) -> [UInt8] { key("res:", id.description) }
    /// `P idem:<32 hex>`.
    public func idempotency(_ digest: Digest128) -> [UInt8] { key("idem:", Self.hex(digest)) }
    /// `P evt:<event id>`.
    public func event(id: String) -> [UInt8] { key("evt:", id) }
    /// `P evtd:<32 hex>`.
    public func eventDigest(_ digest: Digest128) -> [UInt8] { key("evtd:", Self.hex(digest)) }
    /// `P seq:<source>`.
    public func sequenceMarks(source: String) -> [UInt8] { key("seq:", source) }
    /// `P channels`.
    public var channels: [UInt8] { key("channels", "") }
    /// `P dl:<channel>`: the dead letters of channel push.
    public func deadLetters(channel: String) -> [UInt8] { key("dl:", channel) }

    /// The field of a sequence mark in `P seq:<source>`: `<sku>\0<location>`.
    public static func sequenceField(sku: String, location: String) -> [UInt8] {
        Array(sku.utf8) + [0] + Array(location.utf8)
    }

    /// The `SCAN ... MATCH` pattern of every key of this schema: the prefix, glob-escaped, then `*`.
    public var scanPattern: [UInt8] {
        var pattern: [UInt8] = []
        for byte in prefix.utf8 {
            if byte == UInt8(ascii: "*") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "[")
                || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "\\")
            {
                pattern.append(UInt8(ascii: "\\"))
            }
            pattern.append(byte)
        }
        pattern.append(UInt8(ascii: "*"))
        return pattern
    }

    /// Classifies a key found by `SCAN`; nil for keys that are not this schema's (or malformed).
    /// - Complexity: O(key length).
    public func kind(of key: [UInt8]) -> Kind? {
        let p = prefix.utf8
        guard key.count >= p.count, key.starts(with: p) else { return nil }
        let rest = key[p.count...]
        func after(_ tag: String) -> String? {
            guard rest.starts(with: tag.utf8), rest.count > tag.utf8.count else { return nil }
            return String(validating: rest.dropFirst(tag.utf8.count), as: UTF8.self)
        }
        if let sku = after("cell:") { return .cell(sku: sku) }
        if let id = after("res:") { return ReservationID(id).map(Kind.reservation) }
        if let hex = after("idem:") { return Self.digest(hex: hex).map(Kind.idempotency) }
        if let id = after("evt:") { return .event(id: id) }
        if let hex = after("evtd:") { return Self.digest(hex: hex).map(Kind.eventDigest) }
        if let source = after("seq:") { return .sequenceMarks(source: source) }
        if let channel = after("dl:") { return .deadLetters(channel: channel) }
        if rest.elementsEqual("channels".utf8) { return .channels }
        return nil
    }

    // MARK: Values

    /// A cell's hash value: `"<onHand> <version> <safetyStock>"`.
    public static func cellValue(_ figures: CellSnapshotRecord) -> [UInt8] {
        Array("\(figures.onHand) \(figures.version) \(figures.safetyStock)".utf8)
    }

    /// Parses a cell value back into figures; nil when it is not three decimal integers in range.
    /// - Complexity: O(value length), no allocation.
    public static func parseCellValue(_ bytes: [UInt8]) -> (
        onHand: Int64, version: UInt32, safetyStock: Int64
    )? {
        var numbers: (Int64, Int64, Int64) = (0, 0, 0)
        var index = 0
        for n in 0..<3 {
            var negative = false
            if index < bytes.count && bytes[index] == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            let start = index
            var value: Int64 = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57, index - start < 18 {
                value = value * 10 + Int64(bytes[index] - 48)
                index += 1
            }
            guard index > start else { return nil }
            if negative { value = -value }
            switch n {
            case 0: numbers.0 = value
            case 1: numbers.1 = value
            default: numbers.2 = value
            }
            if n < 2 {
                guard index < bytes.count, bytes[index] == UInt8(ascii: " ") else { return nil }
                index += 1
            }
        }
        guard index == bytes.count, numbers.1 >= 0, numbers.1 <= Int64(UInt32.max) else { return nil }
        return (numbers.0, UInt32(numbers.1), numbers.2)
    }

    /// 32 lowercase hex digits: `high` then `low`, most significant digit first.
    public static func hex(_ digest: Digest128) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for word in [digest.high, digest.low] {
            for shift in stride(from: 60, through: 0, by: -4) {
                let nibble = UInt8((word >> UInt64(shift)) & 0xF)
                out.append(nibble < 10 ? 48 + nibble : 87 + nibble)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The digest written by `hex(_:)`, or nil when `text` is not 32 lowercase hex digits.
    public static func digest(hex text: String) -> Digest128? {
        let bytes = Array(text.utf8)
        guard bytes.count == 32 else { return nil }
        var words: [UInt64] = [0, 0]
        for (i, b) in bytes.enumerated() {
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - 87
            default: return nil
            }
            words[i / 16] = words[i / 16] << 4 | UInt64(digit)
        }
        return Digest128(high: words[0], low: words[1])
    }

    private func key(_ tag: String, _ name: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        bytes.append(contentsOf: tag.utf8)
        bytes.append(contentsOf: name.utf8)
        return bytes
    }
}
