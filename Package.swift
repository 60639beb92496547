// swift-tools-version: 6.1
// Sluice: pulls SaaS reporting APIs into a local SQLite warehouse that BI tools read.
// Data flows one way: job file → source → batches → warehouse → run ledger.
import PackageDescription

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // HMAC-SHA256 for pseudonymised columns (already in the graph through async-http-client).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // Benchmark only: the CSV parser comparison of issue 3.
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
    ],
    targets: [
        // libsqlite3 from the system (Debian: libsqlite3-dev).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Job definitions, schedules, values, batches, errors. Knows no HTTP and no SQLite.
        .target(
            name: "SluiceCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What servers send, decoded without I/O: the sources' pages, Retry-After and the retry decision.
        // Pure, so every parser of server bytes is fuzzed without building the HTTP stack.
        .target(name: "SluiceWire", dependencies: ["SluiceCore"]),
        // HTTP: retries, Retry-After, rate limiting, OAuth2 token cache, redirects, redaction.
        .target(
            name: "SluiceHTTP",
            dependencies: [
                "SluiceCore", "SluiceWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // One folder per source type: API pages → batches with their checkpoint.
        .target(
            name: "SluiceSources",
            dependencies: [
                "SluiceCore", "SluiceWire", "SluiceHTTP",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The SQLite file: binding, migrations, schema evolution, load modes, runs and state.
        .target(
            name: "SluiceWarehouse",
            dependencies: ["SluiceCore", "CSQLite", "CSluiceSystem", .product(name: "Logging", package: "swift-log")]
        ),
        // statfs(2) for the warehouse doctor (Swift's Glibc module lacks <sys/vfs.h>).
        .target(name: "CSluiceSystem"),
        // PostgreSQL as a second warehouse (same contract as SQLite), with advisory job locks shared by instances.
        .target(
            name: "SluicePostgres",
            dependencies: [
                "SluiceCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Job runner (pull → load → record), scheduler, services, sd_notify, metrics.
        .target(
            name: "SluiceDaemon",
            dependencies: [
                "SluiceCore", "SluiceSources", "CSluiceSystem",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // In-process emulators of the source APIs, with fault knobs. Independent of the rest.
        .target(
            name: "SluiceEmulators",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command line: argument parsing and wiring only.
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluiceCore", "SluiceHTTP", "SluiceSources", "SluiceWarehouse", "SluiceDaemon", "SluiceEmulators",
                "SluicePostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["BuildInfo"]
        ),
        // Records the git commit for `sluice --version`.
        .plugin(name: "BuildInfo", capability: .buildTool()),
        // unixODBC (Debian: unixodbc-dev): the ODBC tests read the warehouse through the real SQLite3 ODBC driver.
        .systemLibrary(
            name: "CODBC",
            pkgConfig: "odbc",
            providers: [.apt(["unixodbc-dev"])]
        ),
        // Benchmarks: `swift run -c release sluice-bench …`. Figures go into the README, never into tests.
        .executableTarget(
            name: "sluice-bench",
            dependencies: [
                "SluiceCore", "SluiceHTTP", "SluiceSources", "SluiceWarehouse", "SluiceDaemon", "SluiceEmulators",
                "CSQLite", "SluicePostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Fuzzing: libFuzzer targets for every parser of untrusted bytes (CSV, cron, job files, Retry-After and the
        // retry decision, the four sources' page decoders).
        // `swift build --sanitize fuzzer --product sluice-fuzz` gives libFuzzer's driver; a plain build gives a
        // replay driver (main.c's weak main) for the regression inputs in Fuzz/.
        .target(name: "SluiceFuzzTargets", dependencies: ["SluiceCore", "SluiceWire"]),
        .executableTarget(name: "sluice-fuzz", dependencies: ["SluiceFuzzTargets"]),
        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceCore", "SluiceFuzzTargets"]),
        .testTarget(name: "SluiceHTTPTests", dependencies: ["SluiceHTTP", "SluiceWire", "SluiceEmulators"]),
        .testTarget(name: "SluiceSourcesTests", dependencies: ["SluiceSources", "SluiceWire", "SluiceEmulators", "SluiceHTTP"]),
        .testTarget(name: "SluiceWarehouseTests", dependencies: ["SluiceWarehouse", "CSQLite",
                                                                .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SluiceDaemonTests", dependencies: [
            "SluiceDaemon", "SluiceEmulators", "SluiceWarehouse", "CSQLite",
            .product(name: "InMemoryLogging", package: "swift-log"),
            .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
        ]),
        // Helpers shared by the test targets that drive the built binary (run it, temp folders).
        .target(name: "SluiceTestSupport", path: "Tests/SluiceTestSupport"),
        .testTarget(
            name: "SluiceEndToEndTests",
            dependencies: ["SluiceEmulators", "SluiceTestSupport", "CSQLite", "sluice", "SluicePostgresTestSupport"]
        ),
        // A private PostgreSQL for the tests ($SLUICE_TEST_POSTGRES_URL, scripts/postgres-test-cluster.sh).
        .target(
            name: "SluicePostgresTestSupport",
            dependencies: ["SluiceCore", .product(name: "PostgresNIO", package: "postgres-nio")],
            path: "Tests/SluicePostgresTestSupport"
        ),
        .testTarget(name: "SluicePostgresTests", dependencies: ["SluicePostgres", "SluicePostgresTestSupport"]),
        // The same warehouse scenarios against SQLite and PostgreSQL, through the Warehouse protocol.
        .testTarget(
            name: "SluiceWarehouseContractTests",
            dependencies: ["SluiceWarehouse", "SluicePostgres", "SluicePostgresTestSupport", "CSQLite"]
        ),
        .testTarget(
            name: "SluiceODBCTests",
            dependencies: ["SluiceEmulators", "SluiceTestSupport", "CODBC", "CSQLite", "sluice"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Every Swift target is built with the same language settings: `any` spelled out, members visible only through
// the modules a file imports, and imports internal unless a declaration's signature needs them (`package import`).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]
for target in package.targets where target.name.lowercased().hasPrefix("sluice") {
    target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
