import ATPEngine
import ATPTestSupport
import Testing

@testable import ATPService

/// The streaming hold-body decoder (`ReservationRequest(body:)`) against the tree-based walk it
/// replaced, kept here as the oracle: for every body, the same request or the same problem (code,
/// status and detail).
@Suite struct ReservationBodyTests {
    /// What a decode came to, comparable across the two decoders.
    enum Outcome: Equatable, CustomStringConvertible {
        case request(lines: [ReservationLine], ttlSeconds: Int64, reference: String?)
        case problem(status: Int, code: String, detail: String)

        init(_ decode: () throws(APIError) -> ReservationRequest) {
            do throws(APIError) {
                let r = try decode()
                self = .request(lines: r.lines, ttlSeconds: r.ttlSeconds, reference: r.reference)
            } catch {
                self = .problem(status: error.status, code: error.code, detail: error.detail)
            }
        }

        var description: String {
            switch self {
            case .request(let lines, let ttl, let reference):
                "request \(lines) ttl \(ttl) ref \(reference ?? "nil")"
            case .problem(let status, let code, let detail): "\(status) \(code): \(detail)"
            }
        }
    }

    /// The decoder before the streaming one: parse a JSON tree, then walk it.
    static func treeDecode(_ body: UnsafeRawBufferPointer) throws(APIError) -> ReservationRequest {
        let object = try JSONBody.object(body)
        let items = try object.array("lines", at: "", required: true)!
        guard items.count <= ReservationRequest.maxLines else {
            throw .invalidRequest("lines must hold 1 to \(ReservationRequest.maxLines) entries")
        }
        var lines: [ReservationLine] = []
        for (i, item) in items.enumerated() {
            guard let line = item.object else { throw .invalidRequest("lines[\(i)] must be an object") }
            let at = "lines[\(i)]."
            let sku = try line.string("sku", at: at, required: true)!
            let location = try line.string("location", at: at, required: true)!
            let qty = try line.quantity("qty", at: at, required: true)!
            lines.append(ReservationLine(sku: sku, location: location, qty: qty))
        }
        var request = ReservationRequest(lines: lines)
        if let ttl = try object.quantity("ttlSeconds", at: "", required: false) { request.ttlSeconds = ttl }
        request.reference = try object.text(
            "reference", at: "", maxBytes: ReservationRequest.maxReferenceBytes)
        return request
    }

    /// Both outcomes for `body`.
    static func outcomes(_ body: [UInt8]) -> (streamed: Outcome, tree: Outcome) {
        body.withUnsafeBytes { raw in
            (
                Outcome { () throws(APIError) in try ReservationRequest(body: raw) },
                Outcome { () throws(APIError) in try treeDecode(raw) }
            )
        }
    }

    static let line = #"{"sku":"A","location":"DC1","qty":2}"#

