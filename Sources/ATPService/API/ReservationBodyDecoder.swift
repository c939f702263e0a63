import ATPEngine
import ATPJSON

/// One pass over a `POST /v1/reservations` body with `JSONPullReader`, keeping the members the
/// request needs and the first problem with them.
///
/// A syntax error anywhere wins over any field problem, and field problems are reported in a
/// fixed order whatever the members' order in the document, as when the body was a parsed tree
/// walked field by field: so the pass reads the whole document first (`readDocument`), and
/// `request()` then checks what it kept. Lines are built while no problem is known.
///
/// Thread-safety: a value type over borrowed bytes; use it on one thread.
/// - Complexity: O(body length).
struct ReservationBodyDecoder {
    /// The depth `JSONBody` allows request bodies.
    private static let maxDepth = 16
    private static let requestKeys: [StaticString] = ["lines", "ttlSeconds", "reference"]
    private static let lineKeys: [StaticString] = ["sku", "location", "qty"]

    private var reader: JSONPullReader
    private var isObject = false
    /// The value of `lines` when it is not an array (a container only by its kind).
    private var linesValue: JSONValue?
    private var hasLines = false
    private var lineCount = 0
    private var lines: [ReservationLine] = []
    /// The problem of the first line (by index) that has one.
    private var lineProblem: APIError?
    private var ttlSeconds: JSONValue?
    private var reference: JSONValue?

    init(_ body: UnsafeRawBufferPointer) {
        reader = JSONPullReader(body, maxDepth: Self.maxDepth)
    }

    /// Reads the whole document, rejecting what `JSONParser` rejects.
    mutating func readDocument() throws(JSONError) {
        if try reader.valueStart() == UInt8(ascii: "{") {
            isObject = true
            try readRequestObject()
        } else {
            _ = try reader.value(open: 0, decodingString: false)
        }
        try reader.end()
    }

    private mutating func readRequestObject() throws(JSONError) {
        guard try reader.beginContainer(open: 0) else { return }
        var seen: UInt32 = 0
        var unknown = JSONPullReader.UnknownKeys()
        repeat {
            switch try reader.memberKey(known: Self.requestKeys, seen: &seen, unknown: &unknown) {
            case 0:
                hasLines = true
                if try reader.valueStart() == UInt8(ascii: "[") {
                    try readLines()
                } else {
                    linesValue = try reader.value(open: 1, decodingString: false)
                }
            case 1: ttlSeconds = try reader.value(open: 1, decodingString: false)
            case 2: reference = try reader.value(open: 1, decodingString: true)
            default: _ = try reader.value(open: 1, decodingString: false)
            }
        } while try reader.nextMember(inObject: true)
    }

    private mutating func readLines() throws(JSONError) {
        lines.reserveCapacity(Self.skuKeyCount(UnsafeRawBufferPointer(rebasing: reader.bytes[reader.pos...])))
        guard try reader.beginContainer(open: 1) else { return }
        repeat {
            if try reader.valueStart() == UInt8(ascii: "{") {
                try readLine()
            } else {
                _ = try reader.value(open: 2, decodingString: false)
                if isKeeping { lineProblem = .invalidRequest("lines[\(lineCount)] must be an object") }
            }
            lineCount += 1
        } while try reader.nextMember(inObject: false)
    }

