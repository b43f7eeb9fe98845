#!/usr/bin/env bash
# Builds the probe plugin as its author built it against earlier recorded CareKits: that commit's CareKit
# sources and probe sources, compiled with library evolution. IntegrationTests/CompatibilityTests then
# loads the results into today's server.
#   Tests/Compat/previous-release  a commit with today's CareKit API: its plugin must load and work
#                                  (written to OUT_DIR/libProbePlugin.so)
#   Tests/Compat/previous-api      a commit with the API before it: its plugin must be refused with a
#                                  message, never crash the server (OUT_DIR/previous-api/libProbePlugin.so)
#   Tests/Compat/build-previous-plugin.sh OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(realpath -m "${1:-.build/compat}")

# build COMMIT_FILE DESTINATION_DIR
build() {
    local previous work plugin
    previous=$(grep -v '^#' "$1" | head -n 1 | tr -d '[:space:]')
    if ! git cat-file -e "$previous^{commit}" 2>/dev/null; then
        echo "compat: $previous ($1) is not in this clone's history (a shallow clone?): fetch it with 'git fetch --unshallow'" >&2
        return 1
    fi
    # One source tree per commit, kept: a commit never changes, so a second run rebuilds nothing.
    work=.build/compat-source/$previous
    if [ ! -f "$work/.complete" ]; then
        rm -rf "$work" && mkdir -p "$work"
        git archive "$previous" Sources/CareKit Tests/Fixtures/ProbePlugin | tar -x -C "$work"
        rm -rf "$work/Sources/CareKit/API"   # its recorded interface, not a source
        # CareKit as a package of its own, so that it is one shared library the plugin links (as in the
        # main build), compiled with library evolution as that release's CareKit was meant to be.
        cat > "$work/Sources/CareKit/Package.swift" <<'MANIFEST'
// swift-tools-version:6.0
// Written by Tests/Compat/build-previous-plugin.sh: an earlier release's CareKit, one shared library.
import PackageDescription
let package = Package(
    name: "CareKit",
    products: [.library(name: "CareKit", type: .dynamic, targets: ["CareKit"])],
    targets: [.target(name: "CareKit", path: ".", exclude: ["README.md"],
                      swiftSettings: [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("InternalImportsByDefault"),
                                      .unsafeFlags(["-enable-library-evolution"])])]
)
MANIFEST
        cat > "$work/Package.swift" <<'MANIFEST'
// swift-tools-version:6.0
// Written by Tests/Compat/build-previous-plugin.sh: a plugin built against an earlier release's CareKit.
import PackageDescription
let package = Package(
    name: "PreviousRelease",
    products: [.library(name: "ProbePlugin", type: .dynamic, targets: ["ProbePlugin"])],
    dependencies: [.package(path: "Sources/CareKit")],
    targets: [.target(name: "ProbePlugin", dependencies: [.product(name: "CareKit", package: "CareKit")], path: "Tests/Fixtures/ProbePlugin")]
)
MANIFEST
        touch "$work/.complete"
    fi
    echo "compat: building the probe plugin against CareKit at $(git log -1 --format='%h (%cs)' "$previous") ($1)"
    swift build --package-path "$work" --product ProbePlugin 2>&1 | tail -n 3
    plugin="$(swift build --package-path "$work" --show-bin-path)/libProbePlugin.so"
    readelf -d "$plugin" | grep -q 'NEEDED.*\[libCareKit.so\]' || { echo "compat: the plugin does not link libCareKit.so (CareKit copied in?)" >&2; return 1; }
    mkdir -p "$2" && cp "$plugin" "$2/libProbePlugin.so"
    echo "compat: $2/libProbePlugin.so"
}

build Tests/Compat/previous-release "$out"
build Tests/Compat/previous-api "$out/previous-api"
