import ATPEngine

/// Why the store could not do what was asked.
///
/// Thread-safety: a value type. New cases can be added without breaking callers.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: String, Sendable {
        case unavailable = "store_unavailable"
        case corrupt = "store_corrupt"
        case io = "store_io"
        case configuration = "store_configuration"
    }

    private let kind: Kind
    public let detail: String

    private init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    /// The backend cannot be reached right now (Redis down, disk full): retry later.
    public static func unavailable(_ detail: String) -> Self { Self(.unavailable, detail) }
    /// Durable data could not be read back as records.
    public static func corrupt(_ detail: String) -> Self { Self(.corrupt, detail) }
    /// A file operation failed.
    public static func io(_ detail: String) -> Self { Self(.io, detail) }
    /// The store's address or path is unusable.
    public static func configuration(_ detail: String) -> Self { Self(.configuration, detail) }

    /// The stable code, e.g. `store_unavailable`.
    public var code: String { kind.rawValue }
    public var description: String { "\(code): \(detail)" }
    public static func == (a: Self, b: Self) -> Bool { a.kind == b.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }
}

/// What recovery found.
public struct RecoveryReport: Sendable {
    /// Records replayed into the engine.
    public var records = 0
    /// Bytes or entries skipped as a torn tail (file) — 0 when the tail was clean.
    public var tornBytes = 0
    /// On-hand version gaps the engine found (`Engine.finishReplay`).
    public var gaps = 0
    public var milliseconds: Int64 = 0
    /// Records set aside instead of replayed: bytes that do not decode, or a record today's rules
    /// refuse (`JournalRecord.problem`). Recovery goes on without them, so one bad entry cannot
    /// keep atpd from starting; each is logged at error with its place.
    public var quarantinedCount = 0
    /// The first `quarantineDetailLimit` of them: where (file and offset, or Redis key) and why.
    public var quarantined: [(place: String, reason: String)] = []
    public static let quarantineDetailLimit = 100

    /// Notes one quarantined record.
    mutating func quarantine(_ place: String, _ reason: String) {
        quarantinedCount += 1
        if quarantined.count < Self.quarantineDetailLimit { quarantined.append((place, reason)) }
    }

    public init() {}
}

/// Figures a store reports for `/metrics`.
public struct StoreStatistics: Sendable {
    public var batches = 0
    public var records = 0
    public var failedBatches = 0
    /// Time spent making batches durable (write + fsync, or the Redis round trip), in microseconds.
    public var durableMicroseconds = 0
    public var snapshots = 0

    public init() {}
}

/// Durable state behind the engine: every mutation's journal records go through `append`, and a
/// client is answered only after its completion reports success.
///
/// Implementations group-commit: units appended by many threads while a write is in progress
/// share the next write (one `write` + `fsync`, or one Redis pipeline).
/// Thread-safety: `append`, `isAvailable` and `statistics` from any thread; `recover` once,
/// before serving; `close` once, at the end.
public protocol Store: AnyObject, Sendable {
    /// A short name for logs and `/metrics`: `memory`, `file`, `redis`.
    var kind: String { get }

    /// Loads every durable fact into `engine` (which must be empty) and calls
    /// `engine.finishReplay()`.
    func recover(into engine: Engine) throws(StoreError) -> RecoveryReport

    /// Makes `unit` durable — all of its records or none — then calls `completion` on the store's
    /// own thread. Units complete in the order they were appended.
    func append(_ unit: [JournalRecord], completion: @escaping @Sendable (Result<Void, StoreError>) -> Void)

    /// False while the backend is known to be unreachable; mutations should fail fast then.
    var isAvailable: Bool { get }

    /// The gate every engine mutation must pass (change, then `append`) when the store reads the
    /// engine's current values; nil when it writes records as they are.
    var mutationGate: MutationGate? { get }

    var statistics: StoreStatistics { get }

    /// Writes what is queued, stops the store's threads and releases its resources.
    func close()
}

extension Store {
    public var mutationGate: MutationGate? { nil }
}