    /// How many `"sku"` keys `bytes` holds, at most `maxLines`: the line count, for reserving the
    /// lines array once, unless strings spell `"sku"` out (`\"sku\"`) or the key is escaped,
    /// when the array holds a few spare slots or grows.
    /// - Complexity: O(n / 5) byte reads for most bodies (a Horspool search for the 5 bytes).
    private static func skuKeyCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        var end = 4  // the byte under the pattern's last one
        while end < bytes.count, count < ReservationRequest.maxLines {
            let last = bytes[end]
            if last == UInt8(ascii: "\""), bytes[end - 4] == UInt8(ascii: "\""),
                bytes[end - 3] == UInt8(ascii: "s"),
                bytes[end - 2] == UInt8(ascii: "k"), bytes[end - 1] == UInt8(ascii: "u")
            {
                count += 1
            }
            switch last {  // how far the pattern may move with `last` under its end
            case UInt8(ascii: "\""): end += 4
            case UInt8(ascii: "s"): end += 3
            case UInt8(ascii: "k"): end += 2
            case UInt8(ascii: "u"): end += 1
            default: end += 5
            }
        }
        return count
    }

    /// One object in `lines`: kept when it is the first problem or all is well so far.
    private mutating func readLine() throws(JSONError) {
        var sku: JSONValue?
        var location: JSONValue?
        var qty: JSONValue?
        if try reader.beginContainer(open: 2) {
            var seen: UInt32 = 0
            var unknown = JSONPullReader.UnknownKeys()
            repeat {
                switch try reader.memberKey(known: Self.lineKeys, seen: &seen, unknown: &unknown) {
                case 0: sku = try reader.value(open: 3, decodingString: isKeeping)
                case 1: location = try reader.value(open: 3, decodingString: isKeeping)
                case 2: qty = try reader.value(open: 3, decodingString: false)
                default: _ = try reader.value(open: 3, decodingString: false)
                }
            } while try reader.nextMember(inObject: true)
        }
        guard isKeeping else { return }
        do throws(APIError) {
            let i = lineCount
            let line = ReservationLine(
                sku: try Self.key(sku, name: "lines[\(i)].sku"),
                location: try Self.key(location, name: "lines[\(i)].location"),
                qty: try Self.quantity(qty, name: "lines[\(i)].qty", required: true)!)
            lines.append(line)
        } catch {
            lineProblem = error
        }
    }

    /// True while lines are worth building: none has a problem and the count is within bounds.
    private var isKeeping: Bool { lineProblem == nil && lineCount < ReservationRequest.maxLines }

    /// The request, or the first problem with its fields.
    consuming func request() throws(APIError) -> ReservationRequest {
        guard isObject else { throw .invalidRequest("the body must be a JSON object") }
        guard hasLines else { throw .invalidRequest("lines is required") }
        if let linesValue { throw .invalidRequest("lines must be an array, not \(linesValue.kindName)") }
        guard lineCount <= ReservationRequest.maxLines else {
            throw .invalidRequest("lines must hold 1 to \(ReservationRequest.maxLines) entries")
        }
        if let lineProblem { throw lineProblem }
        var request = ReservationRequest(lines: lines)
        if let ttl = try Self.quantity(ttlSeconds, name: "ttlSeconds", required: false) {
            request.ttlSeconds = ttl
        }
        if let reference {
            guard let text = reference.string else {
                throw .invalidRequest("reference must be a string, not \(reference.kindName)")
            }
            guard text.utf8.count <= ReservationRequest.maxReferenceBytes else {
                throw .invalidRequest(
                    "reference is longer than \(ReservationRequest.maxReferenceBytes) bytes")
            }
            request.reference = text
        }
        return request
    }

    /// A required sku or location: a string `Key` accepts. `name` is built only for a problem
    /// (past 15 bytes, as `lines[0].location` is, it would allocate).
    private static func key(_ value: JSONValue?, name: @autoclosure () -> String) throws(APIError) -> String {
        guard let value else { throw .invalidRequest("\(name()) is required") }
        guard let text = value.string else {
            throw .invalidRequest("\(name()) must be a string, not \(value.kindName)")
        }
        if Key.problem(text, name: "") != nil { throw .invalidRequest(Key.problem(text, name: name())!) }
        return text
    }

    /// An integer within ±`Quantity.requestLimit` (`7` and `7.0` alike), or nil when absent.
    private static func quantity(_ value: JSONValue?, name: @autoclosure () -> String, required: Bool)
        throws(APIError) -> Int64?
    {
        guard let value else {
            if required { throw .invalidRequest("\(name()) is required") }
            return nil
        }
        if let number = value.int64 {
            guard number.magnitude <= UInt64(Quantity.requestLimit) else {  // abs(Int64.min) would trap
                throw .quantityOutOfRange("\(name()) is beyond ±\(Quantity.requestLimit)")
            }
            return number
        }
        if let number = value.double, abs(number) > Double(Quantity.requestLimit) {
            throw .quantityOutOfRange("\(name()) is beyond ±\(Quantity.requestLimit)")
        }
        throw .invalidRequest("\(name()) must be an integer, not \(value.kindName)")
    }
}
