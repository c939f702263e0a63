/// On-hand changes waiting for a predecessor version during replay.
struct ReplayState {
    var pending: [CellID: [(version: UInt32, change: OnHandChange)]] = [:]
}

/// Rebuilding state from journal records (recovery) and describing it as records (snapshots).
extension Engine {
    /// Applies one journal record to this engine.
    ///
    /// Records may come in any order that a journal can hold: a cell's on-hand changes are applied
    /// in version order (a change whose predecessor has not been seen waits for it), changes at or
    /// below a cell's version are already included (from a snapshot) and skipped, and a repeated
    /// record changes nothing. Call `finishReplay()` after the last record.
    ///
    /// A record that today's rules refuse (`JournalRecord.problem`: an old version's value, a
    /// hostile Redis entry) changes nothing; the store quarantines it (`RecoveryReport`).
    /// Thread-safety: meant for one thread before the engine serves requests.
    /// - Returns: nil when applied (or already included), else why the record was refused.
    @discardableResult
    public func replay(_ record: JournalRecord) -> String? {
        if let problem = record.problem { return problem }
        let now = clock.now()
        switch record {
        case .stockEvent(let r):
            guard let cell = inventory.findOrCreateCell(sku: r.event.sku, location: r.event.location) else {
                return Self.noRoom
            }
            let digest = Digest128(r.event.id)
            events.idShard(digest).seen.withLock {
                _ = $0.insert(digest, (), at: r.at.milliseconds, now: now.milliseconds)
            }
            if let source = r.event.source, let seq = r.event.seq {
                restoreMark(source: source, cell: cell, seq: seq)
            }
            replayOnHand(cell, r.event.change, version: r.version)
        case .safetyStock(let sku, let location, let value):
            do throws(EngineError) {
                _ = try setSafetyStock(sku: sku, location: location, value: value)
            } catch {
                return error.detail
            }
        case .reservationCreated(let r), .reservationSnapshot(let r):
            replayReservation(r)
        case .reservationTransition(let t):
            replayTransition(t)
        case .idempotency(let r):
            idempotency.restore(r, now: now)
        case .channelDefined(let view):
            do throws(EngineError) {
                _ = try define(view, capacity: .max)
            } catch {
                return error.detail
            }
        case .channelRemoved(let name):
            _ = removeChannel(named: name)
        case .cellSnapshot(let c):
            guard let cell = inventory.findOrCreateCell(sku: c.sku, location: c.location) else {
                return Self.noRoom
            }
            inventory.restore(cell, onHand: c.onHand, version: c.version)
            inventory.setSafetyStock(cell, c.safetyStock)
        case .sequenceMark(let source, let sku, let location, let seq):
            guard let cell = inventory.findOrCreateCell(sku: sku, location: location) else {
                return Self.noRoom
            }
            restoreMark(source: source, cell: cell, seq: seq)
        case .eventSeen(let id, let at):
            events.idShard(id).seen.withLock {
                _ = $0.insert(id, (), at: at.milliseconds, now: now.milliseconds)
            }
        case .deadLetter(let letter):
            deadLetters.add(letter)
        case .deadLettersRemoved(let channel, let ids):
            deadLetters.remove(channel: channel, ids: Set(ids))
        }
        return nil
    }

    /// Applies the on-hand changes still waiting for a lost predecessor, in version order, and
    /// counts each gap in `EngineCounters.replayGaps`.
    /// - Returns: the number of gaps found.
    @discardableResult
    public func finishReplay() -> Int {
        let pending = replayState.withLock { state in
            defer { state.pending = [:] }
            return state.pending
        }
        var gaps = 0
        for (cell, changes) in pending {
            let base = inventory.reader.state(cell).state.version
            for item in changes.sorted(by: {
                CellState.distance(from: base, to: $0.version)
                    < CellState.distance(from: base, to: $1.version)
            }) {
                let current = inventory.reader.state(cell).state
                guard CellState.distance(from: current.version, to: item.version) > 0 else { continue }
                gaps += 1
                restoreOnHand(cell, item.change, version: item.version)
                applyWaiting(cell)
            }
        }
        counters.replayGaps.add(gaps, ordering: .relaxed)
        return gaps
    }

