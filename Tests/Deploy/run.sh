#!/bin/bash
# Runs every Deploy test against an appliance tree (default .build/appliance): `make test-deploy`.
#   Tests/Deploy/run.sh [TREE]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
export CAREHOME_TREE=${1:-${CAREHOME_TREE:-$HERE/../../.build/appliance}}
CAREHOME_TREE=$(cd "$CAREHOME_TREE" 2>/dev/null && pwd || echo "$CAREHOME_TREE")
passed=0 failed=0 status=0
for test in "$HERE"/test_*.sh; do
    echo "== $(basename "$test")"
    output=$("$test" 2>&1); code=$?
    echo "$output"
    summary=$(tail -n 1 <<<"$output")
    if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
    else
        failed=$((failed + 1))
    fi
    [ $code -eq 0 ] || status=1
done
echo "Deploy: $passed passed, $failed failed"
exit $status
