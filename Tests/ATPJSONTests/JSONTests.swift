import ATPTestSupport
import Testing

@testable import ATPJSON

private func parse(_ text: String, maxDepth: Int = 64) throws(JSONError) -> JSONValue {
    try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth)
}

/// The error for a rejected document, or nil when it was accepted.
private func rejection(_ bytes: [UInt8], maxDepth: Int = 64) -> JSONError? {
    do {
        _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

private func object(_ members: [(key: String, value: JSONValue)]) -> JSONValue {
    .object(JSONObject(members))
}

@Suite struct JSONTests {
    // MARK: accepted documents (JSONTestSuite y_ style)

    @Test(arguments: [
        ("null", JSONValue.null), ("true", .bool(true)), ("false", .bool(false)),
        (" \t\r\n1\n ", .integer(1)),
        ("0", .integer(0)), ("-0", .integer(0)), ("-0.0", .number(-0.0)), ("1e5", .number(100_000)),
        ("1E+2", .number(100)), ("1e-2", .number(0.01)), ("-1.5e3", .number(-1500)), ("0.5", .number(0.5)),
        ("1.0", .number(1)), ("1e-400", .number(0)), ("123456789", .integer(123_456_789)),
        ("9223372036854775807", .integer(.max)), ("-9223372036854775808", .integer(.min)),
        ("9223372036854775808", .number(9_223_372_036_854_775_808.0)),
        ("-9223372036854775809", .number(-9_223_372_036_854_775_809.0)),
        ("100000000000000000000000", .number(1e23)),
        ("[]", .array([])), ("{}", object([])), ("[[]]", .array([.array([])])),
        (" [ 1 , 2 ] ", .array([.integer(1), .integer(2)])),
        (
            #"{"b":1,"a":[null,{"":"x"}]}"#,
            object([("b", .integer(1)), ("a", .array([.null, object([("", .string("x"))])]))])
        ),
        (#""""#, .string("")), (#""\"\\\/\b\f\n\r\t""#, .string("\"\\/\u{8}\u{C}\n\r\t")),
        (#""\u0041\u00e9\u20AC\u0000""#, .string("A\u{E9}\u{20AC}\u{0}")),
        (#""\ud83d\ude00\uDBFF\uDFFF""#, .string("\u{1F600}\u{10FFFF}")),
        (
            "\"é€😀\u{7F}\u{FFFF}\u{E000}\u{D7FF}\u{10FFFF}\"",
            .string("é€😀\u{7F}\u{FFFF}\u{E000}\u{D7FF}\u{10FFFF}")
        ),
        (#"["a\u005Cb", "tail\n"]"#, .array([.string("a\\b"), .string("tail\n")])),
    ])
    func accepts(_ text: String, _ expected: JSONValue) throws {
        #expect(try parse(text) == expected)
    }

    // MARK: rejected documents (JSONTestSuite n_ style)

    @Test(arguments: [
        "", " ", "\n\t", "nul", "nulll", "True", "NaN", "Infinity", "-Infinity", "[1,]", "[,1]", "[1,,2]",
        #"{"a":1,}"#, "{,}", "[1 2]", #"{"a" 1}"#, #"{"a":}"#, "{a:1}", "{'a':1}", "['a']", "[1]]", "[1",
        "{", "[", #"{"a""#, #"{"a":1"#, "\"abc", "01", "-01", "00", "1.", ".5", "-", "+1", "1e", "1e+",
        "1.e5", "0x10", "1.5e", "--1", "- 1", "1 2", "[1]x", "/* c */ 1", "1 // c", #""\x""#, #""\u12""#,
        #""\u12G4""#, #""\'""#, #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\ud800x""#,
        #""\uDBFF\""#, "1e400", "-1e400", #"{"a":1}{}"#, "\u{C}1", "\u{B}1", "\u{A0}1", "\u{FEFF}1",
        "[\"a\"\u{0}]",
    ])
    func rejects(_ text: String) {
        #expect(rejection(Array(text.utf8)) != nil)
    }

    @Test(
        arguments: [
            [0x22, 0xC0, 0x80, 0x22], [0x22, 0xC1, 0xBF, 0x22], [0x22, 0xE0, 0x80, 0xAF, 0x22],
            [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xED, 0xBF, 0xBF, 0x22],
            [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22],
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], [0x22, 0xFF, 0x22],
            [0x22, 0x80, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xF0, 0x9F, 0x98, 0x22],
            [0x22, 0xC3], [0x22, 0xE2, 0x82], [0x22, 0xC3, 0x41, 0x22], [0xC3, 0xA9], [0x31, 0x00],
        ] as [[UInt8]])
    func rejectsInvalidUTF8(_ bytes: [UInt8]) {
        #expect(rejection(bytes) != nil)
    }

    @Test func rejectsRawControlCharactersButNotDelete() throws {
        for b in UInt8(0)..<0x20 {
            let error = try #require(rejection([0x22, 0x61, b, 0x22]))
            #expect(error.offset == 2)
        }
        #expect(try JSONParser.parse([0x22, 0x7F, 0x22]) == .string("\u{7F}"))
    }

    @Test func errorsCarryOffsetAndReason() throws {
        let error = try #require(rejection(Array(#"{"a":1 "b":2}"#.utf8)))
        #expect(error.offset == 7)
        #expect(error.description == #"invalid JSON at byte 7: unexpected '"', expected ',' or '}'"#)
        #expect(
            rejection(Array("[1,\n2".utf8))
                == JSONError(offset: 5, reason: "unexpected end of input, expected ',' or ']'"))
        #expect(rejection([]) == JSONError(offset: 0, reason: "unexpected end of input, expected a value"))
        #expect(rejection(Array("01".utf8))?.offset == 1)
        #expect(rejection(Array("[1.]".utf8))?.offset == 3)
        #expect(rejection([0x22, 0x41, 0xC3, 0x28, 0x22])?.offset == 3)
        #expect(rejection(Array(#"["\ud800"]"#.utf8))?.offset == 2)
    }

    @Test func rejectsDuplicateKeys() throws {
        let error = try #require(rejection(Array(#"{"a":1,"a":2}"#.utf8)))
        #expect(error == JSONError(offset: 7, reason: #"duplicate key "a""#))
        #expect(rejection(Array(#"{"a":{"a":1},"b":{"a":2}}"#.utf8)) == nil)
        #expect(rejection(Array(#"{"a":1,"\u0061":2}"#.utf8)) != nil)
        // Past 16 members the check switches to a hash set; both sides of the switch must catch it.
        for size in [15, 16, 17, 100] {
            let members = (0..<size).map { "\"k\($0)\":\($0)" }
            #expect(rejection(Array("{\(members.joined(separator: ","))}".utf8)) == nil)
            for dup in [0, size - 1] {
                let doc = "{\(members.joined(separator: ",")),\"k\(dup)\":0}"
                #expect(rejection(Array(doc.utf8))?.reason == "duplicate key \"k\(dup)\"")
            }
        }
    }

    @Test func depthLimitIsExact() throws {
        for maxDepth in [1, 2, 64] {
            let arrays = String(repeating: "[", count: maxDepth) + String(repeating: "]", count: maxDepth)
            #expect(rejection(Array(arrays.utf8), maxDepth: maxDepth) == nil)
            let deeper = "[" + arrays + "]"
            #expect(
                rejection(Array(deeper.utf8), maxDepth: maxDepth)
                    == JSONError(offset: maxDepth, reason: "nesting deeper than \(maxDepth)"))
            let objects =
                String(repeating: #"{"a":"#, count: maxDepth) + "1" + String(repeating: "}", count: maxDepth)
            #expect(rejection(Array(objects.utf8), maxDepth: maxDepth) == nil)
            #expect(rejection(Array(("[" + objects + "]").utf8), maxDepth: maxDepth) != nil)
        }
        #expect(try parse("1", maxDepth: 0) == .integer(1))
        #expect(rejection(Array("[]".utf8), maxDepth: 0)?.reason == "nesting deeper than 0")
    }

    @Test func hostileNestingThrowsInsteadOfCrashing() {
        let open = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(rejection(open)?.offset == 64)
        #expect(
            rejection(open, maxDepth: .max)
                == JSONError(offset: 100_000, reason: "unexpected end of input, expected a value"))
        #expect(rejection(Array(String(repeating: #"{"a":"#, count: 100_000).utf8))?.offset == 320)
    }

    @Test func objectsKeepDocumentOrderAndAccessorsWork() throws {
        let value = try parse(#"{"z":1,"y":"s","x":[true],"w":null,"v":2.5,"u":{}}"#)
        let obj = try #require(value.object)
        #expect(obj.keys == ["z", "y", "x", "w", "v", "u"])
        #expect(obj.count == 6 && !obj.isEmpty)
        #expect(obj["z"]?.int64 == 1 && obj["y"]?.string == "s" && obj["x"]?.array == [.bool(true)])
        #expect(obj["w"]?.isNull == true && obj["v"]?.double == 2.5 && obj["v"]?.int64 == nil)
        #expect(
            obj["u"]?.object?.isEmpty == true && obj["missing"] == nil && obj["x"]?.array?[0].bool == true)
        #expect(obj.members.map(\.key) == obj.keys)
        let kinds = obj.values.map(\.kindName) + [JSONValue.bool(false).kindName]
        #expect(kinds == ["integer", "string", "array", "null", "number", "object", "boolean"])
        #expect(value.serialized() == Array(#"{"z":1,"y":"s","x":[true],"w":null,"v":2.5,"u":{}}"#.utf8))
        let raw: [UInt8] = Array(" [1] ".utf8)
        #expect(try raw.withUnsafeBytes { try JSONParser.parse($0) } == .array([.integer(1)]))
    }

    // MARK: writer

    @Test func writerEscapesEveryASCIIByteAndRoundTrips() throws {
        let named: [UInt8: String] = [
            0x22: #"\""#, 0x5C: #"\\"#, 0x0A: #"\n"#, 0x0D: #"\r"#, 0x09: #"\t"#, 0x08: #"\b"#, 0x0C: #"\f"#,
        ]
        for b in UInt8(0)...0x7F {
            let s = String(Character(Unicode.Scalar(b)))
            var out: [UInt8] = []
            out.appendJSONString(s)
            let hex = String(b, radix: 16)
            let expected =
                named[b] ?? (b < 0x20 || b == 0x7F ? "\\u00" + (hex.count == 1 ? "0" : "") + hex : s)
            #expect(out == Array("\"\(expected)\"".utf8), "byte \(b)")
            #expect(try JSONParser.parse(out) == .string(s))
        }
        var all: [UInt8] = []
        let every = String(decoding: Array(UInt8(0)...0x7F), as: UTF8.self)
        all.appendJSONString(every)
        #expect(try JSONParser.parse(all) == .string(every))
    }

    @Test(arguments: [
        "", "plain", "é€😀 日本語", "e\u{301}", "mixed \"é\"\n\u{10FFFF}\\",
        String(repeating: "ab\u{1}", count: 200),
    ])
    func writerCopiesMultiByteTextAndRoundTrips(_ s: String) throws {
        var out: [UInt8] = Array("x".utf8)
        out.appendJSONString(s)
        #expect(out.first == UInt8(ascii: "x"))
        let value = try JSONParser.parse(Array(out.dropFirst()))
        #expect(value == .string(s))
        #expect(value.string.map { Array($0.utf8) } == Array(s.utf8))
        var viaBytes: [UInt8] = []
        Array(s.utf8).withUnsafeBytes { viaBytes.appendJSONString($0) }
        #expect(viaBytes == Array(out.dropFirst()))
    }

    @Test func serializesCompactly() throws {
        let value = JSONValue.array([
            .null, .bool(true), .bool(false), .integer(.min), .number(0.1), .number(1e5), .number(-0.0),
            .number(.infinity), .string("a\"b"), object([("k", .array([])), ("j", object([]))]),
        ])
        let text = String(decoding: value.serialized(), as: UTF8.self)
        #expect(
            text == #"[null,true,false,-9223372036854775808,0.1,100000.0,-0.0,null,"a\"b",{"k":[],"j":{}}]"#)
        var prefixed: [UInt8] = Array("x".utf8)
        JSONValue.integer(3).serialize(into: &prefixed)
        #expect(prefixed == Array("x3".utf8))
    }

    // MARK: fuzz

    @Test func randomInputsNeverCrashAndAcceptedOnesRoundTrip() {
        var rng = SeededGenerator(seed: 0x5EED_1234)
        let extra: [UInt8] = [0x09, 0x0A, 0xC3, 0xA9, 0xF0, 0x9F, 0x00, 0x7F]
        let alphabet = Array(#"{}[],:"\ -+.0123456789eEtrufalsn"#.utf8) + extra
        let seeds = [
            #"{"a":[1,2.5,-3e2,true,false,null],"b":{"c":"d\n\u00e9\ud83d\ude00"},"e":""}"#,
            #"[0,-0,9223372036854775807,-9223372036854775808,1e300,"x",[[{}]],{"k":{"k":[]}}]"#,
            #"  "plain é € 😀"  "#, "[[[[[[1]]]]]]", #"{"a":1,"b":2,"c":3}"#,
        ].map { Array($0.utf8) }
        var accepted = 0
        for round in 0..<20_000 {
            var input: [UInt8]
            if round % 2 == 0 {
                let length = Int.random(in: 0..<24, using: &rng)
                let uniform = round % 4 == 0
                input = (0..<length).map { _ in
                    uniform ? UInt8.random(in: 0...255, using: &rng) : alphabet.randomElement(using: &rng)!
                }
            } else {
                input = seeds.randomElement(using: &rng)!
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let at = Int.random(in: 0...input.count, using: &rng)
                    let byte =
                        Bool.random(using: &rng)
                        ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0 where at < input.count: input[at] = byte
                    case 1 where at < input.count: input.remove(at: at)
                    default: input.insert(byte, at: at)
                    }
                }
            }
            do {
                let value = try JSONParser.parse(input, maxDepth: 8)
                accepted += 1
                let bytes = value.serialized()
                let again = try JSONParser.parse(bytes, maxDepth: 8)
                if again != value || again.serialized() != bytes {
                    Issue.record("round trip changed \(input) -> \(String(decoding: bytes, as: UTF8.self))")
                }
            } catch {
                if error.offset < 0 || error.offset > input.count || error.reason.isEmpty {
                    Issue.record("bad error \(error) for \(input)")
                }
            }
        }
        #expect(accepted > 1_000)
    }
}
