import ATPHTTP

/// The request headers the API reads, picked out by the HTTP parser while it parses, so that
/// each is found in O(1): the constants are their positions in `indexed`.
///
/// A second line of any of them is refused with 400, as two parsers on the path could each pick
/// a different one.
/// Thread-safety: constants.
enum APIHeader {
    static let authorization = 0
    static let idempotencyKey = 1
    static let contentType = 2
    /// In position order.
    static let indexed = [
        IndexedHeader("Authorization"), IndexedHeader("Idempotency-Key"), IndexedHeader("Content-Type"),
    ]
}

extension APIResponder {
    var indexedHeaders: [IndexedHeader] { APIHeader.indexed }
}
