import ATPEngine
import ATPJSON

/// Reading request bodies: one JSON object, fields with their types and ranges checked, every
/// mistake a 400 problem naming the field.
///
/// Thread-safety: stateless.
enum JSONBody {
    /// The body as a JSON object (`invalid_json` when it is not JSON, `invalid_request` when it is
    /// not an object).
    static func object(_ body: UnsafeRawBufferPointer) throws(APIError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body, maxDepth: 16)
        } catch {
            throw .invalidJSON(body.isEmpty ? "the request needs a JSON body" : error.description)
        }
        guard let object = value.object else { throw .invalidRequest("the body must be a JSON object") }
        return object
    }
}

extension JSONObject {
    /// A string member of 1–`maxBytes` bytes, or nil when absent (and `required` is false).
    func string(_ key: String, at path: String, required: Bool, maxBytes: Int = Key.maxLength)
        throws(APIError) -> String?
    {
        guard let value = self[key] else {
            if required { throw .invalidRequest("\(path)\(key) is required") }
            return nil
        }
        guard let text = value.string else {
            throw .invalidRequest("\(path)\(key) must be a string, not \(value.kindName)")
        }
        if let problem = Key.problem(text, name: "\(path)\(key)", maxLength: maxBytes) {
            throw .invalidRequest(problem)
        }
        return text
    }

    /// A free-text member (any characters, empty allowed) of at most `maxBytes` bytes of UTF-8,
    /// or nil when absent.
    func text(_ key: String, at path: String, maxBytes: Int) throws(APIError) -> String? {
        guard let value = self[key] else { return nil }
        guard let text = value.string else {
            throw .invalidRequest("\(path)\(key) must be a string, not \(value.kindName)")
        }
        guard text.utf8.count <= maxBytes else {
            throw .invalidRequest("\(path)\(key) is longer than \(maxBytes) bytes")
        }
        return text
    }

    /// An integer member within ±1,000,000,000 (`quantity_out_of_range` beyond), or nil when absent.
    func quantity(_ key: String, at path: String, required: Bool) throws(APIError) -> Int64? {
        guard let value = self[key] else {
            if required { throw .invalidRequest("\(path)\(key) is required") }
            return nil
        }
        if let number = value.int64 {  // 7 and 7.0 alike
            guard number.magnitude <= UInt64(Quantity.requestLimit) else {  // abs(Int64.min) would trap
                throw .quantityOutOfRange("\(path)\(key) is beyond ±\(Quantity.requestLimit)")
            }
            return number
        }
        if let number = value.double, abs(number) > Double(Quantity.requestLimit) {
            throw .quantityOutOfRange("\(path)\(key) is beyond ±\(Quantity.requestLimit)")
        }
        throw .invalidRequest("\(path)\(key) must be an integer, not \(value.kindName)")
    }

    /// An array member, or nil when absent.
    func array(_ key: String, at path: String, required: Bool) throws(APIError) -> [JSONValue]? {
        guard let value = self[key] else {
            if required { throw .invalidRequest("\(path)\(key) is required") }
            return nil
        }
        guard let items = value.array else {
            throw .invalidRequest("\(path)\(key) must be an array, not \(value.kindName)")
        }
        return items
    }
}
