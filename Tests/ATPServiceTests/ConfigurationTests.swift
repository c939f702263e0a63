import ATPEngine
import ATPHTTP
import ATPPosix
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// `ConfigurationParser.parse(arguments:environment:)`, `Service`'s start-up checks and key files.
@Suite struct ConfigurationTests {
    func parse(_ arguments: [String], _ environment: [String: String] = [:]) throws -> ServiceConfiguration {
        switch try ConfigurationParser.parse(arguments: arguments, environment: environment) {
        case .run(let configuration): return configuration
        case .help: throw JSONShapeError(description: "unexpected --help")
        case .migrate: throw JSONShapeError(description: "unexpected migrate")
        }
    }

    /// The message of the error parsing throws, or nil when it succeeds.
    func failure(_ arguments: [String], _ environment: [String: String] = [:]) -> String? {
        do {
            _ = try ConfigurationParser.parse(arguments: arguments, environment: environment)
            return nil
        } catch {
            return error.description
        }
    }

    /// Every setting: flag, variable, a value, and what the configuration must then say.
    static let settings:
        [(flag: String, variable: String, value: String, check: @Sendable (ServiceConfiguration) -> Bool)] = [
            (
                "--listen", "ATP_LISTEN", "127.0.0.2:9091",
                { $0.listen == SocketAddress(parsing: "127.0.0.2:9091") && $0.listen.port == 9091 }
            ),
            ("--threads", "ATP_THREADS", "7", { $0.threads == 7 }),
            ("--store", "ATP_STORE", "memory", { $0.store == .memory }),
            ("--redis-prefix", "ATP_REDIS_PREFIX", "shop1:", { $0.redisPrefix == "shop1:" }),
            ("--redis-fsync", "ATP_REDIS_FSYNC", "true", { $0.redisFsync }),
            ("--events-stream", "ATP_EVENTS_STREAM", "wms-events", { $0.eventsStream == "wms-events" }),
            ("--api-keys", "ATP_API_KEYS_FILE", "/etc/atpd/keys", { $0.apiKeysFile == "/etc/atpd/keys" }),
            ("--max-body", "ATP_MAX_BODY", "512KiB", { $0.maxBody == 524_288 }),
            ("--max-events-body", "ATP_MAX_EVENTS_BODY", "16MiB", { $0.maxEventsBody == 16 << 20 }),
            ("--max-connections", "ATP_MAX_CONNECTIONS", "123", { $0.maxConnections == 123 }),
            ("--header-timeout", "ATP_HEADER_TIMEOUT", "500ms", { $0.headerTimeoutMilliseconds == 500 }),
            ("--idle-timeout", "ATP_IDLE_TIMEOUT", "2m", { $0.idleTimeoutMilliseconds == 120_000 }),
            ("--shutdown-grace", "ATP_SHUTDOWN_GRACE", "3s", { $0.shutdownGraceMilliseconds == 3_000 }),
            ("--slow-request", "ATP_SLOW_REQUEST", "75ms", { $0.slowRequestMilliseconds == 75 }),
        ]

    @Test func defaults() throws {
        let config = try parse([])
        #expect(config.listen == .loopback(port: 8080))
        #expect(config.threads == 2)
        #expect(config.store == .file(path: "./data"))
        #expect(config.redisPrefix == "atp:")
        #expect(config.redisFsync == false)
        #expect(config.eventsStream == nil)
        #expect(config.apiKeysFile == nil)
        #expect(config.maxBody == 1 << 20)
        #expect(config.maxEventsBody == 8 << 20)
        #expect(config.maxConnections == 10_000)
        #expect(config.headerTimeoutMilliseconds == 10_000)
        #expect(config.idleTimeoutMilliseconds == 60_000)
        #expect(config.shutdownGraceMilliseconds == 10_000)
        #expect(config.slowRequestMilliseconds == 250)
        #expect(config.http.threads == 2)
    }

