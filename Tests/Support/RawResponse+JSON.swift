import Foundation

/// A response body that is not the JSON a test expected.
public struct JSONShapeError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}

extension RawResponse {
    /// The body as a JSON object (Foundation's parser); throws `JSONShapeError` for any other
    /// JSON value. Complexity: O(body).
    public func json() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        guard let object = value as? [String: Any] else {
            throw JSONShapeError(description: "not an object: \(text)")
        }
        return object
    }
}
