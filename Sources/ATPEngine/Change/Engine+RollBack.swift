/// Taking back changes the store refused: a failure answer means that nothing changed.
extension Engine {
    /// Undoes `changes`, newest first, and each change's records newest first.
    ///
    /// Exact only when nothing else mutates the engine meanwhile and every change made after
    /// these is undone first: the group committer calls it with its `MutationGate` closed, for a
    /// failed batch together with every unit queued behind it. Readers may run concurrently; they
    /// see each cell go back in one step. The sku of every cell touched is marked in `changes`,
    /// so channel push reads it again.
    /// - Complexity: O(records + their lines).
    public func rollBack(_ changes: [EngineChange]) {
        for change in changes.reversed() { rollBack(change) }
    }

    /// Undoes one change (see `rollBack(_:)` for when that is exact).
    public func rollBack(_ change: EngineChange) {
        var step = change.undo.count
        for record in change.records.reversed() {
            switch record {
            case .reservationCreated(let r):
                unhold(r.id)
                counters.rolledBack.add(RolledBackKind.hold.rawValue)
            case .idempotency(let r):
                idempotency.forget(r.key)
                counters.rolledBack.add(RolledBackKind.idempotencyKey.rawValue)
            case .deadLetter(let letter):
                deadLetters.remove(channel: letter.channel, ids: [letter.webhookID])
                counters.rolledBack.add(RolledBackKind.deadLetter.rawValue)
            default:
                guard step > 0 else { continue }  // a record without its step: built by hand, not undoable
                step -= 1
                undo(record, change.undo[step])
                counters.rolledBack.add(change.undo[step].kind.rawValue)
            }
        }
    }

    private func undo(_ record: JournalRecord, _ step: Undo) {
        switch (record, step) {
        case (.stockEvent(let r), .stockEvent(let cell, let onHand, let version, let markKey, let previousMark)):
            inventory.restore(cell, onHand: onHand, version: version)
            if let markKey {
                events.markShard(cell).marks.withLock { $0[markKey] = previousMark }
            }
            let digest = Digest128(r.event.id)
            events.idShard(digest).seen.withLock { $0.remove(digest) }
        case (.safetyStock, .safetyStock(let cell, let previous)):
            inventory.setSafetyStock(cell, previous)
        case (.reservationTransition(let t), .transition(let previous, let updatedAt)):
            untransition(t, to: previous, updatedAt: updatedAt)
        case (.channelDefined(let view), .channelDefined(let previous)):
            if let previous {
                _ = try? define(previous, capacity: Int.max)
            } else {
                channels.update { byName in byName.removeValue(forKey: view.name) != nil }
            }
        case (.channelRemoved, .channelRemoved(let view, let letters)):
            _ = try? define(view, capacity: Int.max)
            for letter in letters { deadLetters.add(letter) }
        case (.deadLettersRemoved, .deadLettersRemoved(let letters)):
            for letter in letters { deadLetters.add(letter) }
        default:
            break  // a step that does not belong to its record: nothing safe to do
        }
    }

    /// Forgets a created reservation and returns its units.
    private func unhold(_ id: ReservationID) {
        let removed = reservations.withShard(of: id) { state -> StoredReservation? in
            state.records.removeValue(forKey: id.raw)
        }
        guard let removed else { return }
        let status = removed.reservation.status
        if status == .held || status == .confirmed {
            for (cell, line) in zip(removed.cells, removed.reservation.lines) {
                inventory.reader.release(cell, qty: line.qty)
            }
        }
        counters.countReservation(from: status, to: nil)
    }

    /// Puts a reservation back in `previous` (held or confirmed) before transition `t`.
    private func untransition(_ t: ReservationTransitionRecord, to previous: ReservationStatus, updatedAt: Timestamp) {
        reservations.withShard(of: t.id) { state in
            guard var stored = state.records[t.id.raw], stored.reservation.status == t.status else { return }
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
        }
    }
}
