import ATPHTTP
import Foundation
import Testing

@testable import ATPService

/// Structural checks of the OpenAPI document served at `GET /openapi.json`: it parses, names
/// every operation of API.md once, and every `$ref` in it resolves.
@Suite struct OpenAPIDocumentTests {
    static let methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    /// Every operation the router answers, as "METHOD path" with the scope it needs ("none"),
    /// derived from `Route` (HEAD goes with GET and is not listed in the document).
    static let routerOperations: [String: String] = {
        var result: [String: String] = [:]
        for route in Route.allCases where route != .unmatched {
            for method in route.methods where method != .head {
                result["\(method) \(route.label)"] = route.scope(for: method).map(Self.scopeName) ?? "none"
            }
        }
        return result
    }()

    static func scopeName(_ scope: Scopes) -> String {
        switch scope {
        case .read: "read"
        case .reserve: "reserve"
        case .ingest: "ingest"
        case .admin: "admin"
        default: "\(scope)"
        }
    }

    func document() throws -> [String: Any] {
        let data = Data(OpenAPIDocument.json.utf8)
        let object = try JSONSerialization.jsonObject(with: data)
        return try #require(object as? [String: Any])
    }

    /// Every operation under `paths`, keyed by "METHOD path".
    func operations(_ doc: [String: Any]) throws -> [String: [String: Any]] {
        let paths = try #require(doc["paths"] as? [String: Any])
        var result: [String: [String: Any]] = [:]
        for (path, item) in paths {
            let item = try #require(item as? [String: Any], "path item \(path)")
            for method in Self.methods {
                if let operation = item[method] {
                    result["\(method.uppercased()) \(path)"] = try #require(operation as? [String: Any])
                }
            }
        }
        return result
    }

    @Test func isOpenAPI310() throws {
        let doc = try document()
        #expect(doc["openapi"] as? String == "3.1.0")
        let prettyPrinted = "{\n  \"openapi\": \"3.1.0\",\n"
        #expect(OpenAPIDocument.json.hasPrefix(prettyPrinted), "2-space pretty-printed JSON")
        let info = try #require(doc["info"] as? [String: Any])
        #expect(info["title"] as? String == "atpd")
        #expect(info["version"] as? String == "1.0.0")
    }

    /// The router and the document name the same operations (both ways), each with the same
    /// scope: the document's `x-scope`, or no security for the public ones.
    @Test func documentsExactlyTheRoutersOperations() throws {
        let documented = try operations(try document())
        let router = Set(Self.routerOperations.keys)
        #expect(router.count >= 20, "the router lists \(router.count) operations")
        #expect(
            router.subtracting(documented.keys).isEmpty,
            "answered but not documented: \(router.subtracting(documented.keys).sorted())")
        #expect(
            Set(documented.keys).subtracting(router).isEmpty,
            "documented but not answered: \(Set(documented.keys).subtracting(router).sorted())")
        for (name, scope) in Self.routerOperations {
            guard let operation = documented[name] else { continue }
            let security = operation["security"] as? [Any]
            let documentedScope = security?.isEmpty == true ? "none" : operation["x-scope"] as? String ?? "?"
            #expect(
                documentedScope == scope,
                "\(name): the router needs \(scope), the document says \(documentedScope)")
        }
    }

    @Test func operationIdsAreUniqueAndEveryOperationHasA2xxResponse() throws {
        let doc = try document()
        var seen: [String: String] = [:]
        for (name, operation) in try operations(doc) {
            let id = try #require(operation["operationId"] as? String, "\(name) has no operationId")
            #expect(seen[id] == nil, "operationId \(id) is used by \(name) and \(seen[id] ?? "")")
            seen[id] = name
            #expect(operation["summary"] is String, "\(name) has no summary")
            let responses = try #require(operation["responses"] as? [String: Any], "\(name) has no responses")
            #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(name) has no 2xx response")
        }
    }

    @Test func securityAndScopes() throws {
        let doc = try document()
        let global = try #require(doc["security"] as? [[String: Any]])
        #expect(global.contains { $0["bearer"] != nil })
        let components = try #require(doc["components"] as? [String: Any])
        let schemes = try #require(components["securitySchemes"] as? [String: Any])
        let bearer = try #require(schemes["bearer"] as? [String: Any])
        #expect(bearer["type"] as? String == "http")
        #expect((bearer["scheme"] as? String)?.lowercased() == "bearer")
        for (name, operation) in try operations(doc) {
            if Self.routerOperations[name] == "none" {
                let security = try #require(operation["security"] as? [Any], "\(name) must be public")
                #expect(security.isEmpty, "\(name) must have security []")
            } else {
                #expect(operation["security"] == nil, "\(name) must use the global bearer requirement")
                let scope = operation["x-scope"] as? String
                #expect(["read", "reserve", "ingest", "admin"].contains(scope), "\(name) has no x-scope")
                let description = operation["description"] as? String ?? ""
                #expect(description.contains("`\(scope ?? "?")`"), "\(name) does not name its scope")
            }
        }
    }

    @Test func everyRefResolves() throws {
        let doc = try document()
        var refs: [String] = []
        collectRefs(doc, into: &refs)
        #expect(!refs.isEmpty)
        for ref in refs {
            #expect(ref.hasPrefix("#/components/"), "\(ref) does not point into components")
            #expect(resolve(ref, in: doc) != nil, "\(ref) does not resolve")
        }
    }

    private func collectRefs(_ value: Any, into refs: inout [String]) {
        if let object = value as? [String: Any] {
            for (key, member) in object {
                if key == "$ref", let ref = member as? String { refs.append(ref) }
                collectRefs(member, into: &refs)
            }
        } else if let array = value as? [Any] {
            for element in array { collectRefs(element, into: &refs) }
        }
    }

    /// Follows a local JSON pointer (`#/a/b`), unescaping `~1` and `~0`.
    private func resolve(_ ref: String, in doc: [String: Any]) -> Any? {
        guard ref.hasPrefix("#/") else { return nil }
        var current: Any = doc
        for token in ref.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/")
                .replacingOccurrences(of: "~0", with: "~")
            guard let object = current as? [String: Any], let next = object[key] else { return nil }
            current = next
        }
        return current
    }
}