    /// At least one body per rule of the body, the syntax and the field checks.
    static let corpus: [String] = [
        // Accepted.
        #"{"lines":[{"sku":"A","location":"DC1","qty":2}],"ttlSeconds":900,"reference":"cart-123"}"#,
        #"{"lines":[\#(line)]}"#,
        #"{"reference":"r","ttlSeconds":60,"lines":[\#(line),{"qty":1,"location":"L","sku":"B"}]}"#,
        #"  {"lines" : [ \#(line) ] }  "# + "\n\t\r",
        #"{"lines":[{"sku":"A","location":"DC1","qty":277.0}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":2e3}],"ttlSeconds":9.0E2}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":-0}],"ttlSeconds":-0.0}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":-5}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":1000000000}]}"#,
        #"{"lines":[]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":2,"extra":[1,{"a":null}]}],"x":true,"y":false}"#,
        #"{"lines":[{"sku":"\u0041\n","location":"D\"C\\1\/","qty":2}]}"#,
        #"{"lines":[{"sku":"\uD83D\uDE00 é","location":"日本","qty":2}],"reference":"\u00e9\ud83d\ude00"}"#,
        #"{"lines":[{"sku":"a-very-long-sku-name-over-fifteen","location":"a-long-location-name","qty":2}]}"#,
        #"{"\u006cines":[{"\u0073ku":"A","location":"DC1","qty":2}]}"#,
        #"{"lines":[\#(line)],"reference":""}"#,
        #"{"lines":[\#(line)],"reference":"\#(String(repeating: "r", count: 256))"}"#,
        #"{"lines":[\#(line)],"ttlSeconds":0}"#,
        #"{"K":1,"k":2,"lines":[\#(line)]}"#,
        // Not JSON.
        "",
        " ",
        "{",
        "{]",
        "[1,]",
        #"{"lines":[\#(line),]}"#,
        #"{"lines":[\#(line)],}"#,
        #"{"lines":[\#(line)]} x"#,
        #"{"lines":[\#(line)]}{}"#,
        #"{"lines" [\#(line)]}"#,
        #"{lines:[]}"#,
        #"{"lines":[\#(line)],"lines":[]}"#,
        #"{"lines":[{"sku":"A","sku":"B","location":"DC1","qty":2}]}"#,
        #"{"lines":[\#(line)],"\u006cines":[]}"#,
        #"{"a":1,"a":2,"lines":[]}"#,
        #"{"K":1,"\u212A":2,"lines":[]}"#,
        #"{"lines":[\#(line)],"x":{"b":1,"b":2}}"#,
        #"{"lines":[\#(line)],"x":{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"a":18}}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":02}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":+2}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":2.}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":2e}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":-}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":1e999}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":NaN}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":tru}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":nul}]}"#,
        #"{"lines":[{"sku":"A\u","location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"A\uZZZZ","location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"A\x","location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"\uD800","location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"\uD800\u0041","location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"\uDC00","location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"\uD800\n","location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"A"#,
        #"{"lines":[{"sku":"A\"#,
        "{\"lines\":[{\"sku\":\"A\tB\",\"location\":\"DC1\",\"qty\":2}]}",
        String(repeating: "[", count: 16) + String(repeating: "]", count: 16),
        String(repeating: "[", count: 17) + String(repeating: "]", count: 17),
        #"{"lines":[\#(line)],"x":"# + String(repeating: "[", count: 14) + String(repeating: "]", count: 14)
            + "}",
        #"{"lines":[\#(line)],"x":"# + String(repeating: "[", count: 15) + String(repeating: "]", count: 15)
            + "}",
        #"{"lines":[{"sku":"A","location":"DC1","qty":2,"x":"# + String(repeating: "{\"a\":", count: 13) + "1"
            + String(repeating: "}", count: 13) + "}]}",
        #"{"lines":[{"sku":"A","location":"DC1","qty":2,"x":"# + String(repeating: "{\"a\":", count: 14) + "1"
            + String(repeating: "}", count: 14) + "}]}",
        // JSON, but not a hold.
        "[]",
        "5",
        #""lines""#,
        "null",
        "{}",
        #"{"lines":null}"#,
        #"{"lines":{}}"#,
        #"{"lines":"A"}"#,
        #"{"lines":5.5}"#,
        #"{"lines":[1]}"#,
        #"{"lines":[\#(line),[]]}"#,
        #"{"lines":[{"location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"A","qty":2}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1"}]}"#,
        #"{"lines":[{"sku":1,"location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"","location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"A","location":"\u0001","qty":2}]}"#,
        #"{"lines":[{"sku":"A","location":"\u0085","qty":2}]}"#,
        #"{"lines":[{"sku":"A","location":"\u007f","qty":2}]}"#,
        #"{"lines":[{"sku":"\#(String(repeating: "s", count: 129))","location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"\#(String(repeating: "s", count: 128))","location":"DC1","qty":2}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":"2"}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":2.5}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":1000000001}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":-1000000001}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":-9223372036854775808}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":99999999999999999999}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":1e300}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":1.5e9}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":9007199254740993.0}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":true}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":null}]}"#,
        #"{"lines":[{"sku":"A","location":"DC1","qty":[]}]}"#,
        #"{"lines":[{"sku":1}],"ttlSeconds":"x","reference":5}"#,
        #"{"reference":5,"ttlSeconds":"x","lines":[\#(line),{"sku":1},{"qty":"x"}]}"#,
        #"{"lines":[\#(line)],"ttlSeconds":"900"}"#,
        #"{"lines":[\#(line)],"ttlSeconds":1e10}"#,
        #"{"lines":[\#(line)],"ttlSeconds":90.5}"#,
        #"{"lines":[\#(line)],"ttlSeconds":null}"#,
        #"{"lines":[\#(line)],"reference":null}"#,
        #"{"lines":[\#(line)],"reference":{}}"#,
        #"{"lines":[\#(line)],"reference":"\#(String(repeating: "r", count: 257))"}"#,
        #"{"lines":[\#(line)],"reference":"\#(String(repeating: "é", count: 129))"}"#,
        #"{"lines":[\#(Array(repeating: line, count: 100).joined(separator: ","))]}"#,
        #"{"lines":[\#(Array(repeating: line, count: 101).joined(separator: ","))]}"#,
        #"{"lines":[\#(Array(repeating: #"{"sku":1}"#, count: 101).joined(separator: ","))]}"#,
        #"{"lines":[\#(Array(repeating: line, count: 101).joined(separator: ",")),]}"#,
        #"{"lines":[{"sku":1}],"x":[}"#,
    ]

