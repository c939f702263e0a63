// swift-tools-version:6.0
import PackageDescription

// Layers (DESIGN.md): ATPEngine is pure Swift with no I/O; ATPPosix is the one POSIX layer (the
// syscall wrapper with its EINTR loop, sockets, epoll/eventfd, the EventLoop, the monotonic clock,
// the joinable thread; CLinux supplies the Linux calls Glibc's module leaves out); ATPHTTP is a
// generic HTTP/1.1 server, codec and client on top of it, importing neither Glibc nor CLinux;
// ATPJSON is the JSON codec (parser, value, writer), with no I/O; ATPService wires engine and
// HTTP into the v1 API and renders the HTTP layer's protocol errors; atpd is a thin main.
// ATPUtilities holds the lock, heap, ASCII byte appenders and the metrics text (MetricsSource,
// PrometheusText) they share. CHiredis wraps the
// system hiredis library; ATPRedis is the client on it.
// ATPPush pushes channel availability to webhooks (DESIGN.md's ChannelPush).
// ATPFuzz holds the fuzz targets' logic; the libFuzzer executables are the package in Tests/Fuzz,
// outside the default build (see Tests/Fuzz/run.sh).
// Every target builds in Swift 6 language mode.
let package = Package(
    name: "atpd",
    products: [
        .executable(name: "atpd", targets: ["atpd"]),
        .executable(name: "atp-load", targets: ["atp-load"]),
        .library(name: "ATPEngine", targets: ["ATPEngine"]),
        .library(name: "ATPHTTP", targets: ["ATPHTTP"]),
        .library(name: "ATPService", targets: ["ATPService"]),
        .library(name: "ATPFuzz", targets: ["ATPFuzz"]),
    ],
    targets: [
        .systemLibrary(
            name: "CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .target(name: "ATPUtilities"),
        .target(name: "ATPEngine", dependencies: ["ATPUtilities"]),
        .target(name: "CLinux"),
        .target(name: "ATPPosix", dependencies: ["ATPUtilities", "CLinux"]),
        .target(name: "ATPJSON", dependencies: ["ATPUtilities"]),
        .target(
            name: "ATPHTTP", dependencies: ["ATPJSON", "ATPPosix", "ATPUtilities"],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .target(name: "ATPRedis", dependencies: ["ATPPosix", "ATPUtilities", "CHiredis"]),
        .target(name: "ATPStore", dependencies: ["ATPEngine", "ATPPosix", "ATPRedis", "ATPUtilities"]),
        .target(
            name: "ATPPush",
            dependencies: ["ATPEngine", "ATPHTTP", "ATPJSON", "ATPPosix", "ATPStore", "ATPUtilities"]),
        .target(
            name: "ATPService",
            dependencies: [
                "ATPEngine", "ATPHTTP", "ATPJSON", "ATPPosix", "ATPRedis", "ATPStore", "ATPPush",
                "ATPUtilities",
            ],
            // The API contract, served at GET /openapi.json, compiled into the binary.
            resources: [.embedInCode("Resources/openapi.json")]),
        .executableTarget(name: "atpd", dependencies: ["ATPService"]),
        .target(
            name: "ATPLoad",
            dependencies: ["ATPHTTP", "ATPJSON", "ATPPosix", "ATPRedis", "ATPUtilities", "CLinux"]),
        .executableTarget(name: "atp-load", dependencies: ["ATPLoad"]),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: ["ATPEngine", "ATPService"],
            path: "Benchmarks/EngineBenchmarks"
        ),
        .executableTarget(
            name: "PushBenchmarks",
            dependencies: [
                "ATPService", "ATPHTTP", "ATPJSON", "ATPEngine", "ATPPosix", "ATPPush", "ATPUtilities",
            ],
            path: "Benchmarks/PushBenchmarks"
        ),
        .executableTarget(
            name: "ChaosRehearsal",
            dependencies: [
                "ATPHTTP", "ATPJSON", "ATPPosix", "ATPRedis", "ATPStore", "ATPPush", "ATPLoad",
                "ATPUtilities", "ATPTestSupport",
            ],
            path: "Benchmarks/ChaosRehearsal"
        ),
        .executableTarget(
            name: "RedisBenchmarks",
            dependencies: ["ATPRedis", "ATPStore", "ATPEngine", "ATPTestSupport"],
            path: "Benchmarks/RedisBenchmarks"
        ),
        .target(
            name: "ATPFuzz",
            dependencies: ["ATPEngine", "ATPHTTP", "ATPJSON", "ATPStore", "ATPService", "ATPPush"],
            path: "Tests/Fuzz/Harness"
        ),
        .testTarget(name: "ATPEngineTests", dependencies: ["ATPEngine", "ATPUtilities", "ATPTestSupport"]),
        .target(
            name: "ATPTestSupport",
            dependencies: ["ATPHTTP", "ATPJSON", "ATPEngine", "ATPPosix", "ATPRedis", "ATPUtilities"],
            path: "Tests/Support"),
        // The Swift Testing expectations the suites share (expectProblem), apart from
        // ATPTestSupport so that the benchmark executables using that do not link Testing.
        .target(name: "ATPTestExpectations", dependencies: ["ATPTestSupport"], path: "Tests/Expectations"),
        .testTarget(
            name: "ATPHTTPTests",
            dependencies: [
                "ATPHTTP", "ATPJSON", "ATPPosix", "ATPTestExpectations", "ATPTestSupport", "ATPUtilities",
            ]),
        .testTarget(name: "ATPJSONTests", dependencies: ["ATPJSON", "ATPTestSupport", "ATPUtilities"]),
        .testTarget(
            name: "ATPServiceTests",
            dependencies: [
                "ATPService", "ATPHTTP", "ATPEngine", "ATPPosix", "ATPRedis", "ATPStore",
                "ATPTestExpectations", "ATPTestSupport", "ATPUtilities",
            ]),
        // Process-level: real atpd children (built by `swift build`) against real stores.
        .testTarget(
            name: "ATPDurabilityTests",
            dependencies: [
                "ATPEngine", "ATPHTTP", "ATPPosix", "ATPRedis", "ATPStore", "ATPTestExpectations",
                "ATPTestSupport", "ATPUtilities",
            ]),
        .testTarget(name: "ATPRedisTests", dependencies: ["ATPRedis", "ATPTestSupport"]),
        .testTarget(
            name: "ATPStoreTests",
            dependencies: ["ATPPosix", "ATPRedis", "ATPStore", "ATPEngine", "ATPTestSupport", "ATPUtilities"]),
        .testTarget(name: "CHiredisTests", dependencies: ["CHiredis"]),
        .testTarget(
            name: "ATPPushTests",
            dependencies: [
                "ATPPush", "ATPHTTP", "ATPEngine", "ATPPosix", "ATPStore", "ATPUtilities", "ATPTestSupport",
            ]),
        .testTarget(
            name: "ATPLoadTests",
            dependencies: ["ATPLoad", "ATPService", "ATPHTTP", "ATPPosix", "ATPTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
