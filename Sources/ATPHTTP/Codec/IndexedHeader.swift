/// A request header an application asks the parser to pick out, so that its value is found in
/// O(1) by position (`HTTPRequestHead.indexedValue(at:)`) instead of by a scan of all headers.
///
/// The application's `HTTPResponder.indexedHeaders` lists them; a header's position in that list
/// is its slot. At most `HTTPRequestHead.indexedCapacity` headers can be indexed.
/// Thread-safety: a value type.
public struct IndexedHeader: Sendable, Hashable {
    /// What the parser does with a second line of the header.
    public enum Repeats: Sendable, Hashable {
        /// The request is refused (400): two parsers on the path could each pick a different one.
        case refused
        /// The last line's value is kept.
        case lastWins
    }

    /// The name as written in error details (`more than one Authorization header`); matched
    /// ignoring letter case.
    public let name: String
    public let repeats: Repeats
    /// `name` in ASCII lowercase, for matching.
    let lowercased: [UInt8]

    public init(_ name: String, repeats: Repeats = .refused) {
        self.name = name
        self.repeats = repeats
        lowercased = name.utf8.map(asciiLowercase)
    }
}
