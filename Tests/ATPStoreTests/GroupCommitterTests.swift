import ATPEngine
import ATPPosix
import ATPTestSupport
import ATPUtilities
import Glibc
import Testing

@testable import ATPStore

/// A backend that remembers what it was given, takes `delay` per batch (an fsync's worth) and
/// fails the batches whose numbers are in `failing`.
final class RecordingBackend: GroupCommitBackend {
    let delay: UInt32
    let failing: Set<Int>
    let batches = Locked<[[[JournalRecord]]]>([])

    init(delayMicroseconds: UInt32 = 300, failing: Set<Int> = []) {
        delay = delayMicroseconds
        self.failing = failing
    }

    func write(_ units: [EngineChange]) throws(StoreError) {
        let number = batches.withLock { b in
            b.append(units.map(\.records))
            return b.count - 1
        }
        MonotonicClock.sleep(microseconds: Int64(delay))
        if failing.contains(number) { throw .io("batch \(number) fails") }
    }

    var units: [[JournalRecord]] { batches.withLock { $0.flatMap { $0 } } }
}

@Suite struct GroupCommitterTests {
    static func unit(_ thread: Int, _ i: Int) -> [JournalRecord] {
        [.safetyStock(sku: "t\(thread)", location: "\(i)", value: Int64(i))]
    }

