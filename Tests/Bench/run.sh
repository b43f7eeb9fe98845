#!/usr/bin/env bash
# `make bench`: the appliance against a minimal libmicrohttpd server (Tests/Bench/reference.c), with wrk.
# Installs what is missing (wrk, libmicrohttpd-dev, curl), builds the release appliance, compiles the
# reference server and runs Tests/Bench/bench.py, which prints the figures and PASS/FAIL against the
# targets as information. Loopback only; about 2 minutes on 2 cores after the build.
#
#   Tests/Bench/run.sh [bench.py options]     e.g. --perf (profile the page), --stub (no appliance)
#   BENCH_SKIP_BUILD=1   use the release build as it is
#   BENCH_DURATION, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_WRK_THREADS, BENCH_PAGE, BENCH_POOL_THREADS,
#   BENCH_USER, BENCH_PASSWORD, BENCH_PERF=1: see `python3 Tests/Bench/bench.py --help`.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v cc >/dev/null || missing+=(gcc)
[ -f /usr/include/microhttpd.h ] || missing+=(libmicrohttpd-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}"
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

stub=0
for arg in "$@"; do [ "$arg" = "--stub" ] && stub=1; done
if [ "$stub" = 0 ] && [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    echo "bench: swift build -c release"
    start=$(date +%s)
    swift build -c release
    echo "bench: release build took $(( $(date +%s) - start )) s"
fi

mkdir -p .build/bench
cc -O2 -Wall -o .build/bench/reference Tests/Bench/reference.c -lmicrohttpd

exec python3 Tests/Bench/bench.py --reference .build/bench/reference "$@"
