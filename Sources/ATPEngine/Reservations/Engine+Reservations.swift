/// Holding stock: create, read, transition and expire reservations.
extension Engine {
    /// Why a reservation could not be created.
    public enum CreateFailure: Error, Sendable {
        /// The request broke a rule of API.md (`invalid_request`, `duplicate_line`,
        /// `quantity_out_of_range`).
        case invalid(EngineError)
        /// Not every line could be held; the lines that were short, with what is available now.
        case insufficient([InsufficientLine])
    }

    /// The result of a transition request.
    public enum TransitionOutcome: Sendable {
        /// The reservation moved to the requested state.
        case changed(Reservation)
        /// It was already in the requested state; nothing changed.
        case unchanged(Reservation)
        /// It is in a final state other than the requested one.
        case invalidState(Reservation)
        case unknown
    }

    /// Holds every line of `request` or none of them.
    ///
    /// Lines are held one by one with lock-free CAS; on the first short line the held ones are
    /// released, so concurrent readers may briefly see units reserved that end up not held.
    /// - Returns: the reservation and its journal record.
    /// - Complexity: O(lines).
    public func createReservation(_ request: ReservationRequest) throws(CreateFailure)
        -> (Reservation, JournalRecord)
    {
        var change = EngineChange()
        let reservation = try createReservation(request, into: &change)
        return (reservation, change.records[0])
    }

    /// `createReservation`, appending its record to `change` (undone by releasing it).
    public func createReservation(_ request: ReservationRequest, into change: inout EngineChange)
        throws(CreateFailure) -> Reservation
    {
        try validate(request)
        let now = clock.now()
        var cells: [CellID] = []
        cells.reserveCapacity(request.lines.count)
        for line in request.lines {
            guard let cell = inventory.cell(sku: line.sku, location: line.location) else {
                counters.holdsRefused.add(1, ordering: .relaxed)
                throw .insufficient(shortLines(request.lines))
            }
            cells.append(cell)
        }
        for (i, cell) in cells.enumerated()
        where inventory.reader.hold(cell, qty: request.lines[i].qty) != nil {
            for j in 0..<i { inventory.reader.release(cells[j], qty: request.lines[j].qty) }
            counters.holdsRefused.add(1, ordering: .relaxed)
            throw .insufficient(shortLines(request.lines))
        }
        counters.holdsGranted.add(1, ordering: .relaxed)
        let reservation = Reservation(
            id: makeReservationID(), status: .held, lines: request.lines, createdAt: now,
            expiresAt: now.adding(seconds: request.ttlSeconds), updatedAt: now, reference: request.reference)
        insert(StoredReservation(reservation: reservation, cells: cells))
        change.append(.reservationCreated(reservation))
        return reservation
    }

    /// The reservation `id` as of now: a held one past its expiry reads as expired even before
    /// the sweep has run.
    public func reservation(_ id: ReservationID) -> Reservation? {
        let now = clock.now()
        return reservations.withShard(of: id) { state -> Reservation? in
            guard var r = state.records[id.raw]?.reservation else { return nil }
            if r.status == .held && r.expiresAt <= now {
                r.status = .expired
                r.updatedAt = r.expiresAt
            }
            return r
        }
    }

    /// Applies `transition` to reservation `id` (API.md: repeating the current state is a no-op,
    /// leaving a final state is `invalid_state`).
    /// - Returns: the outcome and the journal records to make durable (an overdue expiry first).
    public func transition(_ id: ReservationID, _ transition: ReservationTransition)
        -> (TransitionOutcome, [JournalRecord])
    {
        var change = EngineChange()
        let outcome = self.transition(id, transition, into: &change)
        return (outcome, change.records)
    }

    /// `transition`, appending its records to `change`.
    public func transition(
        _ id: ReservationID, _ transition: ReservationTransition, into change: inout EngineChange
    )
        -> TransitionOutcome
    {
        let now = clock.now()
        return reservations.withShard(of: id) { state -> TransitionOutcome in
            guard var stored = state.records[id.raw] else { return .unknown }
            let expiry = stored.reservation.expiresAt
            if stored.reservation.status == .held && expiry <= now {
                move(&stored, to: .expired, at: expiry, state: &state, into: &change)
            }
            let current = stored.reservation.status
            if current == transition.target { return .unchanged(stored.reservation) }
            if current.isFinal { return .invalidState(stored.reservation) }
            move(&stored, to: transition.target, at: now, state: &state, into: &change)
            return .changed(stored.reservation)
        }
    }

    /// Expires held reservations whose time has come and forgets final ones past retention.
    /// - Returns: one journal record per expiry.
    /// - Complexity: O(64 + due × log n): it pops only deadlines that have passed.
    public func sweepExpired() -> [JournalRecord] {
        var change = EngineChange()
        sweepExpired(into: &change)
        return change.records
    }

