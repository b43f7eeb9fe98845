#!/usr/bin/env bash
# Builds the probe plugin as its author built it against the previous recorded CareKit (the commit in
# Tests/Compat/previous-release): that commit's CareKit sources and probe sources, compiled with
# library evolution. IntegrationTests/CompatibilityTests then loads the result into today's server.
#   Tests/Compat/build-previous-plugin.sh OUT_DIR     (writes OUT_DIR/libProbePlugin.so)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(realpath -m "${1:-.build/compat}")
previous=$(grep -v '^#' Tests/Compat/previous-release | head -n 1 | tr -d '[:space:]')
work=.build/compat-source
rm -rf "$work" && mkdir -p "$work" "$out"
if ! git cat-file -e "$previous^{commit}" 2>/dev/null; then
    echo "compat: the previous release $previous is not in this clone's history (a shallow clone?): fetch it with 'git fetch --unshallow'" >&2
    exit 1
fi
git archive "$previous" Sources/CareKit Tests/Fixtures/ProbePlugin | tar -x -C "$work"
rm -rf "$work/Sources/CareKit/API"   # its recorded interface, not a source
# CareKit as a package of its own, so that it is one shared library the plugin links (as in the main
# build), compiled with library evolution as that release's CareKit was meant to be.
cat > "$work/Sources/CareKit/Package.swift" <<'MANIFEST'
// swift-tools-version:6.0
// Written by Tests/Compat/build-previous-plugin.sh: the previous release's CareKit, one shared library.
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
// Written by Tests/Compat/build-previous-plugin.sh: a plugin built against the previous release's CareKit.
import PackageDescription
let package = Package(
    name: "PreviousRelease",
    products: [.library(name: "ProbePlugin", type: .dynamic, targets: ["ProbePlugin"])],
    dependencies: [.package(path: "Sources/CareKit")],
    targets: [.target(name: "ProbePlugin", dependencies: [.product(name: "CareKit", package: "CareKit")], path: "Tests/Fixtures/ProbePlugin")]
)
MANIFEST
echo "compat: building the probe plugin against CareKit at $(git log -1 --format='%h (%cs)' "$previous")"
swift build --package-path "$work" --product ProbePlugin 2>&1 | tail -n 3
plugin="$(swift build --package-path "$work" --show-bin-path)/libProbePlugin.so"
readelf -d "$plugin" | grep -q 'NEEDED.*\[libCareKit.so\]' || { echo "compat: the plugin does not link libCareKit.so (CareKit copied in?)" >&2; exit 1; }
cp "$plugin" "$out/libProbePlugin.so"
echo "compat: $out/libProbePlugin.so"