    /// Every fact of the current state as records; replaying them into an empty engine rebuilds it.
    /// Taken while the engine serves requests, it is fuzzy: replaying the journal written after it
    /// started brings it up to date (records at or below a cell's version are skipped).
    public func exportSnapshot(_ body: (JournalRecord) -> Void) {
        for cell in 0..<inventory.cellCount {
            let (state, safety) = inventory.reader.state(CellID(cell))
            let key = inventory.key(CellID(cell))
            body(
                .cellSnapshot(
                    CellSnapshotRecord(
                        sku: inventory.skus.string(key.sku),
                        location: inventory.locations.string(key.location),
                        onHand: state.onHand, version: state.version, safetyStock: safety)))
        }
        for view in channelViews { body(.channelDefined(view)) }
        for letter in deadLetters.all { body(.deadLetter(letter)) }
        for shard in events.markShards {
            let marks = shard.marks.withLock { $0 }
            for (key, seq) in marks {
                let cell = CellID(truncatingIfNeeded: key)
                let k = inventory.key(cell)
                body(
                    .sequenceMark(
                        source: events.sources.string(UInt32(key >> 32)), sku: inventory.skus.string(k.sku),
                        location: inventory.locations.string(k.location), seq: seq))
            }
        }
        for shard in events.idShards {
            shard.seen.withLock { table in
                table.forEach { id, _, at in body(.eventSeen(id: id, at: Timestamp(milliseconds: at))) }
            }
        }
        reservations.forEachShard { state in
            for stored in state.records.values { body(.reservationSnapshot(stored.reservation)) }
        }
        idempotency.forEachCompleted { body(.idempotency($0)) }
    }

    // MARK: Internals

    /// Why a record naming a new cell was not replayed when the cell table is full.
    private static let noRoom = "no room for another cell (the cell table is full)"

    private func restoreMark(source: String, cell: CellID, seq: Int64) {
        guard let sourceID = events.sources.intern(source) else { return }
        let key = EventLedger.markKey(source: sourceID, cell: cell)
        events.markShard(cell).marks.withLock { marks in marks[key] = max(marks[key] ?? seq, seq) }
    }

    /// Applies `change` if it is the cell's next version, parks it if it is further ahead, and
    /// skips it if the cell already includes it.
    private func replayOnHand(_ cell: CellID, _ change: OnHandChange, version: UInt32) {
        let current = inventory.reader.state(cell).state.version
        let distance = CellState.distance(from: current, to: version)
        if distance <= 0 { return }
        if distance > 1 {
            replayState.withLock { $0.pending[cell, default: []].append((version, change)) }
            return
        }
        restoreOnHand(cell, change, version: version)
        applyWaiting(cell)
    }

    /// Applies parked changes of `cell` while the next version is among them.
    private func applyWaiting(_ cell: CellID) {
        while true {
            let next = CellState.next(inventory.reader.state(cell).state.version)
            let found = replayState.withLock { state -> OnHandChange? in
                guard var list = state.pending[cell], let i = list.firstIndex(where: { $0.version == next })
                else {
                    return nil
                }
                let change = list.remove(at: i).change
                state.pending[cell] = list.isEmpty ? nil : list
                return change
            }
            guard let found else { return }
            restoreOnHand(cell, found, version: next)
        }
    }

    private func restoreOnHand(_ cell: CellID, _ change: OnHandChange, version: UInt32) {
        let onHand = change.applied(to: inventory.reader.state(cell).state.onHand)
        inventory.restore(
            cell, onHand: max(-Quantity.cellLimit, min(Quantity.cellLimit, onHand)), version: version)
    }

    private func replayReservation(_ r: Reservation) {
        let exists = reservations.withShard(of: r.id) { $0.records[r.id.raw] != nil }
        guard !exists else { return }
        var cells: [CellID] = []
        for line in r.lines {
            guard let cell = inventory.findOrCreateCell(sku: line.sku, location: line.location) else {
                return
            }
            cells.append(cell)
        }
        if !r.status.isFinal {
            for (cell, line) in zip(cells, r.lines) { inventory.forceReserve(cell, qty: line.qty) }
        }
        insert(StoredReservation(reservation: r, cells: cells))
    }

    private func replayTransition(_ t: ReservationTransitionRecord) {
        reservations.withShard(of: t.id) { state in
            guard var stored = state.records[t.id.raw] else { return }
            let from = stored.reservation.status
            if from == .fulfilled && t.status == .fulfilled {
                // A fuzzy snapshot may hold the reservation as fulfilled while its cells' on-hand is
                // from before the fulfilment: replay the drops by version (skipped where included).
                for (i, (cell, line)) in zip(stored.cells, stored.reservation.lines).enumerated()
                where i < t.versions.count {
                    replayOnHand(cell, .add(-line.qty), version: t.versions[i])
                }
                return
            }
            guard !from.isFinal, from != t.status else { return }
            for (i, (cell, line)) in zip(stored.cells, stored.reservation.lines).enumerated() {
                switch t.status {
                case .fulfilled:
                    inventory.reader.release(cell, qty: line.qty)
                    if i < t.versions.count { replayOnHand(cell, .add(-line.qty), version: t.versions[i]) }
                case .released, .expired:
                    inventory.reader.release(cell, qty: line.qty)
                case .held, .confirmed:
                    break
                }
            }
            counters.countReservation(from: from, to: t.status)
            stored.reservation.status = t.status
            stored.reservation.updatedAt = t.at
            state.records[t.id.raw] = stored
            schedule(stored.reservation, in: &state)
        }
    }
}
