import ATPHTTP
import ATPTestSupport
import ATPUtilities
import Foundation
import Glibc
import Testing

@testable import ATPService

/// API tokens, webhook signing secrets and the Redis password never leave the service: not in
/// its log, not in any answer (bodies and headers, problems included), not in `/metrics` or the
/// OpenAPI document. The service runs with every request logged (`slowRequestMilliseconds` 0).
@Suite struct SecretsTests {
    /// The webhook secret's key bytes, its base64 and the `whsec_` string a client sends.
    static let webhookKey = "webhook-signing-key-bytes-0123456789"
    static let webhookSecret = "whsec_" + Base64.encode(Array(webhookKey.utf8))

    /// Every secret the service is given, in the forms it could leak in.
    static let secrets: [String] = [
        Tokens.reader, Tokens.shop, Tokens.wms, Tokens.ops, Tokens.all, Tokens.shop2, Tokens.reserver,
        webhookKey, webhookSecret, String(webhookSecret.dropFirst(6)),
    ]

    /// A response as text: status line, headers and body.
    static func text(_ response: RawResponse) -> String {
        "\(response.status)\n" + response.headers.map { "\($0.name): \($0.value)\n" }.joined() + response.text
    }

    @Test func tokensAndWebhookSecretsAreNeverLoggedOrAnswered() throws {
        let harness = try ServiceHarness(captureLog: true) {
            $0.slowRequestMilliseconds = 0
            $0.push.retryBaseMilliseconds = 10
        }
        var answers: [RawResponse] = []
        func call(
            _ method: String, _ path: String, body: String? = nil, token: String? = Tokens.all,
            headers: [(String, String)] = []
        ) throws -> RawResponse {
            let response = try harness.request(method, path, body: body, headers: headers, token: token)
            answers.append(response)
            return response
        }
        let closedPort = try RedisServerProcess.freeLoopbackPort()
        let channel = """
            {"endpoint":"http://127.0.0.1:\(closedPort)/hook","secret":"\(Self.webhookSecret)","maxAttempts":1}
            """
        // Failing auth, with the secrets in the places a careless server would echo.
        for token in Self.secrets {
            #expect(try call("GET", "/v1/channels", token: token + "x").status == 401)
            #expect(
                try call("GET", "/v1/channels", token: nil, headers: [("Authorization", "Basic \(token)")])
                    .status == 401)
        }
        #expect(try call("PUT", "/v1/channels/web", body: channel, token: Tokens.reader).status == 403)
        #expect(try call("PUT", "/v1/channels/web", body: channel, token: Tokens.wms).status == 403)
        // A channel with a secret: created, read, listed; bad secrets refused.
        #expect(try call("PUT", "/v1/channels/web", body: channel, token: Tokens.ops).status == 201)
        #expect(try call("PUT", "/v1/channels/web", body: channel, token: Tokens.ops).status == 200)
        let tooLong =
            #"{"endpoint":"http://127.0.0.1:9/hook","secret":"\#(String(repeating: Self.webhookSecret, count: 40))"}"#
        #expect(try call("PUT", "/v1/channels/other", body: tooLong).status == 400)
        let notJSON = #"{"endpoint":"http://127.0.0.1:9/hook","secret":"\#(Self.webhookSecret)""#
        #expect(try call("PUT", "/v1/channels/other", body: notJSON).status == 400)
        let badEndpoint =
            #"{"endpoint":"ftp://\#(Self.webhookSecret)@host/","secret":"\#(Self.webhookSecret)"}"#
        #expect(try call("PUT", "/v1/channels/other", body: badEndpoint).status == 400)
        let read = try call("GET", "/v1/channels/web", token: Tokens.reader)
        let hasSecret = try read.json()["hasSecret"] as? Bool
        #expect(read.status == 200 && hasSecret == true)
        #expect(try call("GET", "/v1/channels", token: Tokens.reader).status == 200)
        // A change the channel cannot receive (nothing listens): one attempt, then a dead letter.
        let events = #"{"events":[{"id":"e1","type":"set","sku":"A","location":"DC1","qty":5}]}"#
        #expect(try call("POST", "/v1/events", body: events, token: Tokens.wms).status == 200)
        var letters: [Any] = []
        _ = try eventually(within: 5_000, every: 10) {
            letters = try call("GET", "/v1/channels/web/dead-letters").json()["deadLetters"] as? [Any] ?? []
            return !letters.isEmpty
        }
        #expect(letters.count == 1, "no dead letter: the delivery path was not exercised")
        #expect(try call("POST", "/v1/channels/web/dead-letters/replay", token: Tokens.ops).status == 200)
        for path in ["/metrics", "/openapi.json", "/healthz", "/readyz", "/v1/nothing"] {
            _ = try call("GET", path)
        }
        #expect(try call("DELETE", "/v1/channels/web", token: Tokens.ops).status == 204)
        harness.stop()

