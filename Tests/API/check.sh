#!/usr/bin/env bash
# The plugin contract's public API, recorded in Sources/CareKit/API/CareKit.swiftinterface (what the
# compiler writes for a library built with library evolution), checked against the build.
#   Tests/API/check.sh            fail if the API changed without being recorded, or was recorded
#                                 without its API version and a changelog line in Sources/CareKit/README.md
#   Tests/API/check.sh --record   write the recorded interface from the build (then add the changelog line it prints)
set -euo pipefail
cd "$(dirname "$0")/../.."
built=$(swift build --show-bin-path)/Modules/CareKit.swiftinterface
recorded=Sources/CareKit/API/CareKit.swiftinterface
[ -f "$built" ] || { echo "api: $built is missing: run 'make build' first" >&2; exit 1; }

# The interface without the lines that name the compiler and its flags (debug and release differ there).
normalised() { grep -v -E '^// swift-(compiler-version|module-flags)' "$1"; }
version=$(sed -n 's/^public let carekitAPIVersion: Int32 = \([0-9]*\).*/\1/p' Sources/CareKit/CareKit.swift)
compiled=$(grep -A1 'public var carekitCompiledAPIVersion' Sources/CareKit/CareKit.swift | sed -n 's/.*{ *\([0-9]*\) *}.*/\1/p')
[ "$version" = "$compiled" ] || { echo "api: carekitAPIVersion ($version) and carekitCompiledAPIVersion ($compiled) differ" >&2; exit 1; }

if [ "${1:-}" = "--record" ]; then
    body=$(normalised "$built")
    digest=$(printf '%s\n' "$body" | sha256sum | cut -c1-16)
    { echo "// CareKit API $version, digest $digest (Tests/API/check.sh --record)"; printf '%s\n' "$body"; } > "$recorded"
    echo "api: recorded CareKit API $version, digest $digest. Add a line to the changelog in Sources/CareKit/README.md:"
    echo "  - API $version, digest $digest: <what changed, and whether it is additive or breaking>"
    exit 0
fi

[ -f "$recorded" ] || { echo "api: no recorded API ($recorded): run Tests/API/check.sh --record" >&2; exit 1; }
if ! diff -u <(tail -n +2 "$recorded") <(normalised "$built") > .build/api.diff; then
    echo "api: CareKit's public API differs from the recorded one (.build/api.diff):" >&2
    head -n 40 .build/api.diff >&2
    cat >&2 <<'HELP'
api: decide what the change is. Additive (a new declaration, a new requirement with a default, a new
case of a non-frozen enum): keep carekitAPIVersion. Anything else (a change or removal, a new case of a
@frozen enum, a new stored property of a @frozen struct): raise carekitAPIVersion and
carekitCompiledAPIVersion together. Then run Tests/API/check.sh --record and add the changelog line it prints.
HELP
    exit 1
fi
header=$(head -n 1 "$recorded")
recorded_version=$(printf '%s' "$header" | sed -n 's/^\/\/ CareKit API \([0-9]*\), digest \([0-9a-f]*\).*/\1/p')
digest=$(printf '%s' "$header" | sed -n 's/^\/\/ CareKit API \([0-9]*\), digest \([0-9a-f]*\).*/\2/p')
actual=$(tail -n +2 "$recorded" | sha256sum | cut -c1-16)
[ "$digest" = "$actual" ] || { echo "api: the recorded interface was edited by hand (digest $actual, header says $digest): record it again" >&2; exit 1; }
[ "$recorded_version" = "$version" ] || { echo "api: recorded for API $recorded_version, but CareKit says $version: record it again" >&2; exit 1; }
grep -q -- "- API $version, digest $digest:" Sources/CareKit/README.md || {
    echo "api: Sources/CareKit/README.md has no changelog line for API $version, digest $digest" >&2; exit 1; }
echo "api: CareKit API $version, digest $digest, recorded and in the changelog"
