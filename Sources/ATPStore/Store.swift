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
    /// True when the backend may have applied the batch although it failed (the connection broke
    /// after the batch was sent, or Redis applied it but did not fsync in time): the store must
    /// then write the rolled-back state over it before anything else (`RedisStore`).
    public let mayHaveApplied: Bool

    private init(_ kind: Kind, _ detail: String, mayHaveApplied: Bool = false) {
        self.kind = kind
        self.detail = detail
        self.mayHaveApplied = mayHaveApplied
    }

    /// The backend cannot be reached right now (Redis down, disk full): retry later.
    public static func unavailable(_ detail: String, mayHaveApplied: Bool = false) -> Self {
        Self(.unavailable, detail, mayHaveApplied: mayHaveApplied)
    }

    /// This error, noting that the batch may have been applied.
    var possiblyApplied: Self { Self(kind, detail, mayHaveApplied: true) }
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
    /// Units rolled back in the engine because their batch failed (or one before them did).
    public var rolledBackUnits = 0
    /// Time spent making batches durable (write + fsync, or the Redis round trip), in microseconds.
    public var durableMicroseconds = 0
    public var snapshots = 0
    /// Batches by size: `batchSizes[i]` batches had at most `batchSizeBounds[i]` units (and more
    /// than the bound before); the last element counts larger batches. Empty for a store that
    /// does not group-commit.
    public var batchSizes: [Int] = []
    public var batchSizeBounds: [Int] = []
    /// Units (changes) written in all batches so far: the histogram's sum.
    public var unitsInBatches = 0
    /// Why the last failed batch failed, or nil if none has.
    public var lastFailure: String?

    public init() {}
}

/// Durable state behind the engine: every mutation's change goes through `append` (from
/// `DurableEngine.commit`, the one seam), and a client is answered only after its completion
/// reports success. On failure the store has already rolled the change back in the engine
/// (`Engine.rollBack`), together with every unit appended after it, and nothing of it stays
/// durable: a failure answer means that nothing changed.
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

    /// Makes `unit`'s records durable — all or none — then calls `completion` on the store's own
    /// thread. Units complete in the order they were appended. On failure `unit` is rolled back
    /// in the engine before `completion` runs.
    func append(_ unit: EngineChange, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void)

    /// `append` from inside the mutation gate, without waking the writer: the caller calls
    /// `wakeWriter()` once it has left the gate. (The writer's first act is to close the gate;
    /// woken while this mutation is still inside, on a busy core it would wait for it, and the
    /// mutation's thread would then wait for the writer: two context switches per batch.)
    func appendInsideGate(
        _ unit: EngineChange, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void)

    /// Wakes the writer for what `appendInsideGate` queued.
    func wakeWriter()

    /// False while the backend is known to be unreachable; mutations should fail fast then.
    var isAvailable: Bool { get }

    /// The gate every engine mutation passes (change, then `append`): closed by the store while
    /// it takes a batch (Redis reads the engine's current values then) and while it rolls a
    /// failed batch back. Nil for a store that never fails.
    var mutationGate: MutationGate? { get }

    var statistics: StoreStatistics { get }

    /// Writes what is queued, stops the store's threads and releases its resources.
    func close()
}

extension Store {
    public var mutationGate: MutationGate? { nil }

    public func appendInsideGate(
        _ unit: EngineChange, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void
    ) {
        append(unit, completion: completion)
    }

    public func wakeWriter() {}
}
