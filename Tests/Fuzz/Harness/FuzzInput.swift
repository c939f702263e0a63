/// A fuzzer input read from the front: a few parameter bytes, then the bytes under test.
///
/// Parameters past the end of the input read as 0, so every input is usable.
/// Thread-safety: a value type over borrowed bytes.
struct FuzzInput {
    private let data: UnsafeRawBufferPointer
    private var offset = 0

    init(_ data: UnsafeRawBufferPointer) { self.data = data }

    /// The next parameter byte (0 once the input is used up).
    mutating func byte() -> UInt8 {
        guard offset < data.count else { return 0 }
        defer { offset += 1 }
        return data[offset]
    }

    /// A position in the bytes after the next two (0...`rest.count` once they are read), picked
    /// by those two bytes.
    mutating func position() -> Int {
        let raw = Int(byte()) << 8 | Int(byte())
        return raw % (rest.count + 1)
    }

    /// Everything not yet read as a parameter.
    var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: data[offset...]) }
}

/// Helpers every fuzz target uses.
enum Fuzz {
    /// Calls `body` with a copy of `bytes` in an allocation of exactly their size, so that
    /// AddressSanitizer reports any read past their end (a slice of a larger buffer would hide it).
    static func withExactCopy<R>(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R
    {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { copy.deallocate() }
        copy.copyMemory(from: bytes)
        return body(UnsafeRawBufferPointer(copy))
    }

    /// Stops the run when an invariant does not hold; libFuzzer then saves the input as a crash.
    /// (`fatalError` prints its message in optimised builds, where `precondition` does not.)
    static func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fail(message()) }
    }

    /// Stops the run: an invariant does not hold.
    static func fail(_ message: String) -> Never { fatalError("fuzz invariant broken: \(message)") }
}
