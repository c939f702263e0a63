// swift-tools-version:5.4
import PackageDescription

// The libFuzzer executables, one per target in Harness/ (the ATPFuzz library of the main package).
// They define `LLVMFuzzerTestOneInput` and no `main` (libFuzzer brings it), so they link only when
// built with `-sanitize=fuzzer`: run.sh builds them, apart from the default build.
// fuzz-seeds is an ordinary tool that writes the seed corpus (run.sh --seeds).
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM renames an executable's `main` for testable
// executables and the link then looks for a `<module>_main` that a fuzzer does not have.
let harness = Target.Dependency.product(name: "ATPFuzz", package: "atpd")
let targets = ["http-head", "chunked", "json-bodies", "journal-record", "journal-frame", "engine-semantics"]

let package = Package(
    name: "atpd-fuzz",
    products: targets.map { .executable(name: "fuzz-\($0)", targets: ["fuzz-\($0)"]) } + [
        .executable(name: "fuzz-seeds", targets: ["fuzz-seeds"])
    ],
    dependencies: [.package(name: "atpd", path: "../..")],
    targets: targets.map {
        .executableTarget(
            name: "fuzz-\($0)", dependencies: [harness], path: "Targets/\($0)")
    } + [.executableTarget(name: "fuzz-seeds", dependencies: [harness], path: "Seeds")]
)
