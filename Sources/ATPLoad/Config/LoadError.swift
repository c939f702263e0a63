/// Why a load run could not be made.
///
/// Thread-safety: a value type.
public enum LoadError: Error, Sendable, CustomStringConvertible {
    /// The command line or a scenario file is wrong (exit status 2).
    case usage(String)
    /// The target could not be reached, seeded or read (exit status 3).
    case target(String)

    public var description: String {
        switch self {
        case .usage(let text): text
        case .target(let text): text
        }
    }
}
