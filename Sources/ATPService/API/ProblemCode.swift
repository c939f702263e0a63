import ATPEngine
import ATPHTTP

/// Every problem `code` atpd answers with, and its HTTP status: the one table. The OpenAPI
/// document lists each (its "Errors" paragraph), and `OpenAPIDocumentTests` checks both ways.
///
/// The HTTP layer (ATPHTTP) refuses malformed requests itself and has atpd render them
/// (`APIResponder.renderProtocolError`); their codes are here too (`init(_:)` of a
/// `HTTPParseError.Kind`), so that the table is everything a client can see.
/// Thread-safety: a value type.
enum ProblemCode: String, CaseIterable, Sendable {
    case invalidJSON = "invalid_json"
    case invalidRequest = "invalid_request"
    case quantityOutOfRange = "quantity_out_of_range"
    case duplicateLine = "duplicate_line"
    case unauthorized
    case forbidden
    case notFound = "not_found"
    case unknownSku = "unknown_sku"
    case unknownReservation = "unknown_reservation"
    case unknownChannel = "unknown_channel"
    case methodNotAllowed = "method_not_allowed"
    case requestTimeout = "request_timeout"
    case insufficientStock = "insufficient_stock"
    case invalidState = "invalid_state"
    case idempotencyInProgress = "idempotency_in_progress"
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case idempotencyKeyReuse = "idempotency_key_reuse"
    case headersTooLarge = "headers_too_large"
    case notImplemented = "not_implemented"
    case notReady = "not_ready"
    case storeUnavailable = "store_unavailable"
    case capacityExhausted = "capacity_exhausted"
    case tooManyConnections = "too_many_connections"
    case httpVersionNotSupported = "http_version_not_supported"

    var status: Int {
        switch self {
        case .invalidJSON, .invalidRequest, .quantityOutOfRange, .duplicateLine: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound, .unknownSku, .unknownReservation, .unknownChannel: 404
        case .methodNotAllowed: 405
        case .requestTimeout: 408
        case .insufficientStock, .invalidState, .idempotencyInProgress: 409
        case .payloadTooLarge: 413
        case .unsupportedMediaType: 415
        case .idempotencyKeyReuse: 422
        case .headersTooLarge: 431
        case .notImplemented: 501
        case .notReady, .storeUnavailable, .capacityExhausted, .tooManyConnections: 503
        case .httpVersionNotSupported: 505
        }
    }

    /// The problem an engine refusal is answered with. An invalid event is refused per event
    /// inside a 200 (`rejected`), never as a problem; should one reach here, it is a bad request.
    init(_ kind: EngineError.Kind) {
        switch kind {
        case .invalidRequest, .invalidEvent: self = .invalidRequest
        case .duplicateLine: self = .duplicateLine
        case .insufficientStock: self = .insufficientStock
        case .unknownReservation: self = .unknownReservation
        case .invalidState: self = .invalidState
        case .unknownSku: self = .unknownSku
        case .unknownChannel: self = .unknownChannel
        case .quantityOutOfRange: self = .quantityOutOfRange
        case .capacityExhausted: self = .capacityExhausted
        }
    }

    /// The problem a protocol error of the HTTP layer is answered with.
    init(_ kind: HTTPParseError.Kind) {
        switch kind {
        case .headersTooLarge: self = .headersTooLarge
        case .payloadTooLarge: self = .payloadTooLarge
        case .unsupportedCoding: self = .notImplemented
        case .unsupportedVersion: self = .httpVersionNotSupported
        case .requestTimeout: self = .requestTimeout
        case .tooManyConnections: self = .tooManyConnections
        default: self = .invalidRequest
        }
    }
}
