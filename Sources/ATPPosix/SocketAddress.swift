import Glibc

/// An IPv4 address and port, parsed from `host:port` (`localhost` means 127.0.0.1).
///
/// Thread-safety: a value type.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address in network byte order.
    public var ipv4: UInt32
    public var port: UInt16

    public init(ipv4: UInt32, port: UInt16) {
        self.ipv4 = ipv4
        self.port = port
    }

    /// 127.0.0.1 on `port`.
    public static func loopback(port: UInt16) -> SocketAddress {
        SocketAddress(ipv4: UInt32(0x7F00_0001).bigEndian, port: port)
    }

    /// Parses `a.b.c.d:port`, `localhost:port` or `:port` (all interfaces); nil when malformed.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            return nil
        }
        let host = text[..<colon]
        var address = in_addr()
        if host.isEmpty {
            address.s_addr = 0
        } else if host == "localhost" {
            address.s_addr = UInt32(0x7F00_0001).bigEndian
        } else if inet_pton(AF_INET, String(host), &address) != 1 {
            return nil
        }
        self.init(ipv4: address.s_addr, port: port)
    }

    /// True for 127.0.0.0/8.
    public var isLoopback: Bool { UInt32(bigEndian: ipv4) >> 24 == 127 }

    public var description: String {
        let host = UInt32(bigEndian: ipv4)
        return "\(host >> 24).\(host >> 16 & 0xFF).\(host >> 8 & 0xFF).\(host & 0xFF):\(port)"
    }

    var sockaddr: sockaddr_in {
        var raw = sockaddr_in()
        raw.sin_family = sa_family_t(AF_INET)
        raw.sin_port = port.bigEndian
        raw.sin_addr.s_addr = ipv4
        return raw
    }
}
