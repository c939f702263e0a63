import ATPEngine
import ATPHTTP

/// Channel views: `PUT`, `GET`, `DELETE /v1/channels/{name}` and `GET /v1/channels`.
///
/// This version keeps the view (locations and buffer) that channel availability reads use; the
/// push settings are validated and echoed, and delivery arrives with the channel-push issue.
extension APIResponder {
    func defineChannel(
        name: String, body: UnsafeRawBufferPointer, _ response: inout HTTPResponse, _ journal: inout [JournalRecord]
    ) throws(APIError) {
        if let problem = Key.problem(name, name: "channel name") { throw .invalidRequest(problem) }
        let object = try JSONBody.object(body)
        guard let endpoint = try object.string("endpoint", at: "", required: true, maxBytes: 2048),
            endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")
        else { throw .invalidRequest("endpoint must be an http or https URL") }
        var locations: [String]?
        if let items = try object.array("locations", at: "", required: false) {
            locations = []
            for (i, item) in items.enumerated() {
                guard let location = item.string else { throw .invalidRequest("locations[\(i)] must be a string") }
                locations!.append(location)
            }
        }
        let buffer = try object.quantity("bufferUnits", at: "", required: false) ?? 0
        let existed = engine.channel(named: name) != nil
        do {
            journal.append(try engine.define(ChannelView(name: name, locations: locations, bufferUnits: buffer)))
        } catch {
            throw APIError(error)
        }
        response.status = existed ? 200 : 201
        try readChannel(name: name, &response)
    }

    func readChannel(name: String, _ response: inout HTTPResponse) throws(APIError) {
        guard let channel = engine.channel(named: name) else { throw .unknownChannel(name) }
        Self.appendChannel(channel.view, to: &response.body)
    }

    func listChannels(_ response: inout HTTPResponse) {
        let views = engine.channelViews.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        response.body.appendASCII(#"{"channels":["#)
        for (i, view) in views.enumerated() {
            if i > 0 { response.body.append(UInt8(ascii: ",")) }
            Self.appendChannel(view, to: &response.body)
        }
        response.body.appendASCII("]}")
    }

    func deleteChannel(name: String, _ response: inout HTTPResponse, _ journal: inout [JournalRecord]) throws(APIError) {
        guard let record = engine.removeChannel(named: name) else { throw .unknownChannel(name) }
        journal.append(record)
        response.status = 204
        response.contentType = .none
    }

    private static func appendChannel(_ view: ChannelView, to body: inout [UInt8]) {
        body.appendASCII(#"{"name":"#)
        body.appendJSONString(view.name)
        if let locations = view.locations {
            body.appendASCII(#","locations":["#)
            for (i, location) in locations.enumerated() {
                if i > 0 { body.append(UInt8(ascii: ",")) }
                body.appendJSONString(location)
            }
            body.append(UInt8(ascii: "]"))
        }
        body.appendASCII(#","bufferUnits":"#)
        body.appendDecimal(view.bufferUnits)
        body.append(UInt8(ascii: "}"))
    }
}
