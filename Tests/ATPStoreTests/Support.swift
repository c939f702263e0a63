import ATPEngine
import ATPPosix
import ATPTestSupport
import ATPUtilities
import Foundation
import Testing

@testable import ATPStore

/// The names in `directory` of store files of `kind`, sorted.
func storeFiles(_ directory: String, _ kind: StoreFileName.Kind) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { StoreFileName.parse($0)?.kind == kind }.sorted()
}

/// Counts down to zero; `wait` blocks until it gets there. A pthread condition variable, so
/// ThreadSanitizer sees the hand-over.
final class Latch: Sendable {
    private let remaining: ConditionLock<Int>
    init(_ count: Int) { remaining = ConditionLock(count) }
    func countDown() {
        remaining.withLock { $0 -= 1 }
        remaining.broadcast()
    }
    func wait() { remaining.withLock(waitingUntil: { $0 <= 0 }, { _ in }) }
}

/// Runs `body(i)` on `count` threads and joins them all.
func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let threads = (0..<count).map { i in JoinableThread(name: "test-\(i)") { body(i) } }
    for thread in threads { thread.join() }
}

/// Appends units asynchronously and collects their outcomes.
final class Appender: Sendable {
    let store: any Store
    private let state = ConditionLock((pending: 0, failures: [StoreError]()))

    init(_ store: any Store) { self.store = store }

    func append(_ unit: [JournalRecord]) {
        state.withLock { $0.pending += 1 }
        store.append(unit) { result in
            self.state.withLock { s in
                s.pending -= 1
                if case .failure(let error) = result { s.failures.append(error) }
            }
            self.state.broadcast()
        }
    }

    /// Appends `unit` and waits for its completion.
    func appendAndWait(_ unit: [JournalRecord]) -> Result<Void, StoreError> {
        let latch = Latch(1)
        let outcome = Locked<Result<Void, StoreError>?>(nil)
        store.append(unit) { result in
            outcome.withLock { $0 = result }
            latch.countDown()
        }
        latch.wait()
        return outcome.withLock { $0! }
    }

    /// Waits until every unit appended so far has completed; returns the failures.
    @discardableResult
    func drain() -> [StoreError] { state.withLock(waitingUntil: { $0.pending == 0 }, { $0.failures }) }
}

/// Opens a store on `directory`, recovers `engine` from it.
func openStore(_ directory: String, _ engine: Engine, options: FileStore.Options = .init()) throws -> (
    FileStore, RecoveryReport
) {
    let store = try FileStore(directory: directory, options: options)
    let report = try store.recover(into: engine)
    return (store, report)
}

extension Engine {
    /// Everything observable, canonically ordered: every cell's on-hand, reserved, safety stock,
    /// version and availability; every sku's and channel's availability; every reservation,
    /// channel, idempotency key, sequence mark and remembered event id.
    func canonicalDump() -> [String] {
        var lines: [String] = []
        exportSnapshot { lines.append("\($0)") }
        var skus = Set<String>()
        for cell in 0..<inventory.cellCount {
            let key = inventory.key(CellID(cell))
            let sku = inventory.skus.string(key.sku)
            let location = inventory.locations.string(key.location)
            let (state, safety) = inventory.reader.state(CellID(cell))
            lines.append(
                "cell \(sku)@\(location) onHand=\(state.onHand) reserved=\(state.reserved) safety=\(safety) "
                    + "version=\(state.version) available=\(available(sku: sku, location: location))")
            skus.insert(sku)
        }
        for sku in skus {
            lines.append("available \(sku)=\(available(sku: sku))")
            for view in channelViews {
                lines.append("available \(sku)/\(view.name)=\(available(sku: sku, channel: view.name) ?? -1)")
            }
        }
        return lines.sorted()
    }
}

/// Expects two engines to hold the same state; a failure lists the lines that differ.
func expectSameState(
    _ recovered: Engine, _ original: Engine, sourceLocation: SourceLocation = #_sourceLocation
) {
    let a = recovered.canonicalDump()
    let b = original.canonicalDump()
    let onlyRecovered = Set(a).subtracting(b).sorted().prefix(12)
    let onlyOriginal = Set(b).subtracting(a).sorted().prefix(12)
    #expect(
        a == b, "only after recovery: \(Array(onlyRecovered)); only in the original: \(Array(onlyOriginal))",
        sourceLocation: sourceLocation)
}

// Records without undo steps, appended straight to a store or committer (the tests of the store
// layer itself; everything else commits through `DurableEngine`).
extension GroupCommitter {
    func start() { start(engine: nil) }

    func append(_ records: [JournalRecord], completion: @escaping Completion) {
        append(EngineChange(records: records), completion: completion)
    }
}

extension Store {
    func append(
        _ records: [JournalRecord], completion: @escaping @Sendable (Result<Void, StoreError>) -> Void
    ) {
        append(EngineChange(records: records), completion: completion)
    }
}
