import ATPEngine
import ATPStore

/// The seed inputs of every fuzz target, written to `Tests/Fuzz/corpus/<target>/` by the
/// `fuzz-seeds` tool (see run.sh): requests, bodies and records of the kinds the tests use.
///
/// Each starts with the parameter bytes its target reads first (see the targets' comments).
/// Thread-safety: stateless.
public enum FuzzSeeds {
    /// (target, file name, bytes) for every seed.
    public static var all: [(target: String, name: String, bytes: [UInt8])] {
        var seeds: [(String, String, [UInt8])] = []
        // Parameter bytes: flags (bit 0: bare LF allowed, where the text has no CR LF), limit, split.
        func flags(_ text: String) -> UInt8 { text.contains("\r\n") ? 0 : 1 }
        for (name, text) in requests {
            seeds.append(("http-head", name, [flags(text), 0xFF, 0, 24] + Array(text.utf8)))
        }
        seeds.append(("http-head", "over-a-33-byte-limit", [0, 0x01, 0, 0] + Array(requests[0].text.utf8)))
        for (name, text) in chunkedBodies {
            seeds.append(("chunked", name, [flags(text), 0xFF, 0, 9] + Array(text.utf8)))
        }
        seeds.append(
            ("chunked", "over-a-16-byte-limit", [0, 0x01, 0, 0] + Array(chunkedBodies[0].text.utf8)))
        for (name, text) in jsonBodies { seeds.append(("json-bodies", name, Array(text.utf8))) }
        for (name, record) in records { seeds.append(("journal-record", name, record.encoded)) }
        for (name, segment) in segments { seeds.append(("journal-frame", name, [0x01] + segment)) }
        for (name, program) in programs { seeds.append(("engine-semantics", name, program)) }
        return seeds
    }

    /// Programs for `EngineSemanticsFuzz` (opcode, then its argument bytes; see its operations).
    static let programs: [(name: String, bytes: [UInt8])] = {
        let set10: [UInt8] = [0, 0, 0, 1, 0, 0, 2, 10]  // set A@DC1 to 10
        let hold3: [UInt8] = [1, 0, 0, 0, 2, 3] + [100, 0, 0, 0, 0, 0, 0, 0]  // hold 3 of A@DC1, ttl 100 s
        let fulfil: [UInt8] = [2, 0, 1]
        let later: [UInt8] = [3, 200, 10]  // 200 << 10 seconds on, then sweep
        let tinyRate: [UInt8] = [
            5, 0, 89, 243, 248, 194, 31, 110, 165, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0,
        ]
        let slowRate: [UInt8] = [5, 1, 0, 0, 0, 0, 0, 2, 0]  // ratePerSecond 0: refused
        let pace: [UInt8] = [6, 1, 5, 3, 1, 6, 1, 200, 30, 1, 6, 1, 255, 39, 0]
        let sale: [UInt8] = [0, 2, 1, 5, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 2, 4]  // sale 4 of A@DC1 with a seq
        return [
            ("hold-fulfil", set10 + hold3 + fulfil),
            ("hold-expire", set10 + hold3 + hold3 + later + hold3),
            ("channel-pacing", set10 + tinyRate + slowRate + [5, 1, 3, 1, 0, 0, 0, 0, 2, 0] + pace),
            ("sales-under-holds", set10 + hold3 + sale + sale + [4, 2, 2, 0, 0] + hold3 + [2, 0, 2]),
        ]
    }()

