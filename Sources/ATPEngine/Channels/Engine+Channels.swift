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
        try define(view, capacity: configuration.channelCapacity)
    }

    /// `define` with a cap of its own (replay takes back every channel that was accepted).
    func define(_ view: ChannelView, capacity: Int) throws(EngineError) -> JournalRecord {
        if let problem = view.problem { throw .invalidRequest(problem) }
        let compiled = CompiledChannel(view, inventory: inventory)
        let defined = channels.update { byName in
            guard byName[view.name] != nil || byName.count < capacity else { return false }
            byName[view.name] = compiled
            return true
        }
        guard defined else {
            throw .capacityExhausted("there are \(capacity) channels already, the most allowed; remove one first")
        }
        return .channelDefined(view)
    }

    /// Removes the channel named `name` with its dead letters.
    /// - Returns: the journal record, or nil when there was no such channel.
    public func removeChannel(named name: String) -> JournalRecord? {
        guard channels.channel(named: name) != nil else { return nil }
        channels.update { byName in
            byName[name] = nil
            return true
        }
        deadLetters.removeAll(channel: name)
        return .channelRemoved(name: name)
    }

    /// A number that changes whenever a channel is defined or removed (for the push module's
    /// cheap "did the channel set change?" check).
    public var channelsVersion: Int { channels.version }
}
