/// The timing of one load thread.
///
/// Closed loop (`intervalNanoseconds` nil): the thread sends the next request as soon as the
/// previous answer arrives; latency is from send to answer. Open loop (wrk2): request i is due at
/// `firstDue + i × interval`; the thread sleeps until then if it is early, sends at once if it is
/// late, and the latency is measured from the due time — so a stall in the server shows up as
/// the queueing delay it really causes, instead of being hidden by the client waiting politely
/// (coordinated omission).
/// Thread-safety: a value type.
struct WorkerPlan: Sendable {
    var index: Int
    /// When load starts, when measuring starts (after the warm-up), and when it ends (monotonic ns).
    var start: Int64
    var measureStart: Int64
    var end: Int64
    var intervalNanoseconds: Double?
    var firstDue: Int64
    var seed: UInt64
}

/// What one thread measured and what its requests did.
struct WorkerResult: Sendable {
    var stats: [LatencyHistogram]
    var statuses: [[UInt64]]
    var ledger: Ledger
}

/// Runs one load thread: its sessions take turns over their own connections until `plan.end`.
///
/// Thread-safety: runs on its own thread; it owns `connections` and `sessions`. It takes a lock
/// only once per second (publishing the second's figures). Complexity: O(requests).
func runWorker(plan: WorkerPlan, sessions initial: [Session], connections: [any TargetConnection],
               aggregator: LiveAggregator) -> WorkerResult
{
    var sessions = initial
    var random = RandomSource(seed: plan.seed)
    var stats = ThreadStats()
    var ledger = Ledger()
    var turn = 0
    var sent: Int64 = 0
    MonotonicClock.sleep(until: plan.start)
    while true {
        let due: Int64
        if let interval = plan.intervalNanoseconds {
            due = plan.firstDue + Int64(Double(sent) * interval)
            if due >= plan.end { break }
            MonotonicClock.sleep(until: due)
        } else {
            due = MonotonicClock.now()
            if due >= plan.end { break }
        }
        sent += 1
        let operation = sessions[turn].next(&random)
        let outcome = connections[turn].perform(operation)
        let done = MonotonicClock.now()
        if due >= plan.measureStart {
            stats.record(kind: operation.kind, status: outcome.status,
                         latencyMicroseconds: (done - due) / 1_000,
                         secondIndex: Int((due - plan.measureStart) / 1_000_000_000), aggregator: aggregator)
        }
        sessions[turn].complete(outcome, ledger: &ledger)
        turn += 1
        if turn == sessions.count { turn = 0 }
    }
    stats.flush(to: aggregator)
    return WorkerResult(stats: stats.histograms, statuses: stats.statuses, ledger: ledger)
}
