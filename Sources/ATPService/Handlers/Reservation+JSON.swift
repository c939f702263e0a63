import ATPEngine
import ATPJSON
import ATPUtilities

extension Reservation {
    /// Appends the reservation object of API.md.
    /// - Complexity: O(lines); no Foundation.
    func appendJSON(to body: inout [UInt8]) {
        body.appendASCII(#"{"id":""#)
        id.append(to: &body)
        body.appendASCII(#"","status":""#)
        body.append(contentsOf: status.description.utf8)
        body.appendASCII(#"","createdAt":""#)
        createdAt.appendRFC3339(to: &body)
        body.appendASCII(#"","updatedAt":""#)
        updatedAt.appendRFC3339(to: &body)
        body.appendASCII(#"","expiresAt":""#)
        expiresAt.appendRFC3339(to: &body)
        body.append(UInt8(ascii: "\""))
        if let reference {
            body.appendASCII(#","reference":"#)
            body.appendJSONString(reference)
        }
        body.appendASCII(#","lines":["#)
        for (i, line) in lines.enumerated() {
            body.appendASCII(i == 0 ? #"{"sku":"# : #",{"sku":"#)
            body.appendJSONString(line.sku)
            body.appendASCII(#","location":"#)
            body.appendJSONString(line.location)
            body.appendASCII(#","qty":"#)
            body.appendDecimal(line.qty)
            body.append(UInt8(ascii: "}"))
        }
        body.appendASCII("]}")
    }
}
