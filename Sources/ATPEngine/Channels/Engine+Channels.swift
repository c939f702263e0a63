/// Channel views: which locations a sales channel sells from, and its buffer.
extension Engine {
    /// The channel named `name`, compiled for summing, or nil.
    @inline(__always)
    public func channel(named name: String) -> CompiledChannel? { channels.channel(named: name) }

    /// Every channel view, sorted by name.
    public var channelViews: [ChannelView] { channels.all.map(\.view) }

    /// Creates or replaces a channel view.
    /// - Returns: the journal record.
    public func define(_ view: ChannelView) throws(EngineError) -> JournalRecord {
        if let problem = view.problem { throw .invalidRequest(problem) }
        let compiled = CompiledChannel(view, inventory: inventory)
        channels.update { $0[view.name] = compiled }
        return .channelDefined(view)
    }

    /// Removes the channel named `name` with its dead letters.
    /// - Returns: the journal record, or nil when there was no such channel.
    public func removeChannel(named name: String) -> JournalRecord? {
        guard channels.channel(named: name) != nil else { return nil }
        channels.update { $0[name] = nil }
        deadLetters.removeAll(channel: name)
        return .channelRemoved(name: name)
    }

    /// A number that changes whenever a channel is defined or removed (for the push module's
    /// cheap "did the channel set change?" check).
    public var channelsVersion: Int { channels.version }
}
