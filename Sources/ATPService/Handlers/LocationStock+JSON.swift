import ATPEngine
import ATPJSON
import ATPUtilities

extension Engine.LocationStock {
    /// Appends `{"sku":..,"location":..,"onHand":..,"reserved":..,"safetyStock":..,"available":..}`
    /// (without `sku` inside a stock detail).
    func appendJSON(sku: String?, to body: inout [UInt8]) {
        body.append(UInt8(ascii: "{"))
        if let sku {
            body.appendASCII(#""sku":"#)
            body.appendJSONString(sku)
            body.append(UInt8(ascii: ","))
        }
        body.appendASCII(#""location":"#)
        body.appendJSONString(location)
        body.appendASCII(#","onHand":"#)
        body.appendDecimal(onHand)
        body.appendASCII(#","reserved":"#)
        body.appendDecimal(reserved)
        body.appendASCII(#","safetyStock":"#)
        body.appendDecimal(safetyStock)
        body.appendASCII(#","available":"#)
        body.appendDecimal(available)
        body.append(UInt8(ascii: "}"))
    }
}
