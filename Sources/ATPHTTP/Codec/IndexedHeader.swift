/// A request header an application asks the parser to pick out, so that its value is found in
/// O(1) by position (`HTTPRequestHead.indexedValue(at:)`) instead of by a scan of all headers.
///
/// The application's `HTTPResponder.indexedHeaders` lists them; a header's position in that list
/// is its slot. At most `HTTPRequestHead.indexedCapacity` headers can be indexed.
/// Thread-safety: a value type.
public struct IndexedHeader: Sendable {
    /// What the parser does with a second line of the header.
    public enum Repeats: Sendable, Hashable {
        /// The request is refused (400): two parsers on the path could each pick a different one.
        case refused
        /// The last line's value is kept.
        case lastWins
    }

    /// The name as written in error details (`more than one Authorization header`); matched
    /// ignoring letter case. A literal, so that matching it costs no reference counting.
    public let name: StaticString
    public let repeats: Repeats

    /// - Precondition: `name` is not one the server reads itself (`Host`, `Content-Length`,
    ///   `Transfer-Encoding`, `Connection`, `Expect`, `X-Request-Id`): those never reach the index.
    public init(_ name: StaticString, repeats: Repeats = .refused) {
        let known = name.withUTF8Buffer { HeaderName(UnsafeRawBufferPointer($0), 0..<$0.count) }
        precondition(known == .other, "\(name) is read by the server itself and cannot be indexed")
        self.name = name
        self.repeats = repeats
    }
}
