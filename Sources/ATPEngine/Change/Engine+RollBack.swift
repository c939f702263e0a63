/// Taking back changes the store refused: a failure answer means that nothing changed.
///
/// The changes handed in are every change made after some point (a failed batch and all queued
/// behind it), but not necessarily in the order the engine made them: two mutations inside the
/// gate at once may append in either order. So every undo is order-independent:
/// - on-hand and safety stock go back by the amount the change added (and a cell's version steps
///   back by one per event), which commutes;
/// - a sequence mark goes back to the smallest mark any of the undone events found (the earliest
///   of them found it, as marks only grow);
/// - a step that depends on a later change being undone first (a reservation's creation while it
///   is confirmed, its confirmation while it is fulfilled; a channel definition another one
///   replaced) waits for it: `rollBack` repeats its pass over the steps still waiting.
extension Engine {
    /// Undoes `changes` (see above): exact when nothing else mutates the engine meanwhile and the
    /// changes are all made after some point. The group committer calls it with its
    /// `MutationGate` closed. Readers may run concurrently; they see each cell change in one
    /// step. The sku of every cell touched is marked in `changes`, so channel push reads it again.
    /// - Complexity: O(records + their lines) per pass; a pass more for each step that waited
    ///   (at most the length of a reservation's life, 3).
    public func rollBack(_ changes: [EngineChange]) {
        var waiting: [(record: JournalRecord, step: Undo?)] = []
        for change in changes.reversed() {
            var step = change.undo.count
            for record in change.records.reversed() {
                switch record {
                case .reservationCreated, .idempotency, .deadLetter:
                    waiting.append((record, nil))
                default:
                    // A record without its step was built by hand: not undoable.
                    guard step > 0 else { continue }
                    step -= 1
                    waiting.append((record, change.undo[step]))
                }
            }
        }
        var force = false
        while !waiting.isEmpty {
            let before = waiting.count
            waiting.removeAll { undo($0.record, $0.step, force: force) }
            force = waiting.count == before  // no progress: a step whose condition never comes; undo as is
        }
    }

    /// Undoes one change (see `rollBack(_:)` for when that is exact).
    public func rollBack(_ change: EngineChange) { rollBack([change]) }

    /// Undoes one record; false (nothing done) when it must wait for another undo first, unless
    /// `force`.
    private func undo(_ record: JournalRecord, _ step: Undo?, force: Bool) -> Bool {
        switch (record, step) {
        case (.reservationCreated(let r), nil):
            guard unhold(r.id, force: force) else { return false }
            counters.rolledBack.add(RolledBackKind.hold.rawValue)
        case (.idempotency(let r), nil):
            idempotency.forget(r.key)
            counters.rolledBack.add(RolledBackKind.idempotencyKey.rawValue)
        case (.deadLetter(let letter), nil):
            deadLetters.remove(channel: letter.channel, ids: [letter.webhookID])
            counters.rolledBack.add(RolledBackKind.deadLetter.rawValue)
        case (.stockEvent(let r), .stockEvent(let cell, let delta, let markKey, let previousMark)):
            inventory.unapply(cell, delta: delta)
            if let markKey {
                events.markShard(cell).marks.withLock { marks in
                    guard let current = marks[markKey] else { return }
                    if let previousMark {
                        marks[markKey] = min(current, previousMark)
                    } else {
                        marks[markKey] = nil
                    }
                }
            }
            let digest = Digest128(r.event.id)
            events.idShard(digest).seen.withLock { $0.remove(digest) }
        case (.safetyStock, .safetyStock(let cell, let delta)):
            inventory.addSafetyStock(cell, -delta)
        case (.reservationTransition(let t), .transition(let previous, let updatedAt)):
            guard untransition(t, to: previous, updatedAt: updatedAt, force: force) else { return false }
        case (.channelDefined(let view), .channelDefined(let previous)):
            guard force || channel(named: view.name)?.view == view else { return false }
            if let previous {
                _ = try? define(previous, capacity: Int.max)
            } else {
                channels.update { byName in byName.removeValue(forKey: view.name) != nil }
            }
        case (.channelRemoved(let name), .channelRemoved(let view, let letters)):
            guard force || channel(named: name) == nil else { return false }
            _ = try? define(view, capacity: Int.max)
            for letter in letters { deadLetters.add(letter) }
        case (.deadLettersRemoved, .deadLettersRemoved(let letters)):
            for letter in letters { deadLetters.add(letter) }
        default:
            return true  // a step that does not belong to its record: nothing safe to do
        }
        if let step { counters.rolledBack.add(step.kind.rawValue) }
        return true
    }

    /// Forgets a created reservation and returns its units; false (nothing done) while it has
    /// moved on from `held` (its transition is undone first), unless `force`.
    private func unhold(_ id: ReservationID, force: Bool) -> Bool {
        let (waits, removed) = reservations.withShard(of: id) { state -> (Bool, StoredReservation?) in
            if !force, let stored = state.records[id.raw], stored.reservation.status != .held {
                return (true, nil)
            }
            return (false, state.records.removeValue(forKey: id.raw))
        }
        if waits { return false }
        guard let removed else { return true }
        let status = removed.reservation.status
        if status == .held || status == .confirmed {
            for (cell, line) in zip(removed.cells, removed.reservation.lines) {
                inventory.reader.release(cell, qty: line.qty)
            }
        }
        counters.countReservation(from: status, to: nil)
        return true
    }

    /// Puts a reservation back in `previous` (held or confirmed) before transition `t`; false
    /// (nothing done) while it has moved on past `t` (that transition is undone first), unless
    /// `force`.
    private func untransition(
        _ t: ReservationTransitionRecord, to previous: ReservationStatus, updatedAt: Timestamp, force: Bool
    ) -> Bool {
        reservations.withShard(of: t.id) { state -> Bool in
            guard var stored = state.records[t.id.raw] else { return true }
            guard stored.reservation.status == t.status else { return force }
            for (cell, line) in zip(stored.cells, stored.reservation.lines) {
                switch t.status {
                case .fulfilled: inventory.unfulfil(cell, qty: line.qty)
                case .released, .expired: inventory.forceReserve(cell, qty: line.qty)
                case .held, .confirmed: break
                }
            }
            counters.countReservation(from: t.status, to: previous)
            stored.reservation.status = previous
            stored.reservation.updatedAt = updatedAt
            state.records[t.id.raw] = stored
            schedule(stored.reservation, in: &state)
            return true
        }
    }
}