    /// `sweepExpired`, appending its records to `change`, stopping after `limit` deadlines.
    /// - Returns: false when it stopped at the limit with deadlines still due (sweep again).
    /// - Complexity: O(64 + min(due, limit) × log n).
    @discardableResult
    public func sweepExpired(into change: inout EngineChange, limit: Int = .max) -> Bool {
        let now = clock.now()
        var budget = limit
        reservations.forEachShard { state in
            while budget > 0, let due = state.deadlines.min, due.deadline <= now.milliseconds {
                budget -= 1
                _ = state.deadlines.pop()
                guard var stored = state.records[due.id] else { continue }
                let r = stored.reservation
                if r.status == .held && r.expiresAt.milliseconds <= due.deadline {
                    move(&stored, to: .expired, at: r.expiresAt, state: &state, into: &change)
                } else if r.status.isFinal
                    && r.updatedAt.milliseconds + configuration.finalReservationRetention <= now.milliseconds
                {
                    state.records[due.id] = nil
                    counters.countReservation(from: r.status, to: nil)
                }
            }
        }
        return budget > 0
    }

    // MARK: Internals

    /// Stores a new reservation and schedules its deadline.
    func insert(_ stored: StoredReservation) {
        let r = stored.reservation
        reservations.withShard(of: r.id) { state in
            state.records[r.id.raw] = stored
            schedule(r, in: &state)
        }
        counters.countReservation(from: nil, to: r.status)
    }

    /// Pushes the next deadline of `r`: its expiry while held, its purge time once final.
    func schedule(_ r: Reservation, in state: inout ReservationBook.State) {
        switch r.status {
        case .held: state.deadlines.push(deadline: r.expiresAt.milliseconds, id: r.id.raw)
        case .confirmed: break
        case .fulfilled, .released, .expired:
            state.deadlines.push(
                deadline: r.updatedAt.milliseconds + configuration.finalReservationRetention, id: r.id.raw)
        }
    }

    /// Moves a held or confirmed reservation to `target`, adjusting its cells.
    private func move(
        _ stored: inout StoredReservation, to target: ReservationStatus, at: Timestamp,
        state: inout ReservationBook.State, into change: inout EngineChange
    ) {
        let undo = Undo.transition(
            previous: stored.reservation.status, updatedAt: stored.reservation.updatedAt)
        var versions: [UInt32] = []
        for (cell, line) in zip(stored.cells, stored.reservation.lines) {
            if target == .fulfilled {
                versions.append(inventory.fulfil(cell, qty: line.qty))
            } else if target == .released || target == .expired {
                inventory.reader.release(cell, qty: line.qty)
            }
        }
        counters.countReservation(from: stored.reservation.status, to: target)
        stored.reservation.status = target
        stored.reservation.updatedAt = at
        state.records[stored.reservation.id.raw] = stored
        schedule(stored.reservation, in: &state)
        let record = ReservationTransitionRecord(
            id: stored.reservation.id, status: target, at: at, versions: versions)
        change.append(.reservationTransition(record), undo: undo)
    }

    /// Every line whose cell has less available than requested right now.
    private func shortLines(_ lines: [ReservationLine]) -> [InsufficientLine] {
        lines.compactMap { line in
            let available = self.available(sku: line.sku, location: line.location)
            guard available < line.qty else { return nil }
            return InsufficientLine(
                sku: line.sku, location: line.location, requested: line.qty, available: available)
        }
    }

    private func validate(_ request: ReservationRequest) throws(CreateFailure) {
        guard (1...ReservationRequest.maxLines).contains(request.lines.count) else {
            throw .invalid(.invalidRequest("lines must hold 1 to \(ReservationRequest.maxLines) entries"))
        }
        guard (1...ReservationRequest.maxTTLSeconds).contains(request.ttlSeconds) else {
            throw .invalid(.invalidRequest("ttlSeconds must be 1...\(ReservationRequest.maxTTLSeconds)"))
        }
        if let reference = request.reference, reference.utf8.count > ReservationRequest.maxReferenceBytes {
            throw .invalid(
                .invalidRequest("reference is longer than \(ReservationRequest.maxReferenceBytes) bytes"))
        }
        var seen = Set<ReservationLine>()
        for (i, line) in request.lines.enumerated() {
            if let problem = Key.problem(line.sku, name: "lines[\(i)].sku")
                ?? Key.problem(line.location, name: "lines[\(i)].location")
            {
                throw .invalid(.invalidRequest(problem))
            }
            guard Quantity.isValid(line.qty, minimum: 1) else {
                throw .invalid(.quantityOutOfRange("lines[\(i)].qty must be 1...\(Quantity.requestLimit)"))
            }
            let key = ReservationLine(sku: line.sku, location: line.location, qty: 0)
            guard seen.insert(key).inserted else {
                throw .invalid(.duplicateLine("lines[\(i)] repeats \(line.sku) at \(line.location)"))
            }
        }
    }
}
