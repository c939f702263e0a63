#!/usr/bin/env bash
# Runs atp-load --compare (atpd vs the Redis+Lua baseline) on this machine, one invocation per
# scenario, and reports the CPU seconds atp-load, atpd and redis-server used: in the measured
# window (atp-load's own figures, from getrusage and /proc/<pid>/stat via --cpu-pid) and for the
# whole invocation (/proc/<pid>/stat before and after; atp-load's from /usr/bin/time), which
# includes warm-up, seeding and the verdict's read-back. Traffic goes to 127.0.0.1 only.
#
# usage: Benchmarks/Load/rehearse.sh [scenario ...]   (default: checkout flash-sale flash-sale-deep)
# env:   BIN=dir with atpd and atp-load (default .build/release); ATP_LOAD=another atp-load binary
#        STORE=memory | file (atpd --store; file: a fresh temporary directory; default memory)
#        DURATION=10s WARMUP=5s CONNECTIONS=64 THREADS= (atp-load --threads; empty: its default)
#        RUNS=1       repetitions of each scenario
#        ARGS="..."   more atp-load options for every run (e.g. ARGS="--rate 20000")
#        SEPARATE=1   run the two targets as two invocations instead of --compare (for an
#                     atp-load without --cpu-pid: gives its CPU per target)
#        OUT=dir for the text and JSON reports (default a temporary directory)
#        NICE=-10     run atpd, redis-server and atp-load at this nice level (root only below 0;
#                     on a machine shared with other work, so the three get the cores they ask for)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$(dirname "$0")/../.."
BIN=${BIN:-.build/release}
ATP_LOAD=${ATP_LOAD:-$BIN/atp-load}
STORE=${STORE:-memory}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-}
RUNS=${RUNS:-1}
SEPARATE=${SEPARATE:-0}
NICE=${NICE:-0}
OUT=${OUT:-$(mktemp -d /tmp/atp-rehearse.XXXXXX)}
mkdir -p "$OUT"
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(checkout flash-sale Benchmarks/Load/flash-sale-deep.json)

wait_port() {  # wait_port PORT: up to 10 s for a listener (port_answers, lib.sh)
    for _ in $(seq 1 100); do port_answers "$1" && return 0; sleep 0.1; done
    echo "port $1 never opened" >&2
    return 1
}
# CPU time is `proc_ticks` (lib.sh) in clock ticks, hz of them a second.
hz=$(getconf CLK_TCK)
secs() { awk -v t="$1" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }'; }

atpd_port=$(pick_port)
redis_port=$(pick_port "$atpd_port")
store_arg=memory
data=""
if [ "$STORE" = file ]; then data=$(mktemp -d /tmp/atp-rehearse-data.XXXXXX); store_arg="file:$data"; fi
nice -n "$NICE" "$BIN/atpd" --listen "127.0.0.1:$atpd_port" --threads 2 --store "$store_arg" >"$OUT/atpd.log" 2>&1 &
atpd_pid=$!
nice -n "$NICE" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    --dir "$OUT" >"$OUT/redis.log" 2>&1 &
redis_pid=$!
cleanup() {
    kill "$atpd_pid" "$redis_pid" 2>/dev/null || true
    wait "$atpd_pid" "$redis_pid" 2>/dev/null || true
    [ -z "$data" ] || rm -rf "$data"
}
trap cleanup EXIT
wait_port "$atpd_port"
wait_port "$redis_port"
atpd_url="http://127.0.0.1:$atpd_port"
redis_url="redis://127.0.0.1:$redis_port"
echo "atpd $atpd_url (pid $atpd_pid, --store $store_arg --threads 2); redis-server $redis_url (pid $redis_pid)"
echo "atp-load: $ATP_LOAD; nice $NICE; reports in $OUT"

common=(--connections "$CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP" --quiet)
[ -z "$THREADS" ] || common+=(--threads "$THREADS")
# shellcheck disable=SC2206
common+=(${ARGS:-})
extra=()
"$ATP_LOAD" --help | grep -q -- --cpu-pid && extra=(--cpu-pid "$atpd_pid" --cpu-pid "$redis_pid")

# run NAME ARGS...: one atp-load invocation, with the CPU each process used during all of it.
run() {
    local name=$1; shift
    local a0 r0 a1 r1 status=0
    echo
    echo "### $name ($(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg))"
    echo "\$ atp-load $*"
    a0=$(proc_ticks "$atpd_pid"); r0=$(proc_ticks "$redis_pid")
    /usr/bin/time -f "%U %S" -o "$OUT/$name.time" nice -n "$NICE" "$ATP_LOAD" "$@" >"$OUT/$name.txt" 2>"$OUT/$name.err" || status=$?
    a1=$(proc_ticks "$atpd_pid"); r1=$(proc_ticks "$redis_pid")
    cat "$OUT/$name.txt"
    echo "whole invocation (exit $status): atp-load $(awk '{ printf "%.2f", $1 + $2 }' "$OUT/$name.time") cpu-s," \
        "atpd $(secs $((a1 - a0))) cpu-s, redis-server $(secs $((r1 - r0))) cpu-s; load average after $(cut -d' ' -f1 /proc/loadavg)"
}

for round in $(seq 1 "$RUNS"); do
    for scenario in "${scenarios[@]}"; do
        label=$(basename "$scenario" .json)-$round
        if [ "$SEPARATE" = 1 ]; then
            run "$label-atpd" --target "$atpd_url" --scenario "$scenario" "${common[@]}" "${extra[@]}"
            run "$label-redis" --target "$redis_url" --scenario "$scenario" "${common[@]}" "${extra[@]}"
        else
            run "$label" --target "$atpd_url" --compare "$redis_url" --scenario "$scenario" "${common[@]}" \
                "${extra[@]}" --report-json "$OUT/$label.json"
        fi
    done
done
