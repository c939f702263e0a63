import ATPFuzz

/// libFuzzer calls this once per input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    EngineSemanticsFuzz.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
