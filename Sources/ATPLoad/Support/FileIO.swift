import Glibc

/// Small file helpers for the command: no Foundation needed.
///
/// Thread-safety: stateless; each call is independent. Complexity: O(bytes).
public enum StandardError {
    /// Writes `text` to standard error (one `write` call for short lines).
    public static func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

/// Writes `bytes` to `path`, replacing it.
public func writeFile(_ path: String, _ bytes: [UInt8]) throws(LoadError) {
    guard let file = fopen(path, "wb") else {
        throw .usage("cannot write \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    guard written == bytes.count else { throw .usage("cannot write \(path): short write") }
}

/// Reads the whole of `path`.
public func readFile(_ path: String) throws(LoadError) -> [UInt8] {
    guard let file = fopen(path, "rb") else {
        throw .usage("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { fclose(file) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if n == 0 { break }
        out.append(contentsOf: chunk[0..<n])
    }
    return out
}

/// The built-in scenario `nameOrPath`, else the JSON scenario file at that path.
public func loadScenario(_ nameOrPath: String) throws(LoadError) -> ScenarioSpec {
    if let spec = ScenarioSpec.builtIn(nameOrPath) { return spec }
    guard access(nameOrPath, R_OK) == 0 else {
        throw .usage(
            "--scenario \(nameOrPath): neither a built-in (\(ScenarioSpec.builtInNames.joined(separator: ", "))) nor a readable file"
        )
    }
    return try ScenarioSpec(json: readFile(nameOrPath))
}
