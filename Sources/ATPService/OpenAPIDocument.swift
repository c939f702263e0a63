/// The OpenAPI 3.1 description of the v1 API, served at `GET /openapi.json`: the file
/// `Resources/openapi.json`, compiled into the binary (SwiftPM `embedInCode`), so the contract is
/// one checked file and the deploy stays one binary.
///
/// Pretty-printed JSON (2-space indent). Where API.md is silent, the decisions are written in
/// the descriptions. Thread-safety: immutable constants.
enum OpenAPIDocument {
    /// The document's bytes, as served.
    static let bytes: [UInt8] = PackageResources.openapi_json

    /// The document as text (tests).
    static var json: String { String(decoding: bytes, as: UTF8.self) }
}
