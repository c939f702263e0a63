import Foundation

/// The bytes of one HTTP/1.1 request to 127.0.0.1: `Authorization: Bearer` when `token` is set,
/// `Content-Type` and `Content-Length` when there is a body, then `headers` as given.
///
/// Thread-safety: a pure function. Complexity: O(request size).
public func requestText(
    _ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = [],
    token: String?, contentType: String? = "application/json"
) -> String {
    var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if let token { text += "Authorization: Bearer \(token)\r\n" }
    if let body {
        if let contentType { text += "Content-Type: \(contentType)\r\n" }
        text += "Content-Length: \(body.utf8.count)\r\n"
    }
    for (name, value) in headers { text += "\(name): \(value)\r\n" }
    return text + "\r\n" + (body ?? "")
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for a path segment or a
/// query value.
///
/// Thread-safety: a pure function. Complexity: O(text).
public func percentEncoded(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            out.append(Character(Unicode.Scalar(byte)))
        default:
            out += String(format: "%%%02X", byte)
        }
    }
    return out
}
