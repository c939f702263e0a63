import ATPStore
import Testing

@Suite struct StoreErrorTests {
    @Test func codesAreStable() {
        #expect(StoreError.unavailable("x").code == "store_unavailable")
        #expect(StoreError.unavailable("a") == StoreError.unavailable("b"))
        #expect(StoreError.io("a") != StoreError.corrupt("a"))
    }
}