/// Every problem code atpd can answer with is documented, under its status, and nothing else is:
/// the "Errors" paragraph of the document's description against `ProblemCode` (the service's
/// table, which includes the codes it renders the HTTP layer's protocol errors with).
@Suite struct ProblemCodeDocumentationTests {
    /// The Errors paragraph as status → codes: "**Errors** … 400 `a`, `b`; 401 `c`; …".
    static func documented() throws -> [Int: Set<String>] {
        let doc = try #require(
            try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? [String: Any])
        let info = try #require(doc["info"] as? [String: Any])
        let description = try #require(info["description"] as? String)
        let paragraph = try #require(
            description.components(separatedBy: "\n\n").first { $0.hasPrefix("**Errors**") },
            "no Errors paragraph")
        var result: [Int: Set<String>] = [:]
        var status: Int?
        for token in paragraph.split(whereSeparator: { $0 == " " || $0 == ";" || $0 == "," }) {
            if let number = Int(token), (400...599).contains(number) {
                status = number
            } else if case let word = token.trimmingCharacters(in: CharacterSet(charactersIn: ".")),
                word.hasPrefix("`"), word.hasSuffix("`"), word.count > 2, let status
            {
                let code = String(word.dropFirst().dropLast())
                if code.allSatisfy({ $0 == "_" || $0.isLowercase }) {
                    result[status, default: []].insert(code)
                }
            }
        }
        return result
    }

    @Test func everyCodeIsDocumentedUnderItsStatus() throws {
        let documented = try Self.documented()
        var emitted: [Int: Set<String>] = [:]
        for code in ProblemCode.allCases { emitted[code.status, default: []].insert(code.rawValue) }
        for kind in HTTPParseError.Kind.all {
            #expect(
                ProblemCode(kind).status == kind.status,
                "the HTTP layer's \(kind.status) \(kind) is answered as \(ProblemCode(kind).rawValue)")
        }
        #expect(
            Set(HTTPParseError.Kind.all.map(ProblemCode.init)).count == HTTPParseError.Kind.all.count,
            "two kinds of protocol error share a code")
        #expect(
            emitted == documented,
            "emitted \(emitted.sorted { $0.key < $1.key }), documented \(documented.sorted { $0.key < $1.key })"
        )
    }
}
