import ATPUtilities

/// Standard Webhooks 1.0 signatures: `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`.
///
/// Thread-safety: stateless. - Complexity: O(body length).
public enum WebhookSignature {
    /// The `webhook-signature` value for one attempt.
    public static func sign(key: [UInt8], id: String, timestamp: Int64, body: [UInt8]) -> String {
        var message = Array(id.utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: String(timestamp).utf8)
        message.append(UInt8(ascii: "."))
        message.append(contentsOf: body)
        return "v1," + Base64.encode(SHA256.hmac(key: key, message: message))
    }

    /// True when one of the space-separated signatures in `header` is the right `v1` one.
    /// Compares with `ConstantTime.equals`, so timing reveals nothing of the expected value.
    public static func verify(header: String, key: [UInt8], id: String, timestamp: Int64, body: [UInt8])
        -> Bool
    {
        let expected = Array(sign(key: key, id: id, timestamp: timestamp, body: body).utf8)
        var found = false
        for candidate in header.split(separator: " ")
        where ConstantTime.equals(Array(candidate.utf8), expected) {
            found = true
        }
        return found
    }
}
