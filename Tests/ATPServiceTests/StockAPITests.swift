import ATPEngine
import ATPHTTP
import ATPTestExpectations
import ATPTestSupport
import Foundation
import Testing

@testable import ATPService

/// `GET /v1/stock/{sku}` and `PUT /v1/stock/{sku}/{location}/safety-stock`.
@Suite struct StockAPITests {
    @Test func stockDetailPerLocationSortedByLocation() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "STORE-7", 4)
        try harness.seed("A", "DC2", 5)
        try harness.seed("A", "DC1", 10)
        try harness.seed("B", "DC1", 3)
        #expect(try harness.hold([("A", "DC1", 1)]).status == 201)

        let response = try harness.request("GET", "/v1/stock/A", token: Tokens.reader)
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "application/json")
        let object = try response.json()
        #expect(object["sku"] as? String == "A")
        #expect(object["available"] as? Int == 18)
        let rows = try #require(object["locations"] as? [[String: Any]])
        #expect(rows.map { $0["location"] as? String } == ["DC1", "DC2", "STORE-7"])
        #expect(rows.map { $0["onHand"] as? Int } == [10, 5, 4])
        #expect(rows.map { $0["reserved"] as? Int } == [1, 0, 0])
        #expect(rows.map { $0["safetyStock"] as? Int } == [0, 0, 0])
        #expect(rows.map { $0["available"] as? Int } == [9, 5, 4])
        #expect(rows.allSatisfy { $0["sku"] == nil })
    }

    @Test func unknownSkuIs404AndAnInvalidOneIs400() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 1)
        let problem = expectProblem(try harness.request("GET", "/v1/stock/NOPE"), 404, "unknown_sku")
        #expect((problem["detail"] as? String)?.contains("NOPE") == true)
        expectProblem(try harness.request("GET", "/v1/stock/A%01"), 400, "invalid_request")
        expectProblem(
            try harness.request("GET", "/v1/stock/\(String(repeating: "x", count: 129))"), 400,
            "invalid_request")
        expectProblem(try harness.request("GET", "/v1/stock/%E2%28"), 400, "invalid_request")
    }

    @Test func percentEncodedPathSegments() throws {
        let harness = try ServiceHarness()
        try harness.seed("red shirt/XL+", "DC 1", 6)
        let response = try harness.request("GET", "/v1/stock/red%20shirt%2FXL+")
        #expect(response.status == 200, "in paths + is a plus: \(response.text)")
        #expect(try response.json()["sku"] as? String == "red shirt/XL+")
        let put = try harness.request(
            "PUT", "/v1/stock/red%20shirt%2FXL%2B/DC%201/safety-stock", json: ["safetyStock": 2],
            token: Tokens.ops)
        #expect(put.status == 200, "\(put.text)")
        #expect(try put.json()["location"] as? String == "DC 1")
        #expect(try harness.available("red shirt/XL+") == 4)
    }

    @Test func safetyStockAnswersTheCellAndAffectsAvailability() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        try harness.seed("A", "DC2", 5)
        #expect(try harness.hold([("A", "DC1", 3)]).status == 201)

        let response = try harness.request(
            "PUT", "/v1/stock/A/DC1/safety-stock", json: ["safetyStock": 2], token: Tokens.ops)
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("Content-Type") == "application/json")
        let cell = try response.json()
        #expect(cell["sku"] as? String == "A")
        #expect(cell["location"] as? String == "DC1")
        #expect(cell["onHand"] as? Int == 10)
        #expect(cell["reserved"] as? Int == 3)
        #expect(cell["safetyStock"] as? Int == 2)
        #expect(cell["available"] as? Int == 5)
        #expect(try harness.available("A") == 10)
        #expect(try harness.available("A", location: "DC1") == 5)
        #expect(try harness.cell("A", "DC1")?["safetyStock"] as? Int == 2)

        // More safety stock than is left floors available at 0.
        let big = try harness.request(
            "PUT", "/v1/stock/A/DC1/safety-stock", json: ["safetyStock": 50], token: Tokens.ops)
        #expect(try big.json()["available"] as? Int == 0)
        #expect(try harness.available("A") == 5)
        expectProblem(try harness.hold([("A", "DC1", 1)]), 409, "insufficient_stock")

        // Back to 0 restores it; the upper bound itself is allowed.
        #expect(
            try harness.request(
                "PUT", "/v1/stock/A/DC1/safety-stock", json: ["safetyStock": 0], token: Tokens.ops
            ).status == 200)
        #expect(try harness.available("A") == 12)
        let limit = try harness.request(
            "PUT", "/v1/stock/A/DC2/safety-stock", json: ["safetyStock": 1_000_000_000], token: Tokens.ops)
        #expect(limit.status == 200)
    }

    @Test func safetyStockOnANewCellCreatesIt() throws {
        let harness = try ServiceHarness()
        let response = try harness.request(
            "PUT", "/v1/stock/NEW/DC9/safety-stock", json: ["safetyStock": 1], token: Tokens.ops)
        #expect(response.status == 200, "\(response.text)")
        #expect(try response.json()["onHand"] as? Int == 0)
        #expect(try response.json()["available"] as? Int == 0)
        #expect(try harness.request("GET", "/v1/stock/NEW").status == 200)
    }

    @Test func badSafetyStockValuesAre400() throws {
        let harness = try ServiceHarness()
        try harness.seed("A", "DC1", 10)
        let path = "/v1/stock/A/DC1/safety-stock"
        expectProblem(
            try harness.request("PUT", path, json: ["safetyStock": -1], token: Tokens.ops), 400,
            "quantity_out_of_range")
        expectProblem(
            try harness.request("PUT", path, json: ["safetyStock": 1_000_000_001], token: Tokens.ops), 400,
            "quantity_out_of_range")
        expectProblem(
            try harness.request("PUT", path, body: #"{"safetyStock":1e12}"#, token: Tokens.ops), 400,
            "quantity_out_of_range")
        expectProblem(
            try harness.request(
                "PUT", path, body: #"{"safetyStock":99999999999999999999999}"#, token: Tokens.ops), 400,
            "quantity_out_of_range")
        expectProblem(
            try harness.request("PUT", path, json: ["safetyStock": "2"], token: Tokens.ops), 400,
            "invalid_request")
        expectProblem(
            try harness.request("PUT", path, body: #"{"safetyStock":2.5}"#, token: Tokens.ops), 400,
            "invalid_request")
        expectProblem(
            try harness.request("PUT", path, body: #"{"safetyStock":null}"#, token: Tokens.ops), 400,
            "invalid_request")
        expectProblem(
            try harness.request("PUT", path, json: [String: Int](), token: Tokens.ops), 400, "invalid_request"
        )
        expectProblem(try harness.request("PUT", path, body: "two", token: Tokens.ops), 400, "invalid_json")
        expectProblem(try harness.request("PUT", path, token: Tokens.ops), 400, "invalid_json")
        expectProblem(
            try harness.request(
                "PUT", "/v1/stock/A/%01/safety-stock", json: ["safetyStock": 1], token: Tokens.ops), 400,
            "invalid_request")
        // Nothing changed.
        #expect(try harness.cell("A", "DC1")?["safetyStock"] as? Int == 0)
        #expect(try harness.available("A") == 10)
    }
}
