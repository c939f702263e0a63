import ATPHTTP
import ATPJSON

/// One client of atpd on one keep-alive connection, reconnecting after every failure, that
/// tells apart what was never sent from what was sent and not answered.
///
/// Thread-safety: one thread at a time. Complexity: one round trip per call.
final class AtpdLink {
    /// What became of one request.
    enum Answer {
        case answered(HTTPClientResponse)
        /// Nothing was written (connect refused or timed out): it certainly had no effect.
        case notSent(String)
        /// Written, but no complete answer came back: it may have taken effect.
        case unanswered(String)
    }

    let endpoint: HTTPEndpoint
    let token: String?
    let timeoutMilliseconds: Int
    private var connection: HTTPClientConnection?

    init(endpoint: HTTPEndpoint, token: String?, timeoutMilliseconds: Int = 5_000) {
        self.endpoint = endpoint
        self.token = token
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// A request to atpd with the token, and `body` as JSON when given.
    func request(_ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)] = [])
        -> HTTPClientRequest
    {
        let auth = token.map { [("Authorization", "Bearer " + $0)] } ?? []
        guard let body else { return HTTPClientRequest(method: method, path: path, headers: auth + headers) }
        return HTTPClientRequest(method: method, path: path, json: Array(body.utf8), headers: auth + headers)
    }

    func send(_ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)] = [])
        -> Answer
    {
        send(request(method, path, body: body, headers: headers))
    }

    func send(_ request: HTTPClientRequest) -> Answer {
        switch exchange([request]) {
        case .answered(let responses): .answered(responses[0])
        case .notSent(let why): .notSent(why)
        case .unanswered(let why): .unanswered(why)
        }
    }

    /// Several requests pipelined on one connection; all answered, or none usable.
    enum Batch {
        case answered([HTTPClientResponse])
        case notSent(String)
        case unanswered(String)
    }

    func exchange(_ requests: [HTTPClientRequest]) -> Batch {
        let live: HTTPClientConnection
        if let connection, connection.isOpen {
            live = connection
        } else {
            do {
                live = try HTTPClientConnection(
                    to: endpoint.address, hostHeader: endpoint.hostHeader, connectTimeoutMilliseconds: 1_000,
                    readTimeoutMilliseconds: timeoutMilliseconds,
                    writeTimeoutMilliseconds: timeoutMilliseconds)
            } catch {
                connection = nil
                return .notSent("\(error)")
            }
            connection = live
        }
        do {
            let responses =
                requests.count == 1 ? [try live.send(requests[0])] : try live.sendPipelined(requests)
            return .answered(responses)
        } catch {
            // The rehearsal's requests are always valid, so whatever failed here failed after
            // (part of) the request may have been written.
            live.close()
            return .unanswered("\(error)")
        }
    }

    /// The parsed JSON body of a response, or nil.
    static func json(_ response: HTTPClientResponse) -> JSONObject? {
        (try? JSONParser.parse(response.body))?.object
    }

    /// The problem `code` of an error response, or "".
    static func code(_ response: HTTPClientResponse) -> String {
        json(response)?["code"]?.string ?? ""
    }
}
