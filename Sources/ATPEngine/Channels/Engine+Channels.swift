/// Channel views: which locations a sales channel sells from, and its buffer.
extension Engine {
    /// The channel named `name`, compiled for summing, or nil.
    @inline(__always)
    public func channel(named name: String) -> CompiledChannel? { channels.channel(named: name) }

    /// Every channel view, sorted by name.
    public var channelViews: [ChannelView] { channels.all.map(\.view) }

    /// Creates or replaces a channel view; a new one is refused (`capacity_exhausted`) when
    /// `configuration.channelCapacity` channels exist.
    /// - Returns: the journal record.
    public func define(_ view: ChannelView) throws(EngineError) -> JournalRecord {
        var change = EngineChange()
        try define(view, into: &change)
        return change.records[0]
    }

    /// `define`, appending its record to `change` (undone by putting the old view back).
    public func define(_ view: ChannelView, into change: inout EngineChange) throws(EngineError) {
        let previous = try define(view, capacity: configuration.channelCapacity)
        change.append(.channelDefined(view), undo: .channelDefined(previous: previous))
    }

    /// `define` with a cap of its own (replay takes back every channel that was accepted).
    /// - Returns: the view it replaced, if any.
    @discardableResult
    func define(_ view: ChannelView, capacity: Int) throws(EngineError) -> ChannelView? {
        if let problem = view.problem { throw .invalidRequest(problem) }
        let compiled = CompiledChannel(view, inventory: inventory)
        var previous: ChannelView?
        let defined = channels.update { byName in
            guard byName[view.name] != nil || byName.count < capacity else { return false }
            previous = byName.updateValue(compiled, forKey: view.name)?.view
            return true
        }
        guard defined else {
            throw .capacityExhausted(
                "there are \(capacity) channels already, the most allowed; remove one first")
        }
        return previous
    }

    /// Removes the channel named `name` with its dead letters.
    /// - Returns: the journal record, or nil when there was no such channel.
    public func removeChannel(named name: String) -> JournalRecord? {
        var change = EngineChange()
        return removeChannel(named: name, into: &change) ? change.records[0] : nil
    }

    /// `removeChannel`, appending its record to `change` (undone by defining the channel again
    /// with its dead letters); false when there was no such channel.
    @discardableResult
    public func removeChannel(named name: String, into change: inout EngineChange) -> Bool {
        var removed: ChannelView?
        channels.update { byName in
            removed = byName.removeValue(forKey: name)?.view
            return removed != nil
        }
        guard let removed else { return false }
        let letters = deadLetters.list(channel: name)
        deadLetters.removeAll(channel: name)
        change.append(.channelRemoved(name: name), undo: .channelRemoved(view: removed, letters: letters))
        return true
    }

    /// A number that changes whenever a channel is defined or removed (for the push module's
    /// cheap "did the channel set change?" check).
    public var channelsVersion: Int { channels.version }
}