    @Test func manyThreadsShareFewBatchesInOrder() {
        let backend = RecordingBackend()
        let committer = GroupCommitter(backend: backend)
        committer.start()
        let threads = 16
        let perThread = 500
        let completed = (0..<threads).map { _ in Locked<[Int]>([]) }
        let failures = Locked(0)
        let done = Latch(threads * perThread)
        runThreads(threads) { t in
            for i in 0..<perThread {
                committer.append(Self.unit(t, i)) { result in
                    if case .failure = result { failures.withLock { $0 += 1 } }
                    completed[t].withLock { $0.append(i) }
                    done.countDown()
                }
            }
        }
        done.wait()
        committer.close()
        #expect(failures.withLock { $0 } == 0)
        for t in 0..<threads {
            #expect(
                completed[t].withLock { $0 } == Array(0..<perThread), "thread \(t) completes in append order")
        }
        // The backend saw every unit once, each thread's in its order.
        let written = backend.units
        #expect(written.count == threads * perThread)
        for t in 0..<threads {
            let mine = written.filter {
                if case .safetyStock(let sku, _, _) = $0[0] { sku == "t\(t)" } else { false }
            }
            #expect(mine == (0..<perThread).map { Self.unit(t, $0) })
        }
        let stats = committer.statistics
        #expect(stats.records == threads * perThread)
        #expect(committer.units == threads * perThread)
        #expect(
            stats.batches < threads * perThread, "\(stats.batches) batches for \(threads * perThread) units")
        #expect(stats.batches == backend.batches.withLock { $0.count })
        #expect(stats.durableMicroseconds >= stats.batches * 300)
        // The batch-size histogram counts what the backend was given.
        var sizes = Array(repeating: 0, count: GroupCommitter.batchBounds.count + 1)
        for batch in backend.batches.withLock({ $0 }) {
            sizes[
                GroupCommitter.batchBounds.firstIndex { batch.count <= $0 }
                    ?? GroupCommitter.batchBounds.count] += 1
        }
        #expect(stats.batchSizes == sizes)
        #expect(stats.unitsInBatches == threads * perThread)
    }

    /// Units appended without waking the writer (as an event loop does for the requests of one
    /// iteration) wait for the one `wake`, then share one batch.
    @Test(.timeLimit(.minutes(1))) func unitsAppendedWithoutWakingShareTheBatchOfTheWake() {
        let backend = RecordingBackend(delayMicroseconds: 0)
        let committer = GroupCommitter(backend: backend)
        committer.start()
        // Let the writer reach its wait (a writer still looking at the queue takes what is there).
        #expect(committer.barrier())
        MonotonicClock.sleep(microseconds: 100_000)
        let done = Latch(10)
        for i in 0..<10 {
            committer.append(EngineChange(records: Self.unit(0, i)), waking: false) { _ in done.countDown() }
        }
        MonotonicClock.sleep(microseconds: 50_000)
        #expect(backend.batches.withLock { $0.count } == 1, "no batch but the barrier's before the wake")
        committer.wake()
        done.wait()
        committer.close()
        #expect(backend.batches.withLock { $0.map(\.count) } == [1, 10])
        #expect(committer.statistics.batchSizes[GroupCommitter.batchBounds.firstIndex(of: 16)!] == 1)
    }

    @Test func aFailedBatchFailsItsUnitsOnly() {
        let committer = GroupCommitter(backend: RecordingBackend(failing: [1]))
        committer.start()
        var results: [Bool] = []
        for i in 0..<3 {
            let latch = Latch(1)
            let ok = Locked(false)
            committer.append(Self.unit(0, i)) { result in
                ok.withLock { $0 = (try? result.get()) != nil }
                latch.countDown()
            }
            latch.wait()
            results.append(ok.withLock { $0 })
        }
        committer.close()
        #expect(results == [true, false, true])
        #expect(committer.statistics.failedBatches == 1)
    }

    @Test func closeWritesWhatIsQueued() {
        let backend = RecordingBackend(delayMicroseconds: 20_000)
        let committer = GroupCommitter(backend: backend)
        committer.start()
        let successes = Locked(0)
        for i in 0..<200 {
            committer.append(Self.unit(0, i)) { result in
                if case .success = result { successes.withLock { $0 += 1 } }
            }
        }
        committer.close()
        #expect(successes.withLock { $0 } == 200)
        #expect(backend.units.count == 200)
        let refused = Locked<StoreError?>(nil)
        committer.append(Self.unit(0, 200)) { result in
            if case .failure(let error) = result { refused.withLock { $0 = error } }
        }
        #expect(refused.withLock { $0 } == .unavailable(""), "an append after close fails at once")
    }

    @Test func abandonFailsWhatIsQueued() {
        let backend = RecordingBackend(delayMicroseconds: 20_000)
        let committer = GroupCommitter(backend: backend)
        committer.start()
        let outcomes = Locked((ok: 0, failed: 0))
        for i in 0..<200 {
            committer.append(Self.unit(0, i)) { result in
                outcomes.withLock { if case .success = result { $0.ok += 1 } else { $0.failed += 1 } }
            }
        }
        committer.abandon()
        let (ok, failed) = outcomes.withLock { $0 }
        #expect(ok + failed == 200)
        #expect(ok == backend.units.count, "only the batch in flight was written")
        #expect(failed > 0)
    }

    /// A mutation inside the gate (engine changed, records not yet appended) holds back the next
    /// batch, so its unit and a unit appended meanwhile are prepared together.
    @Test(.timeLimit(.minutes(1))) func theGateMakesEachBatchACut() {
        let backend = RecordingBackend()
        let gate = MutationGate()
        let committer = GroupCommitter(backend: backend, gate: gate)
        committer.start()
        let inside = Latch(1)
        let done = Latch(2)
        let slow = JoinableThread(name: "slow-mutation") {
            gate.pass {
                inside.countDown()
                MonotonicClock.sleep(milliseconds: 100)
                committer.append(Self.unit(1, 0)) { _ in done.countDown() }
            }
        }
        inside.wait()
        gate.pass { committer.append(Self.unit(0, 0)) { _ in done.countDown() } }
        done.wait()
        slow.join()
        committer.close()
        #expect(backend.batches.withLock { $0 } == [[Self.unit(0, 0), Self.unit(1, 0)]])
    }

    /// `kick` runs a batch with nothing queued (the Redis store writes its owed units in it).
    @Test(.timeLimit(.minutes(1))) func kickRunsAnEmptyBatch() {
        let backend = RecordingBackend()
        let committer = GroupCommitter(backend: backend)
        committer.start()
        committer.kick()
        #expect(eventually { backend.batches.withLock { $0.count } == 1 })
        committer.close()
        #expect(backend.batches.withLock { $0 } == [[]])
    }

    @Test func appendsBeforeStartFail() {
        let committer = GroupCommitter(backend: RecordingBackend())
        let failed = Locked(false)
        committer.append(Self.unit(0, 0)) { result in
            if case .failure = result { failed.withLock { $0 = true } }
        }
        #expect(failed.withLock { $0 })
        committer.close()
    }
}
