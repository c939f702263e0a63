/// Where a Redis server is and how to log in to it, parsed from a `redis://` URL.
///
/// Accepted forms (`[...]` optional):
/// `redis://[[user]:password@]host[:port][/db]`, where `host` is an IPv4 literal or a DNS name,
/// `port` is 1...65535 (default 6379) and `db` a non-negative database index (default 0).
/// A user (Redis ≥ 6 ACL) needs a password and logs in with `AUTH user password`; without a user
/// the login is `AUTH password`. User and password may be percent-encoded (`%40` for `@`).
/// Anything else (TLS `rediss://`, IPv6 literals, Unix sockets, query strings) is refused with
/// `RedisError.configuration` saying what is wrong. `description` never shows the password.
///
/// Thread-safety: a value type. Complexity: parsing is O(length of the text).
public struct RedisURL: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 literal or a DNS name (resolved by hiredis when connecting).
    public var host: String
    /// The TCP port, 1...65535.
    public var port: Int
    /// The ACL user, or nil to log in as the default user.
    public var user: String?
    /// The password, or nil when the server needs none.
    public var password: String?
    /// The database index selected after connecting.
    public var db: Int

    /// The default Redis port.
    public static let defaultPort = 6379

    /// A URL from its parts, unchecked.
    public init(
        host: String, port: Int = RedisURL.defaultPort, user: String? = nil, password: String? = nil,
        db: Int = 0
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.db = db
    }

    /// Parses `text`, e.g. `redis://:secret@127.0.0.1:6380/2`.
    public init(_ text: String) throws(RedisError) {
        func fail(_ why: String) -> RedisError {
            .configuration("invalid Redis URL '\(RedisURL.redacted(text))': \(why)")
        }
        let scheme = "redis://"
        guard text.hasPrefix(scheme) else {
            if text.hasPrefix("rediss://") { throw fail("TLS (rediss://) is not supported") }
            throw fail("it must start with redis://")
        }
        var rest = Substring(text.dropFirst(scheme.count))

        var user: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            guard let colon = credentials.firstIndex(of: ":") else {
                throw fail(
                    "credentials need a password: use redis://:password@host or redis://user:password@host")
            }
            guard let decodedUser = RedisURL.percentDecoded(credentials[..<colon]),
                let decodedPassword = RedisURL.percentDecoded(credentials[credentials.index(after: colon)...])
            else { throw fail("bad percent-encoding in the credentials") }
            guard !decodedPassword.isEmpty else { throw fail("the password is empty") }
            user = decodedUser.isEmpty ? nil : decodedUser
            password = decodedPassword
        }

        if rest.contains("?") || rest.contains("#") {
            throw fail("query strings and fragments are not supported")
        }
        var db = 0
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !path.isEmpty {
                guard path.allSatisfy(\.isASCIIDigit), path.count <= 9, let index = Int(path) else {
                    throw fail("the database '\(path)' is not a non-negative number")
                }
                db = index
            }
        }

        var port = RedisURL.defaultPort
        if rest.hasPrefix("[") {
            throw fail("IPv6 literals are not supported; use an IPv4 address or a name")
        }
        if let colon = rest.firstIndex(of: ":") {
            let digits = rest[rest.index(after: colon)...]
            rest = rest[..<colon]
            guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy(\.isASCIIDigit),
                let number = Int(digits), (1...65_535).contains(number)
            else { throw fail("the port '\(digits)' is not a number in 1...65535") }
            port = number
        }
        guard !rest.isEmpty else { throw fail("the host is missing") }
        guard RedisURL.isValidHost(rest) else {
            throw fail("the host '\(rest)' is neither an IPv4 address nor a DNS name")
        }
        self.init(host: String(rest), port: port, user: user, password: password, db: db)
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        var text = "redis://"
        if password != nil { text += "\(user ?? ""):***@" }
        text += "\(host):\(port)"
        if db != 0 { text += "/\(db)" }
        return text
    }

    /// `text` with anything between `://` and the last `@` hidden, for messages and logs; for
    /// any text, URL or not, that may hold credentials.
    public static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.firstRange(of: "://"), let at = text.lastIndex(of: "@"),
            at > schemeEnd.upperBound
        else {
            return text
        }
        return "\(text[..<schemeEnd.upperBound])***\(text[at...])"
    }

    /// A DNS name (letters, digits, hyphens; dot-separated non-empty labels) or a valid IPv4
    /// dotted quad when every label is numeric.
    private static func isValidHost(_ host: Substring) -> Bool {
        guard host.count <= 253 else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if labels.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) {
            return labels.count == 4 && labels.allSatisfy { $0.count <= 3 && Int($0)! <= 255 }
        }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCIIDigit || $0.isASCIILetter || $0 == "-" }
        }
    }

    /// `text` with `%XX` escapes decoded, or nil when an escape is malformed or not UTF-8.
    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard utf8.count >= 2, let high = hexValue(utf8.popFirst()!), let low = hexValue(utf8.popFirst()!)
            else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isASCIILetter: Bool { isASCII && isLetter }
}
