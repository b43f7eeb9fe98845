// swift-tools-version:6.0
// The appliance: server core, the `carehome` command, the first-party plugins and the tests.
// The plugin SDK (CareKit) is a package of its own under Sources/CareKit so that the server and
// every plugin link one shared libCareKit.so (see Sources/CareKit/README.md).
import Foundation
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let careKit: Target.Dependency = .product(name: "CareKit", package: "CareKit")
/// The services plugins offer one another, versioned apart from CareKit (Sources/CareServices/README.md).
let careServices: Target.Dependency = .product(name: "CareServices", package: "CareServices")

/// A first-party plugin: its logic (`<Name>Plugin`, testable) and its C entry points (`<Name>Entry`),
/// built together as one shared library `lib<Name>.so`.
func plugin(_ name: String, resources: [Resource] = []) -> [Target] {
    [
        .target(name: "\(name)Plugin", dependencies: [careKit, careServices], path: "Plugins/\(name)/Sources",
                resources: resources, swiftSettings: strict),
        .target(name: "\(name)Entry", dependencies: [careKit, careServices, .target(name: "\(name)Plugin")],
                path: "Plugins/\(name)/Entry", swiftSettings: strict),
    ]
}

/// Every folder under Plugins/ with an Entry/ folder is a plugin: adding one touches only its folder
/// (Plugins/README.md). Sorted, so the build is the same on every machine.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
func folders(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent(path).path)) ?? []).sorted()
}
func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent(path).path) }
let pluginNames = folders("Plugins").filter { exists("Plugins/\($0)/Entry") }
// Files in a plugin's Sources/Data/ are compiled into it (`.embedInCode`), so a plugin is one self-contained .so.
let pluginResources: [String: [Resource]] = Dictionary(uniqueKeysWithValues: pluginNames.map { name in
    (name, folders("Plugins/\(name)/Sources/Data").filter { !$0.hasPrefix(".") }.map { Resource.embedInCode("Data/\($0)") })
})

let pluginLogic: [Target.Dependency] = pluginNames.map { .target(name: "\($0)Plugin") }
let pluginTargets: [Target] = pluginNames.flatMap { plugin($0, resources: pluginResources[$0] ?? []) }
/// A plugin's tests, when it has a Tests/<Name>Tests folder (they may use every first-party plugin).
let pluginTestTargets: [Target] = pluginNames.filter { exists("Tests/\($0)Tests") }.map { name -> Target in
    .testTarget(name: "\(name)Tests", dependencies: [careKit, careServices, "CareTesting"] + pluginLogic, path: "Tests/\(name)Tests")
}

let package = Package(
    name: "carehome",
    products: [
        .executable(name: "carehome", targets: ["carehome"]),
        // Test plugins: built for the loader's tests, never installed.
        .library(name: "ProbePlugin", type: .dynamic, targets: ["ProbePlugin"]),
        .library(name: "ProbeOldAPI", type: .dynamic, targets: ["ProbeOldAPI"]),
        .library(name: "ProbeOldServices", type: .dynamic, targets: ["ProbeOldServices"]),
    ] + pluginNames.map { .library(name: $0, type: .dynamic, targets: ["\($0)Entry"]) },
    dependencies: [
        .package(path: "Sources/CareKit"),
        .package(path: "Sources/CareServices"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
    ],
    targets: [
        // libmicrohttpd, from Debian's libmicrohttpd-dev.
        .systemLibrary(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        // Zstandard, from Debian's libzstd-dev: backups are compressed before they are encrypted.
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Resident photos: decode (JPEG, PNG), turn upright, shrink and re-encode with no metadata
        // (libjpeg-turbo and libpng from Debian's libjpeg62-turbo-dev and libpng-dev).
        .target(name: "CPortrait", path: "Sources/CPortrait",
                linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png16")]),
        // A small C layer over libmicrohttpd: collects a whole request (headers, body, form fields via
        // MHD's post processor) and hands it to Swift once, so Swift never sees MHD's callbacks.
        .target(name: "CHTTPShim", dependencies: ["CMicroHTTPD"], path: "Sources/CHTTPShim"),
        // sysinfo and adjtimex for the admin page's health checks (headers only; glibc has them).
        .systemLibrary(name: "CLinuxSystem", path: "Sources/CLinuxSystem"),
        // HTTP server: knows nothing of plugins, sessions or pages.
        .target(name: "CareHTTP", dependencies: ["CHTTPShim", .product(name: "Logging", package: "swift-log")],
                path: "Sources/CareHTTP", swiftSettings: strict),
        // Storage: the home's SQLite database (GRDB), migrations, backup and checks.
        .target(name: "CareStore", dependencies: [careKit, .product(name: "GRDB", package: "GRDB.swift"),
                                                  .product(name: "Logging", package: "swift-log"),
                                                  // AES-GCM for encrypted backups (BackupCipher).
                                                  .product(name: "Crypto", package: "swift-crypto"), "CZstd"],
                path: "Sources/CareStore", swiftSettings: strict),
        // The server: plugin loader, routing, accounts, sessions, audit, the web shell.
        .target(name: "CareServer", dependencies: [careKit, careServices, "CareHTTP", "CareStore", "CPortrait", "CLinuxSystem",
                                                   .product(name: "Logging", package: "swift-log"),
                                                   .product(name: "Crypto", package: "swift-crypto"),
                                                   .product(name: "_CryptoExtras", package: "swift-crypto")],
                path: "Sources/CareServer", resources: [.copy("Assets")], swiftSettings: strict),
        // A home with years of history, for measuring pages against history (`carehome generate-home`, tests, bench-scale).
        .target(name: "HomeGenerator", dependencies: ["CareServer", "CareStore", careKit, .product(name: "GRDB", package: "GRDB.swift")],
                path: "Sources/HomeGenerator", swiftSettings: strict),
        .executableTarget(name: "carehome", dependencies: ["CareServer", "HomeGenerator", careKit,
                                                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                                           .product(name: "Logging", package: "swift-log")],
                          path: "Sources/carehome", swiftSettings: strict,
                          linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath=$ORIGIN/../lib"])]),

        .target(name: "ProbePlugin", dependencies: [careKit], path: "Tests/Fixtures/ProbePlugin", swiftSettings: strict),
        .target(name: "ProbeOldAPI", dependencies: [careKit], path: "Tests/Fixtures/ProbeOldAPI", swiftSettings: strict),
        .target(name: "ProbeOldServices", dependencies: [careKit], path: "Tests/Fixtures/ProbeOldServices", swiftSettings: strict),

        // In-process test support: a real SQLite home with plugins loaded through the same host code
        // as the server, and routes called without sockets (as hummingbird's testing module does).
        .target(name: "CareTesting", dependencies: ["CareServer", "CareStore", careKit, careServices], path: "Sources/CareTesting",
                swiftSettings: strict),

        .testTarget(name: "CareKitTests", dependencies: [careKit], path: "Tests/CareKitTests"),
        .testTarget(name: "CareStoreTests", dependencies: ["CareStore", careKit, .product(name: "GRDB", package: "GRDB.swift"),
                                                       // To write a backup in the format before compression, by hand.
                                                       .product(name: "Crypto", package: "swift-crypto")],
                    path: "Tests/CareStoreTests"),
        .testTarget(name: "CareServerTests", dependencies: ["CareServer", "CareStore", "CareHTTP", "CareTesting", "HomeGenerator", careKit, careServices] + pluginLogic,
                    path: "Tests/CareServerTests"),
        .testTarget(name: "IntegrationTests", dependencies: [careKit], path: "Tests/IntegrationTests"),
    ] + pluginTargets + pluginTestTargets
)