        let log = harness.logText
        #expect(log.contains(#""event":"started""#) && log.contains(#""event":"stopped""#))
        #expect(
            log.components(separatedBy: #""event":"slow_request""#).count > answers.count / 2,
            "requests were not logged")
        let everything = answers.map(Self.text)
        for secret in Self.secrets {
            #expect(!log.contains(secret), "the log holds \(secret)")
            for (i, answer) in everything.enumerated() {
                #expect(!answer.contains(secret), "answer \(i) holds \(secret): \(answer.prefix(300))")
            }
        }
    }

    /// The file store must keep webhook secrets (it signs with them after a restart), so its
    /// directory and files are the owner's alone.
    @Test func theFileStoreIsReadableByItsOwnerOnly() throws {
        let root = try TemporaryDirectory()
        defer { root.remove() }
        let directory = root.path + "/data/atpd"
        let harness = try ServiceHarness { $0.store = .file(path: directory) }
        let channel = #"{"endpoint":"http://127.0.0.1:9/hook","secret":"\#(Self.webhookSecret)"}"#
        #expect(
            try harness.request("PUT", "/v1/channels/web", body: channel, token: Tokens.ops).status == 201)
        harness.stop()
        var files: [String] = []
        for path in [root.path + "/data", directory] {
            var info = stat()
            #expect(
                stat(path, &info) == 0 && info.st_mode & 0o777 == 0o700,
                "\(path): \(String(info.st_mode & 0o777, radix: 8))")
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            var info = stat()
            #expect(
                stat(directory + "/" + name, &info) == 0 && info.st_mode & 0o077 == 0,
                "\(name): \(String(info.st_mode & 0o777, radix: 8))")
            files.append(name)
        }
        #expect(files.contains("LOCK") && files.count >= 2, "\(files)")
    }

    @Test func theRedisPasswordIsNeverLoggedOrAnswered() throws {
        let password = "redis-password-hunter2"
        let port = try RedisServerProcess.freeLoopbackPort()
        for url in ["redis://:\(password)@127.0.0.1:\(port)", "redis://app:\(password)@127.0.0.1:\(port)/2"] {
            let harness = try ServiceHarness(captureLog: true) { $0.store = .redis(url: url) }
            var answers: [String] = []
            _ = eventually(within: 3_000, every: 10) { harness.logText.contains("recovery_failed") }
            for path in ["/readyz", "/metrics", "/v1/availability?sku=A"] {
                answers.append(Self.text(try harness.request("GET", path)))
            }
            answers.append(Self.text(try harness.request("POST", "/v1/events", body: #"{"events":[]}"#)))
            harness.stop()
            let log = harness.logText
            #expect(log.contains("recovery_failed") && log.contains("***@127.0.0.1:\(port)"), "\(log)")
            #expect(!log.contains(password), "\(log)")
            for answer in answers { #expect(!answer.contains(password), "\(answer)") }
        }
        // A spec the parser refuses is quoted in its error, but not the password in it.
        for spec in ["rediss://:\(password)@127.0.0.1:6379", "redis://:\(password)@127.0.0.1:notaport"] {
            var message = ""
            do {
                guard
                    case .run(let configuration) = try ConfigurationParser.parse(
                        arguments: ["--store", spec], environment: [:])
                else { throw ConfigurationError("no configuration") }
                _ = try Service(configuration: configuration, clock: ManualClock(), logFD: -1)
            } catch {
                message = "\(error)"
            }
            #expect(!message.isEmpty && !message.contains(password), "\(spec): \(message)")
        }
    }
}
