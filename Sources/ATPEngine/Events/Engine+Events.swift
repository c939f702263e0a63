/// Warehouse and POS stock events: dedupe, sequence guard, application.
extension Engine {
    /// Applies `events` in order; each is applied, a duplicate, stale, or rejected on its own.
    /// - Returns: one outcome per event and the journal records of the applied ones.
    /// - Complexity: O(events); each event locks one id shard and one cell shard.
    public func apply(_ events: [StockEvent]) -> (outcomes: [EventOutcome], records: [JournalRecord]) {
        var change = EngineChange()
        let outcomes = apply(events, into: &change)
        return (outcomes, change.records)
    }

    /// `apply`, appending the applied events' records to `change` (undone by restoring each
    /// cell's on-hand and sequence mark and forgetting the event id).
    public func apply(_ events: [StockEvent], into change: inout EngineChange) -> [EventOutcome] {
        var outcomes: [EventOutcome] = []
        outcomes.reserveCapacity(events.count)
        let now = clock.now()
        for event in events {
            let outcome = apply(event, now: now, into: &change)
            switch outcome {
            case .applied: counters.eventsApplied.add(1, ordering: .relaxed)
            case .duplicate: counters.eventsDuplicate.add(1, ordering: .relaxed)
            case .stale: counters.eventsStale.add(1, ordering: .relaxed)
            case .rejected: counters.eventsRejected.add(1, ordering: .relaxed)
            }
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// The last applied `seq` of `source` for (sku, location), or nil when there is none.
    /// - Complexity: O(key lengths); locks one mark shard.
    public func sequenceMark(source: String, sku: String, location: String) -> Int64? {
        guard let id = events.sources.find(source), let cell = inventory.cell(sku: sku, location: location)
        else {
            return nil
        }
        return events.markShard(cell).marks.withLock { $0[EventLedger.markKey(source: id, cell: cell)] }
    }

    /// Event ids remembered for dedupe now (at most `configuration.eventIDCapacity`).
    /// - Complexity: O(shards); locks each id shard in turn.
    public var eventIDCount: Int { events.seenCount }

    private func apply(_ event: StockEvent, now: Timestamp, into change: inout EngineChange) -> EventOutcome {
        if let problem = event.problem { return .rejected(.invalidEvent(problem)) }
        var source: UInt32?
        if let name = event.source {
            guard let id = self.events.sources.intern(name) else {
                return .rejected(.capacityExhausted("no room for another source"))
            }
            source = id
        }
        let digest = Digest128(event.id)
        let ledger = self.events
        return ledger.idShard(digest).seen.withLock { seen -> EventOutcome in
            if seen.value(digest, now: now.milliseconds) != nil { return .duplicate }
            // The cell is made only for an event that is not a duplicate: a reused id naming a new
            // cell must not leave an empty cell that no record journals (found by the semantics
            // fuzz target: it was gone after a restart).
            guard let cell = inventory.findOrCreateCell(sku: event.sku, location: event.location) else {
                return .rejected(.capacityExhausted("no room for another cell"))
            }
            return ledger.markShard(cell).marks.withLock { marks -> EventOutcome in
                let markKey = source.map { EventLedger.markKey(source: $0, cell: cell) }
                if let seq = event.seq, let markKey, let last = marks[markKey], seq <= last { return .stale }
                guard let (old, new) = inventory.apply(event.change, to: cell) else {
                    return .rejected(.quantityOutOfRange("on-hand would leave ±\(Quantity.cellLimit)"))
                }
                if new.onHand < 0 && new.onHand != old.onHand {
                    counters.negativeOnHandEvents.add(1, ordering: .relaxed)
                }
                var previousMark: Int64?
                let marked = event.seq != nil ? markKey : nil
                if let seq = event.seq, let markKey {
                    previousMark = marks.updateValue(seq, forKey: markKey)
                }
                let evicted = seen.insert(digest, (), at: now.milliseconds, now: now.milliseconds)
                counters.eventIDEvictions.add(evicted, ordering: .relaxed)
                change.append(
                    .stockEvent(StockEventRecord(event: event, at: now, version: new.version)),
                    undo: .stockEvent(
                        cell: cell, delta: new.onHand - old.onHand, markKey: marked,
                        previousMark: previousMark))
                return .applied
            }
        }
    }
}
