# Shared by the Deploy tests: the appliance tree, a scratch directory, and plain assertions that
# print one line each and a closing "N passed, N failed" line. Source it; call `finish` at the end.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TREE=${CAREHOME_TREE:-$REPO/.build/appliance}
if [ ! -x "$TREE/bin/carehome" ]; then
    echo "no appliance tree at $TREE: run \`make build\` first (or set CAREHOME_TREE)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
SCRATCH=$(mktemp -d /tmp/carehome-deploy-test.XXXXXX)
trap 'for pid in ${BACKGROUND:-}; do kill "$pid" 2>/dev/null; done; rm -rf "$SCRATCH"' EXIT
BACKGROUND=""
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "ok   - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1"; [ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/       /' | head -20; }
check() {   # check "description" command...   (passes when the command succeeds)
    local description=$1; shift
    local output
    if output=$("$@" 2>&1); then pass "$description"; else fail "$description" "$output"; fi
}
refuses() {   # refuses "description" "expected text" command...   (passes when it fails saying that)
    local description=$1 expected=$2; shift 2
    local output
    if output=$("$@" 2>&1); then
        fail "$description (it succeeded)" "$output"
    elif ! grep -qF -- "$expected" <<<"$output"; then
        fail "$description (message lacks \"$expected\")" "$output"
    else
        pass "$description"
    fi
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

# A free TCP port on the loopback interface.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Every file and directory under $1 with its content hash, mode, owner and modification time.
manifest() {
    find "$1" -printf '%P %m %u:%g %T@ %s\n' | sort
    find "$1" -type f -printf '%P\n' | sort | (cd "$1" && xargs -r -d '\n' sha256sum)
}

# Installs the tree into a fresh prefix; prints the prefix.
install_prefix() {   # NAME [more install.sh options]
    local prefix=$SCRATCH/$1; shift
    "$REPO/Deploy/install.sh" --tree "$TREE" --prefix "$prefix" --no-apt --no-systemd "$@" > "$prefix.install.log" 2>&1 || {
        cat "$prefix.install.log" >&2; return 1; }
    echo "$prefix"
}