    /// Bodies that are not valid UTF-8, in the spots where the bytes are checked.
    static let byteCorpus: [[UInt8]] = {
        let head = Array(#"{"lines":[{"sku":""#.utf8)
        let tail = Array(#"","location":"DC1","qty":2}]}"#.utf8)
        let inserts: [[UInt8]] = [
            [0xC3], [0xC3, 0xA9], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80],
            [0xF4, 0x90, 0x80, 0x80],
            [0xF0, 0x9F, 0x98], [0xF0, 0x9F, 0x98, 0x80], [0xFF], [0x80], [0x00], [0x7F], [0xE2, 0x82],
        ]
        var bodies = inserts.map { head + $0 + tail }
        bodies += inserts.map { Array(#"{"lines":[],""#.utf8) + $0 + Array(#"":1}"#.utf8) }
        bodies.append(head + [0xE2, 0x82])
        bodies.append(Array(#"{"lines":[]}"#.utf8) + [0xC3])
        return bodies
    }()

    @Test func corpusAgrees() {
        #expect(Self.corpus.count + Self.byteCorpus.count >= 60)
        for body in Self.corpus.map({ Array($0.utf8) }) + Self.byteCorpus {
            let (streamed, tree) = Self.outcomes(body)
            #expect(streamed == tree, "\(String(decoding: body, as: UTF8.self))")
        }
    }

    @Test func pinnedProblems() {
        func problem(_ text: String) -> Outcome { Self.outcomes(Array(text.utf8)).streamed }
        #expect(
            problem(#"{"lines":[\#(Self.line)],"lines":[]}"#)
                == .problem(
                    status: 400, code: "invalid_json",
                    detail: #"invalid JSON at byte 48: duplicate key "lines""#))
        #expect(
            problem(#"{"lines":[{"sku":"A","location":"DC1","qty":2.5}]}"#)
                == .problem(
                    status: 400, code: "invalid_request",
                    detail: "lines[0].qty must be an integer, not number"))
        #expect(
            problem(#"{"lines":[{"sku":"A","location":"DC1","qty":1e10}]}"#)
                == .problem(
                    status: 400, code: "quantity_out_of_range", detail: "lines[0].qty is beyond ±1000000000"))
    }

    /// Random edits of valid and invalid bodies: 20,000 mutants from fixed seeds.
    @Test(arguments: [1, 2, 3, 4] as [UInt64]) func mutantsAgree(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let seeds = Self.corpus.map { Array($0.utf8) } + Self.byteCorpus
        let fragments: [[UInt8]] =
            [
                "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\uD83D", "\\uDE00", "\\u0041", "0", "-",
                ".", "e",
                "1e999", "277.0", "\"lines\":", "\"sku\":", "\"qty\":", "\"location\":", "\"ttlSeconds\":",
                "\"reference\":",
                "null", "true", " ", "\n", "\u{00e9}", "\u{212A}", "K", "[]", "{}", "\"x\":1,",
            ].map { Array($0.utf8) } + [[0xC3], [0xED, 0xA0], [0xFF], [0x01], [0xF0, 0x9F]]
        var disagreements = 0
        for _ in 0..<5_000 {
            var body = seeds.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = body.isEmpty ? 0 : Int.random(in: 0...body.count, using: &random)
                switch Int.random(in: 0..<6, using: &random) {
                case 0 where at < body.count: body[at] = UInt8.random(in: 0...255, using: &random)
                case 1 where at < body.count: body.remove(at: at)
                case 2: body.insert(contentsOf: fragments.randomElement(using: &random)!, at: at)
                case 3: body.removeSubrange(at...)
                case 4 where at < body.count:
                    let end = Int.random(in: at...body.count, using: &random)
                    body.insert(contentsOf: body[at..<end], at: end)
                default: body.insert(UInt8.random(in: 0x20...0x7E, using: &random), at: at)
                }
            }
            let (streamed, tree) = Self.outcomes(body)
            if streamed != tree {
                disagreements += 1
                if disagreements <= 5 {
                    Issue.record(
                        "\(streamed) vs \(tree) for \(String(decoding: body, as: UTF8.self).debugDescription)"
                    )
                }
            }
        }
        #expect(disagreements == 0)
    }

    /// Known keys match by bytes, unknown ones by `String` equality: the same whenever no
    /// non-ASCII character is canonically equivalent to a character of a known key.
    @Test func knownKeysMatchByBytes() {
        let known = Set("linesttlSecondsreferenceskulocationqty".map { String($0) })
        var equivalentToASCII: [UInt32] = []
        for value in UInt32(0x80)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(Character(scalar))
            guard text < "\u{80}" else { continue }
            equivalentToASCII.append(value)
            #expect(!known.contains(text), "U+\(String(value, radix: 16)) is a known key's character")
        }
        #expect(equivalentToASCII.contains(0x212A))  // KELVIN SIGN is "K": the scan does find such scalars

    }
}