    @Test func storeSpecs() throws {
        #expect(try parse(["--store", "memory"]).store == .memory)
        #expect(try parse(["--store", "file:/var/lib/atpd"]).store == .file(path: "/var/lib/atpd"))
        let redis = try parse(["--store", "redis://:pw@127.0.0.1:6380/2"]).store
        #expect(redis == .redis(url: "redis://:pw@127.0.0.1:6380/2"))
        #expect(redis.description == "redis://***@127.0.0.1:6380/2", "the password never reaches a log")
        for bad in ["file:", "redis", "disk:/x", ""] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try parse(["--store", bad]) }
        }
    }

    @Test func everyFlagAndItsVariable() throws {
        for setting in Self.settings {
            #expect(setting.check(try parse([setting.flag, setting.value])), "\(setting.flag) VALUE")
            #expect(setting.check(try parse(["\(setting.flag)=\(setting.value)"])), "\(setting.flag)=VALUE")
            #expect(setting.check(try parse([], [setting.variable: setting.value])), "\(setting.variable)")
            #expect(!setting.check(try parse([])), "\(setting.flag): the test value is not the default")
        }
        // All at once.
        let all = try parse(Self.settings.flatMap { [$0.flag, $0.value] })
        for setting in Self.settings { #expect(setting.check(all), "\(setting.flag) among all") }
        let env = try parse(
            [], Dictionary(uniqueKeysWithValues: Self.settings.map { ($0.variable, $0.value) }))
        for setting in Self.settings { #expect(setting.check(env), "\(setting.variable) among all") }
    }

    @Test func aFlagBeatsItsVariable() throws {
        let config = try parse(
            ["--threads", "3", "--listen=127.0.0.1:7001", "--max-body", "2KiB"],
            [
                "ATP_THREADS": "9", "ATP_LISTEN": "127.0.0.1:7002", "ATP_MAX_BODY": "4KiB",
                "ATP_IDLE_TIMEOUT": "5s",
            ])
        #expect(config.threads == 3)
        #expect(config.listen.port == 7001)
        #expect(config.maxBody == 2_048)
        #expect(config.idleTimeoutMilliseconds == 5_000, "a variable without its flag still counts")
        // A later flag beats an earlier one.
        #expect(try parse(["--threads", "3", "--threads", "4"]).threads == 4)
    }

    @Test func help() throws {
        for arguments in [["--help"], ["-h"], ["--threads", "3", "--help"], ["--help", "--bogus"]] {
            guard case .help = try ConfigurationParser.parse(arguments: arguments, environment: [:]) else {
                Issue.record("\(arguments) is not help")
                continue
            }
        }
        let usage = ConfigurationParser.usage
        #expect(usage.hasPrefix("usage: atpd"))
        for setting in Self.settings {
            #expect(usage.contains(setting.flag), "\(setting.flag) in --help")
            #expect(usage.contains(setting.variable), "\(setting.variable) in --help")
        }
        #expect(usage.contains("--help"))
    }

    @Test func sizesAndDurations() throws {
        let sizes: [(String, Int)] = [
            ("8MiB", 8 << 20), ("512KiB", 512 << 10), ("1048576", 1_048_576), ("100B", 100),
            ("1024MiB", 1 << 30),
        ]
        for (text, bytes) in sizes { #expect(try parse(["--max-body", text]).maxBody == bytes, "\(text)") }
        let durations: [(String, Int64)] = [
            ("500ms", 500), ("10s", 10_000), ("2m", 120_000), ("5", 5_000), ("1ms", 1),
        ]
        for (text, millis) in durations {
            #expect(try parse(["--header-timeout", text]).headerTimeoutMilliseconds == millis, "\(text)")
        }
    }

    @Test func badValuesFailWithClearErrors() throws {
        let cases: [([String], [String: String], [String])] = [
            (["--listen", "nonsense"], [:], ["--listen", "nonsense"]),
            (["--listen", "127.0.0.1:70000"], [:], ["--listen", "70000"]),
            (["--listen", "127.0.0.1"], [:], ["--listen"]),
            (["--listen", "1.2.3:80"], [:], ["--listen"]),
            (["--listen", "[::1]:80"], [:], ["--listen"]),
            (["--threads", "0"], [:], ["--threads", "\"0\""]),
            (["--threads", "257"], [:], ["--threads"]),
            (["--threads", "two"], [:], ["--threads", "two"]),
            (["--max-connections", "0"], [:], ["--max-connections"]),
            (["--store", "redis"], [:], ["--store", "redis", "memory"]),
            (["--bogus"], [:], ["unknown option", "--bogus"]),
            (["--bogus=1"], [:], ["unknown option"]),
            (["serve"], [:], ["unknown option", "serve"]),
            (["--threads"], [:], ["--threads", "needs a value"]),
            (["--listen", "127.0.0.1:1", "--api-keys"], [:], ["--api-keys", "needs a value"]),
            (["--max-body", "8MB"], [:], ["--max-body", "8MB"]),
            (["--max-body", "0"], [:], ["--max-body"]),
            (["--max-body", "-1"], [:], ["--max-body"]),
            (["--max-body", "2048MiB"], [:], ["--max-body", "1GiB"]),
            (["--max-events-body", "1.5MiB"], [:], ["--max-events-body"]),
            (["--header-timeout", "10h"], [:], ["--header-timeout", "10h"]),
            (["--idle-timeout", "0s"], [:], ["--idle-timeout"]),
            (["--shutdown-grace", "-5s"], [:], ["--shutdown-grace"]),
            (["--slow-request", "1.5s"], [:], ["--slow-request"]),
            (["--slow-request", "25h"], [:], ["--slow-request"]),
            (["--header-timeout", ""], [:], ["--header-timeout"]),
            ([], ["ATP_THREADS": "0"], ["threads"]),
            ([], ["ATP_STORE": "postgres"], ["postgres"]),
            ([], ["ATP_MAX_BODY": "lots"], ["lots"]),
        ]
        for (arguments, environment, fragments) in cases {
            guard let message = failure(arguments, environment) else {
                Issue.record("\(arguments) \(environment) parsed")
                continue
            }
            for fragment in fragments {
                #expect(
                    message.contains(fragment),
                    "\(arguments) \(environment): \"\(message)\" lacks \(fragment)")
            }
        }
        // A bad variable is overridden by a good flag.
        #expect(try parse(["--threads", "2"], ["ATP_THREADS": "8"]).threads == 2)
    }

    @Test func serviceRefusesANonLoopbackListenWithoutKeys() throws {
        for address in ["0.0.0.0:0", ":0", "10.1.2.3:8080"] {
            var configuration = ServiceConfiguration()
            configuration.store = .memory
            configuration.listen = try #require(SocketAddress(parsing: address))
            do {
                _ = try Service(configuration: configuration, clock: ManualClock(), logFD: -1)
                Issue.record("\(address) without keys was accepted")
            } catch let error as ConfigurationError {
                #expect(error.description.contains("loopback"), "\(error)")
                #expect(error.description.contains("--api-keys"), "\(error)")
            }
        }
        // localhost and any 127/8 address are loopback.
        var local = ServiceConfiguration()
        local.store = .memory
        local.listen = try #require(SocketAddress(parsing: "localhost:0"))
        let service = try Service(configuration: local, clock: ManualClock(), logFD: -1)
        service.start()
        service.shutdown()
        service.wait()
    }

    @Test func openModeSaysSo() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        var configuration = ServiceConfiguration()
        configuration.store = .memory
        configuration.listen = .loopback(port: 0)
        let service = try Service(configuration: configuration, clock: ManualClock(), logFD: fds[1])
        service.start()
        service.shutdown()
        service.wait()
        close(fds[1])
        var log: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            log += chunk[..<n]
        }
        let text = String(decoding: log, as: UTF8.self)
        let warning = text.split(separator: "\n").first { $0.contains(#""event":"open_mode""#) }
        #expect(warning?.contains(#""level":"warning""#) == true, "\(text)")
        #expect(warning?.contains("loopback") == true)
    }

    @Test func serviceWithKeysMayListenEverywhere() throws {
        let harness = try ServiceHarness { $0.listen = SocketAddress(parsing: ":0")! }
        #expect(try harness.request("GET", "/healthz", token: nil).status == 200)
        #expect(try harness.request("GET", "/v1/availability?sku=A", token: nil).status == 401)
    }

    @Test func keyFilesParse() throws {
        let keys = try APIKeys(parsing: Tokens.file)
        #expect(keys.count == 7)
        func key(_ token: String) -> APIKey? {
            Array(token.utf8).withUnsafeBytes { keys.key(forToken: $0) }
        }
        #expect(key(Tokens.reader) == APIKey(name: "reader", scopes: .read))
        #expect(key(Tokens.shop) == APIKey(name: "shop", scopes: [.read, .reserve]))
        #expect(key(Tokens.wms) == APIKey(name: "wms", scopes: .ingest))
        #expect(key(Tokens.ops)?.scopes == .admin)
        #expect(key(Tokens.all)?.scopes == [.read, .reserve, .ingest, .admin])
        #expect(key("sha256:\(Tokens.wmsSHA256)") == nil)
        #expect(key(Tokens.reader + "x") == nil)
        // CRLF line ends, tabs, upper-case hex and surrounding blanks are fine.
        let crlf = try APIKeys(
            parsing:
                "# c\r\n\treader\tread\t\(Tokens.reader)  \r\nwms ingest sha256:\(Tokens.wmsSHA256.uppercased())\r\n"
        )
        #expect(crlf.count == 2)
        #expect(Array(Tokens.reader.utf8).withUnsafeBytes { crlf.key(forToken: $0) }?.name == "reader")
        #expect(Array(Tokens.wms.utf8).withUnsafeBytes { crlf.key(forToken: $0) }?.name == "wms")
        #expect(try APIKeys(parsing: "").count == 0)
        // Without a comment first, a CRLF file's lines count the same.
        #expect(
            try APIKeys(parsing: "reader read \(Tokens.reader)\r\nshop read,reserve \(Tokens.shop)\r\n").count
                == 2)
        let error = #expect(throws: ConfigurationError.self) {
            try APIKeys(parsing: "reader read \(Tokens.reader)\r\n\r\nshop bogus \(Tokens.shop)\r\n")
        }
        #expect(error?.description.contains("line 3") == true, "\(String(describing: error))")
    }

    @Test func badKeyFilesFailWithTheLineNumber() throws {
        let token = "0123456789abcdef"
        let cases: [(String, [String])] = [
            ("# keys\n\nreader read,write \(token)\n", ["line 3", "write"]),
            ("a read \(token)\na reserve \(token)x\n", ["line 2", "repeats"]),
            ("a read 0123456789abcde\n", ["line 1", "16 bytes"]),
            ("ok read \(token)\nb read sha256:abc\n", ["line 2", "sha256"]),
            ("b read sha256:\(String(repeating: "g", count: 64))\n", ["line 1", "sha256"]),
            ("b read sha256:\(String(repeating: "a", count: 65))\n", ["line 1", "sha256"]),
            ("a read\n", ["line 1", "NAME SCOPES TOKEN"]),
            ("a read \(token) extra\n", ["line 1"]),
            ("a , \(token)\n", ["line 1", "scopes"]),
            ("a read \(token)\nb admin \(token)\n", ["line 2", "token"]),
            ("a READ \(token)\n", ["line 1", "READ"]),
        ]
        for (text, fragments) in cases {
            do {
                _ = try APIKeys(parsing: text)
                Issue.record("accepted: \(text)")
            } catch {
                for fragment in fragments {
                    #expect(
                        error.description.contains(fragment),
                        "\(text): \"\(error.description)\" lacks \(fragment)")
                }
            }
        }
    }

    @Test func serviceRefusesABadOrMissingKeyFile() throws {
        let path = NSTemporaryDirectory() + "atpd-apitests-badkeys-\(UUID().uuidString)"
        try "# ok\nops admin,root 0123456789abcdef\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = ServiceConfiguration()
        configuration.store = .memory
        configuration.listen = .loopback(port: 0)
        configuration.apiKeysFile = path
        let bad = #expect(throws: ConfigurationError.self) {
            _ = try Service(configuration: configuration, clock: ManualClock(), logFD: -1)
        }
        #expect(bad?.description.contains("line 2") == true, "\(String(describing: bad))")
        #expect(bad?.description.contains("root") == true)
        configuration.apiKeysFile = path + ".missing"
        let missing = #expect(throws: ConfigurationError.self) {
            _ = try Service(configuration: configuration, clock: ManualClock(), logFD: -1)
        }
        #expect(missing?.description.contains("--api-keys") == true)
        #expect(missing?.description.contains(".missing") == true)
    }
}
