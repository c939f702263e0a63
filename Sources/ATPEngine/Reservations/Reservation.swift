/// A reservation id, shown as `r_` and 16 lowercase hex digits.
///
/// Ids are a bijective mix of a per-process counter that starts at a random value, so they are
/// unique within a process, unguessable in order, and practically unique across restarts.
public struct ReservationID: Hashable, Sendable, CustomStringConvertible {
    public var raw: UInt64

    public init(raw: UInt64) { self.raw = raw }

    /// Parses `r_` followed by exactly 16 hex digits.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 18, bytes[0] == UInt8(ascii: "r"), bytes[1] == UInt8(ascii: "_") else {
            return nil
        }
        var value: UInt64 = 0
        for b in bytes[2...] {
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - 87
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        raw = value
    }

    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(18)
        append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the id as written (`r_` and 16 lowercase hex digits) — without a String, for
    /// responses. - Complexity: O(1), 18 bytes.
    @inlinable
    public func append(to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "r"))
        bytes.append(UInt8(ascii: "_"))
        for shift in stride(from: 60, through: 0, by: -4) {
            let nibble = UInt8((raw >> UInt64(shift)) & 0xF)
            bytes.append(nibble < 10 ? 48 + nibble : 87 + nibble)
        }
    }
}

/// The life-cycle states of API.md.
public enum ReservationStatus: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case held = 0
    case confirmed = 1
    case fulfilled = 2
    case released = 3
    case expired = 4

    /// True for fulfilled, released and expired: no further transition is possible.
    public var isFinal: Bool { rawValue >= 2 }

    public var description: String {
        switch self {
        case .held: "held"
        case .confirmed: "confirmed"
        case .fulfilled: "fulfilled"
        case .released: "released"
        case .expired: "expired"
        }
    }
}

/// A transition a client can ask for.
public enum ReservationTransition: Sendable {
    case confirm, fulfil, release

    var target: ReservationStatus {
        switch self {
        case .confirm: .confirmed
        case .fulfil: .fulfilled
        case .release: .released
        }
    }
}

/// One line of a reservation: `qty` units of `sku` at `location`.
public struct ReservationLine: Hashable, Sendable {
    public var sku: String
    public var location: String
    public var qty: Int64

    public init(sku: String, location: String, qty: Int64) {
        self.sku = sku
        self.location = location
        self.qty = qty
    }
}

/// A reservation as clients see it.
public struct Reservation: Hashable, Sendable {
    public var id: ReservationID
    public var status: ReservationStatus
    public var lines: [ReservationLine]
    public var createdAt: Timestamp
    public var expiresAt: Timestamp
    /// When the status last changed.
    public var updatedAt: Timestamp
    public var reference: String?

    public init(
        id: ReservationID, status: ReservationStatus, lines: [ReservationLine], createdAt: Timestamp,
        expiresAt: Timestamp, updatedAt: Timestamp, reference: String?
    ) {
        self.id = id
        self.status = status
        self.lines = lines
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.updatedAt = updatedAt
        self.reference = reference
    }
}

/// A request to hold stock, as validated by `Engine.createReservation`.
public struct ReservationRequest: Sendable {
    public var lines: [ReservationLine]
    public var ttlSeconds: Int64
    public var reference: String?

    public static let defaultTTLSeconds: Int64 = 900
    public static let maxTTLSeconds: Int64 = 604_800
    public static let maxLines = 100
    public static let maxReferenceBytes = 256

    public init(lines: [ReservationLine], ttlSeconds: Int64 = defaultTTLSeconds, reference: String? = nil) {
        self.lines = lines
        self.ttlSeconds = ttlSeconds
        self.reference = reference
    }
}

/// Why a hold was refused: per line, what was asked and what was available.
public struct InsufficientLine: Hashable, Sendable {
    public var sku: String
    public var location: String
    public var requested: Int64
    public var available: Int64
}
