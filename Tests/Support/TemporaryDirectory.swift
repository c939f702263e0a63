import Foundation
import Glibc

/// A fresh directory under `$TMPDIR` (or `/tmp`), made by `mkdtemp`, removed with everything in
/// it by `remove()`.
///
/// Thread-safety: `Sendable` (the path is immutable); `remove` once, from the test.
public struct TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Makes `<tmp>/<prefix>-XXXXXX`; throws, with `errno` in words, when `mkdtemp` fails.
    public init(prefix: String = "atpd-test") throws {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TemporaryDirectoryError(
                description: "mkdtemp in \(base): \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    /// Runs `body` with a new directory's path and removes the directory afterwards.
    public static func with<R>(prefix: String = "atpd-test", _ body: (String) throws -> R) throws -> R {
        let directory = try TemporaryDirectory(prefix: prefix)
        defer { directory.remove() }
        return try body(directory.path)
    }

    /// Removes the directory and everything in it; a missing directory is no error.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Why a temporary directory could not be made.
public struct TemporaryDirectoryError: Error, CustomStringConvertible {
    public let description: String
}