    static let requests: [(name: String, text: String)] = [
        (
            "get-availability",
            "GET /v1/availability?sku=A&sku=B&location=DC1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
                + "Authorization: Bearer r3ad3r\r\nX-Request-Id: req-1\r\n\r\n"
        ),
        (
            "post-events",
            "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 120\r\n\r\n"
        ),
        (
            "post-reservation",
            "POST /v1/reservations HTTP/1.1\r\nHost: x\r\nIdempotency-Key: cart-123-try-1\r\n"
                + "Content-Type: application/json; charset=utf-8\r\nContent-Length: 80\r\nExpect: 100-continue\r\n\r\n"
        ),
        (
            "post-chunked",
            "POST /v1/events HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: keep-alive, TE\r\n\r\n"
        ),
        ("http10-keep-alive", "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
        ("bare-lf", "PUT /v1/stock/A/DC1/safety-stock HTTP/1.1\nHost: a\nContent-Length: 17, 17\n\n"),
        ("delete-close", "DELETE /v1/channels/web%20shop HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
        ("space-before-colon", "GET / HTTP/1.1\r\nHost : bad\r\n\r\n"),
        ("gzip-then-chunked", "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
        ("http2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n"),
        ("empty-lines-first", "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"),
    ]

    static let chunkedBodies: [(name: String, text: String)] = [
        ("extension-and-trailer", "4;x=y\r\nwiki\r\n0\r\nT: 1\r\n\r\n"),
        ("two-chunks", "5;e=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
        ("events-body", "17\r\n{\"events\":[{\"id\":\"e1\",\"\r\nf\r\ntype\":\"sale\"}]}\r\n0\r\n\r\n"),
        ("bare-lf", "3\nabc\nA\n0123456789\n0\n\n"),
        ("hex-case", "aB\r\n" + String(repeating: "z", count: 0xAB) + "\r\n0\r\n\r\n"),
        ("long-extension", "1;" + String(repeating: "e", count: 4100) + "\r\nx\r\n0\r\n\r\n"),
    ]

    static let jsonBodies: [(name: String, text: String)] = [
        (
            "events",
            #"{"events":[{"id":"wms-1-17","source":"wms-1","seq":17,"type":"set","sku":"A","location":"DC1","qty":10},"#
                + #"{"id":"pos-7-1","source":"pos-7","type":"sale","sku":"A","location":"STORE-7","qty":1,"#
                + #""at":"2025-11-25T10:15:30.250+01:00","reason":"till 3"}]}"#
        ),
        (
            "events-adjust-and-bad",
            #"{"events":[{"id":"a1","type":"adjust","sku":"Ü-ñ","location":"DC1","delta":-5},"#
                + #"{"id":"x","type":"move","sku":"A","location":"B","qty":1},7,{"id":"n","type":"sale","qty":1.5}]}"#
        ),
        (
            "reservation",
            #"{"lines":[{"sku":"A","location":"DC1","qty":2},{"sku":"B","location":"STORE-7","qty":1}],"#
                + #""ttlSeconds":900,"reference":"cart-123"}"#
        ),
        (
            "reservation-escapes",
            #"{"lines":[{"sku":"\u00dc\ud83d\ude00","location":"DC\/1","qty":1e0}],"reference":null}"#
        ),
        (
            "numbers-and-nesting",
            #"[-0,0.5e-3,1E+2,9223372036854775807,-9223372036854775808,18446744073709551616,"#
                + #"[[[{"a":[true,false,null]}]]],"\b\f\n\r\t\"\\"]"#
        ),
    ]

    static let records: [(name: String, record: JournalRecord)] = {
        let reservation = Reservation(
            id: ReservationID(raw: 0x0123_4567_89ab_cdef), status: .held,
            lines: [
                ReservationLine(sku: "A", location: "DC1", qty: 2),
                ReservationLine(sku: "é", location: "S-7", qty: 9),
            ],
            createdAt: Timestamp(milliseconds: 1_764_000_000_000),
            expiresAt: Timestamp(milliseconds: 1_764_000_900_000),
            updatedAt: Timestamp(milliseconds: 1_764_000_000_000), reference: "cart-9")
        var delivery = ChannelDelivery(endpoint: "http://127.0.0.1:9000/hook", ratePerSecond: 2.5)
        delivery.secret = "whsec_c2VjcmV0"
        let event = StockEvent(
            id: "wms-2-8", source: "wms-2", seq: 8, kind: .set, sku: "A", location: "DC1", amount: 40)
        return [
            (
                "stock-event",
                .stockEvent(StockEventRecord(event: event, at: Timestamp(milliseconds: 12), version: 3))
            ),
            (
                "stock-event-adjust",
                .stockEvent(
                    StockEventRecord(
                        event: StockEvent(id: "till", kind: .adjust, sku: "B", location: "S-7", amount: -3),
                        at: Timestamp(milliseconds: -1), version: 0xFF_FFFF))
            ),
            ("safety-stock", .safetyStock(sku: "A", location: "DC1", value: 4)),
            ("reservation-created", .reservationCreated(reservation)),
            ("reservation-snapshot", .reservationSnapshot(reservation)),
            (
                "reservation-fulfilled",
                .reservationTransition(
                    ReservationTransitionRecord(
                        id: reservation.id, status: .fulfilled, at: Timestamp(milliseconds: 99),
                        versions: [4, 1]))
            ),
            (
                "idempotency",
                .idempotency(
                    IdempotencyRecord(
                        key: Digest128("", "cart-9"), fingerprint: Digest128("body"),
                        outcome: StoredOutcome(
                            status: 409, body: Array(#"{"code":"insufficient_stock"}"#.utf8)),
                        at: Timestamp(milliseconds: 7)))
            ),
            (
                "channel-with-delivery",
                .channelDefined(
                    ChannelView(
                        name: "web", locations: ["DC1"], bufferUnits: 1, delivery: delivery))
            ),
            ("channel-all-locations", .channelDefined(ChannelView(name: "pos"))),
            ("channel-removed", .channelRemoved(name: "web")),
            (
                "cell-snapshot",
                .cellSnapshot(
                    CellSnapshotRecord(
                        sku: "A", location: "DC1", onHand: -2, version: 6, safetyStock: 1))
            ),
            ("sequence-mark", .sequenceMark(source: "wms-2", sku: "A", location: "DC1", seq: 8)),
            ("event-seen", .eventSeen(id: Digest128("wms-2-8"), at: Timestamp(milliseconds: 12))),
            (
                "dead-letter",
                .deadLetter(
                    DeadLetter(
                        channel: "web", webhookID: "msg_1",
                        updates: [PushedUpdate(sku: "A", available: 0, at: Timestamp(milliseconds: 5))],
                        attempts: 8, lastError: "HTTP 503", failedAt: Timestamp(milliseconds: 6)))
            ),
            ("dead-letters-removed", .deadLettersRemoved(channel: "web", webhookIDs: ["msg_1", "msg_2"])),
        ]
    }()

    /// Journal segments: frames of units as the file store writes them, and a snapshot's end mark.
    static var segments: [(name: String, bytes: [UInt8])] {
        let all = records.map(\.record)
        var units: [UInt8] = []
        JournalFrame.append(all[0..<1], to: &units)
        JournalFrame.append(all[3..<7], to: &units)
        var snapshot: [UInt8] = []
        JournalFrame.append(all[10...], to: &snapshot)
        JournalFrame.append(EmptyCollection<JournalRecord>(), to: &snapshot)
        return [("units", units), ("snapshot", snapshot), ("torn-tail", units + [0x30, 0, 0, 0, 1, 2])]
    }
}
