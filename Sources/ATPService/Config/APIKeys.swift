import ATPUtilities

/// What a key may do (API.md "Auth").
public struct Scopes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let read = Scopes(rawValue: 1)
    public static let reserve = Scopes(rawValue: 2)
    public static let ingest = Scopes(rawValue: 4)
    public static let admin = Scopes(rawValue: 8)

    init?(name: Substring) {
        switch name {
        case "read": self = .read
        case "reserve": self = .reserve
        case "ingest": self = .ingest
        case "admin": self = .admin
        default: return nil
        }
    }
}

/// A client's key: its name (the scope of its idempotency keys) and what it may do.
public struct APIKey: Sendable, Hashable {
    public var name: String
    public var scopes: Scopes
}

/// The keys of an `--api-keys` file: `NAME SCOPES TOKEN` a line, TOKEN plain or `sha256:<hex>`,
/// `#` comments and blank lines ignored.
///
/// Every token is held only as its SHA-256. A request's token is hashed once, and its digest is
/// compared with every stored digest, each in full (`ConstantTime.equals`), without stopping at
/// a match: the time a lookup takes does not depend on how many leading bytes of any stored
/// digest the request's digest shares.
/// Thread-safety: immutable after parsing.
/// - Complexity: `key(forToken:)` is O(token length + keys × 32); key files hold a few keys.
public struct APIKeys: Sendable {
    private let entries: [(digest: [UInt8], key: APIKey)]

    /// The number of keys.
    public var count: Int { entries.count }

    /// Parses the text of a key file.
    public init(parsing text: String) throws(ConfigurationError) {
        var entries: [(digest: [UInt8], key: APIKey)] = []
        var names = Set<String>()
        // "\r\n" is one Character, so CRLF files need it named as a separator of its own.
        let lines = text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            let at = "api keys line \(index + 1)"
            guard fields.count == 3 else { throw ConfigurationError("\(at): expected NAME SCOPES TOKEN") }
            let name = String(fields[0])
            guard names.insert(name).inserted else {
                throw ConfigurationError("\(at): key name \(name) repeats")
            }
            var scopes = Scopes()
            for scope in fields[1].split(separator: ",") {
                guard let one = Scopes(name: scope) else {
                    throw ConfigurationError(
                        "\(at): unknown scope \"\(scope)\" (read, reserve, ingest, admin)")
                }
                scopes.insert(one)
            }
            guard !scopes.isEmpty else { throw ConfigurationError("\(at): no scopes") }
            let digest = try Self.digest(ofTokenField: fields[2], at: at)
            guard !entries.contains(where: { $0.digest == digest }) else {
                throw ConfigurationError("\(at): token repeats another key's")
            }
            entries.append((digest, APIKey(name: name, scopes: scopes)))
        }
        self.entries = entries
    }

    /// The key whose token is `token`, or nil.
    public func key(forToken token: UnsafeRawBufferPointer) -> APIKey? {
        let digest = SHA256.hash(token)
        var found = -1
        for i in entries.indices {
            let same = ConstantTime.equals(entries[i].digest, digest)
            found = same ? i : found
        }
        return found < 0 ? nil : entries[found].key
    }

    private static func digest(ofTokenField field: Substring, at: String) throws(ConfigurationError)
        -> [UInt8]
    {
        guard field.hasPrefix("sha256:") else {
            guard field.utf8.count >= 16 else {
                throw ConfigurationError("\(at): a token must be at least 16 bytes")
            }
            return SHA256.hash(field.utf8)
        }
        let hex = Array(field.dropFirst(7).utf8)
        guard hex.count == 64 else { throw ConfigurationError("\(at): sha256: needs 64 hex digits") }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = PercentDecoding.hex(hex[i]), let low = PercentDecoding.hex(hex[i + 1]) else {
                throw ConfigurationError("\(at): sha256: needs 64 hex digits")
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" || first == "\r" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return s
    }
}
