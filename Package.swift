// swift-tools-version:6.0
import PackageDescription

// Layers (DESIGN.md): ATPEngine is pure Swift with no I/O; ATPHTTP is the epoll server and client;
// CHiredis wraps the system hiredis library. Every target builds in Swift 6 language mode.
let package = Package(
    name: "atpd",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ATPEngine", targets: ["ATPEngine"]),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .target(name: "ATPEngine"),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: ["ATPEngine"],
            path: "Benchmarks/EngineBenchmarks"
        ),
        .testTarget(name: "ATPEngineTests", dependencies: ["ATPEngine"]),
        .testTarget(name: "CHiredisTests", dependencies: ["CHiredis"]),
    ],
    swiftLanguageModes: [.v6]
)
