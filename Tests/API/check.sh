#!/usr/bin/env bash
# The public APIs plugins build against, each recorded in its package's API/<Module>.swiftinterface (what
# the compiler writes for a library built with library evolution), checked against the build:
#   CareKit       the plugin SDK            Sources/CareKit       (carekitAPIVersion)
#   CareServices  the services plugins      Sources/CareServices  (careServicesAPIVersion)
#                 offer one another
#   Tests/API/check.sh            fail if an API changed without being recorded, or was recorded
#                                 without its API version and a changelog line in its package's README.md
#   Tests/API/check.sh --record   write the recorded interfaces from the build (then add the changelog line it prints)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(swift build --show-bin-path)
mode=${1:-}

# The interface without the lines that name the compiler and its flags (debug and release differ there).
normalised() { grep -v -E '^// swift-(compiler-version|module-flags)' "$1"; }

# check MODULE DIR VERSION_CONSTANT COMPILED_CONSTANT
check() {
    local module=$1 dir=$2 constant=$3 compiled_constant=$4
    local built="$bin/Modules/$module.swiftinterface" recorded="$dir/API/$module.swiftinterface" readme="$dir/README.md"
    [ -f "$built" ] || { echo "api: $built is missing: run 'make build' first" >&2; return 1; }
    local version compiled
    version=$(cat "$dir"/*.swift | sed -n "s/^public let $constant: Int32 = \([0-9]*\).*/\1/p")
    compiled=$(cat "$dir"/*.swift | grep -A1 "public var $compiled_constant" | sed -n 's/.*{ *\([0-9]*\) *}.*/\1/p')
    [ -n "$version" ] || { echo "api: no $constant in $dir" >&2; return 1; }
    [ "$version" = "$compiled" ] || { echo "api: $constant ($version) and $compiled_constant ($compiled) differ" >&2; return 1; }

    if [ "$mode" = "--record" ]; then
        local body digest
        body=$(normalised "$built")
        digest=$(printf '%s\n' "$body" | sha256sum | cut -c1-16)
        mkdir -p "$dir/API"
        { echo "// $module API $version, digest $digest (Tests/API/check.sh --record)"; printf '%s\n' "$body"; } > "$recorded"
        if grep -q -- "- API $version, digest $digest:" "$readme"; then
            echo "api: recorded $module API $version, digest $digest (already in $readme's changelog)"
        else
            echo "api: recorded $module API $version, digest $digest. Add a line to the changelog in $readme:"
            echo "  - API $version, digest $digest: <what changed, and whether it is additive or breaking>"
        fi
        return 0
    fi

    [ -f "$recorded" ] || { echo "api: no recorded API ($recorded): run Tests/API/check.sh --record" >&2; return 1; }
    if ! diff -u <(tail -n +2 "$recorded") <(normalised "$built") > ".build/api-$module.diff"; then
        echo "api: $module's public API differs from the recorded one (.build/api-$module.diff):" >&2
        head -n 40 ".build/api-$module.diff" >&2
        cat >&2 <<HELP
api: decide what the change is. Additive (a new declaration, a new requirement with a default, a new
case of a non-frozen enum): keep $constant. Anything else (a change or removal, a new case of a
@frozen enum, a new stored property of a @frozen struct): raise $constant and
$compiled_constant together. Then run Tests/API/check.sh --record and add the changelog line it prints.
HELP
        return 1
    fi
    local header recorded_version digest actual
    header=$(head -n 1 "$recorded")
    recorded_version=$(printf '%s' "$header" | sed -n "s/^\/\/ $module API \([0-9]*\), digest \([0-9a-f]*\).*/\1/p")
    digest=$(printf '%s' "$header" | sed -n "s/^\/\/ $module API \([0-9]*\), digest \([0-9a-f]*\).*/\2/p")
    actual=$(tail -n +2 "$recorded" | sha256sum | cut -c1-16)
    [ "$digest" = "$actual" ] || { echo "api: $recorded was edited by hand (digest $actual, header says $digest): record it again" >&2; return 1; }
    [ "$recorded_version" = "$version" ] || { echo "api: $module recorded for API $recorded_version, but $constant says $version: record it again" >&2; return 1; }
    grep -q -- "- API $version, digest $digest:" "$readme" || {
        echo "api: $readme has no changelog line for API $version, digest $digest" >&2; return 1; }
    echo "api: $module API $version, digest $digest, recorded and in the changelog"
}

status=0
check CareKit Sources/CareKit carekitAPIVersion carekitCompiledAPIVersion || status=1
check CareServices Sources/CareServices careServicesAPIVersion careServicesCompiledAPIVersion || status=1
exit $status
