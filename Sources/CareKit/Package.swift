// swift-tools-version:6.0
// CareKit is a package of its own so that it builds as ONE shared library (libCareKit.so) that the
// server and every plugin link: a module linked statically into both the executable and a dlopen()ed
// plugin would exist twice, and `plugin as? any CarePlugin` would fail. See ../../README.md.
import PackageDescription

let package = Package(
    name: "CareKit",
    products: [
        .library(name: "CareKit", type: .dynamic, targets: ["CareKit"]),
    ],
    targets: [
        .target(
            name: "CareKit",
            path: ".",
            exclude: ["README.md", "API"],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("InternalImportsByDefault"),
                .unsafeFlags(["-enable-library-evolution", "-emit-module-interface"]),
            ]
        ),
    ]
)
