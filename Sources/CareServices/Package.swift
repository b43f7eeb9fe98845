// swift-tools-version:6.0
// CareServices: the services plugins offer one another (the resident directory, current medicines,
// falls, the round's figures, …) and the values they pass, versioned apart from CareKit so that a
// shared field or a new service changes this library, not the plugin SDK.
//
// A package of its own, not a second target in CareKit's package: inside one package SwiftPM copies
// CareKit's code into libCareServices.so (measured: the library held CareKit's symbols and did not
// link libCareKit.so), which would give the process two copies of CareKit's types. As a package that
// depends on CareKit's product, libCareServices.so links the one libCareKit.so, as a plugin does.
import PackageDescription

let package = Package(
    name: "CareServices",
    products: [
        .library(name: "CareServices", type: .dynamic, targets: ["CareServices"]),
    ],
    dependencies: [
        .package(path: "../CareKit"),
    ],
    targets: [
        .target(
            name: "CareServices",
            dependencies: [.product(name: "CareKit", package: "CareKit")],
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
