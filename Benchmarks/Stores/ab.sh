#!/usr/bin/env bash
# A/B benchmark: two atpd binaries (a baseline and a candidate) making the same hold+release
# pairs (or, with --workload get, the same GET /v1/availability requests) over HTTP, with each
# store, in one run, so the ratio is what counts.
#
#   Benchmarks/Stores/ab.sh BASELINE_ATPD CANDIDATE_ATPD [--stores "memory file redis"]
#                           [--workload hold|get] [--duration 6] [--runs 3] [--connections 64]
#                           [--skus 10000]
#
# Every server (atpd, and redis-server for the redis store) is pinned to CPU 0 with
# `taskset -c 0`, and wrk to CPU 1, so each side gets one core and the client never steals the
# server's. atpd runs with --threads 1. Runs alternate per store in ABBA order (baseline first in odd runs, candidate first in even);
# the report gives the median pairs/s (requests/s for get), the median server CPU µs per request (utime+stime of atpd
# and, for redis, redis-server, from /proc, over the measured window, divided by requests), and
# the candidate ÷ baseline ratio of each. Every wait is bounded; everything started is stopped
# (trap).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
HOLD_LUA="$ROOT/Benchmarks/HTTP/hold_release.lua"
GET_LUA="$ROOT/Benchmarks/HTTP/availability.lua"

(( $# >= 2 )) || die "usage: $0 BASELINE_ATPD CANDIDATE_ATPD [--stores LIST] [--duration S] [--runs N]"
BASELINE=$1 CANDIDATE=$2
shift 2
# shellcheck disable=SC2034  # read by load_option
LOAD_OPTIONS="--duration --runs --connections --skus"
STORES="memory file redis" DURATION=6 RUNS=3 CONNECTIONS=64 SKUS=10000 WORKLOAD=hold
while (( $# )); do
  case $1 in
    --stores) STORES=$(value "$1" "$@"); shift 2 ;;
    --workload) WORKLOAD=$(value "$1" "$@"); shift 2 ;;
    *) load_option "$@" || die "unknown option $1"; shift 2 ;;
  esac
done
need_int --duration "$DURATION" 1; need_int --runs "$RUNS" 1
case $WORKLOAD in hold) LUA=$HOLD_LUA ;; get) LUA=$GET_LUA ;; *) die "--workload is hold or get, not $WORKLOAD" ;; esac
for bin in "$BASELINE" "$CANDIDATE"; do [[ -x $bin ]] || die "not an executable: $bin"; done
for tool in wrk curl taskset redis-server redis-cli; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
# shellcheck disable=SC2034  # read by stop_process
STOP_TIMEOUT=15
TMP=$(mktemp -d /tmp/atpd-ab.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do stop_process "$pid"; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# CPU ticks (utime + stime) of a process are `proc_ticks` (lib.sh), HZ of them a second.
HZ=$(getconf CLK_TCK)


# One measured run: start atpd (BIN) with STORE, seed, warm up 1 s, measure DURATION s.
# Sets RATE (pairs/s, or requests/s for get) and CPU_US (server CPU µs per request).
run_once() {
  local bin=$1 store=$2 port pid spec log=$TMP/atpd.log before after rbefore=0 rafter=0 out
  port=$(pick_port)
  case $store in
    memory) spec=memory ;;
    file) rm -rf "$TMP/file"; spec="file:$TMP/file" ;;
    redis) redis-cli -p "$REDIS_PORT" flushall >/dev/null; spec="redis://127.0.0.1:$REDIS_PORT" ;;
  esac
  taskset -c 0 "$bin" --listen "127.0.0.1:$port" --threads 1 --store "$spec" >"$log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_http atpd "http://127.0.0.1:$port/readyz" "$pid" "$log" 30
  # Seed SKUS cells with plenty of units, 5,000 events per request.
  seed_skus "http://127.0.0.1:$port" "$SKUS" 5000 1000000 "atpd ($store store)"
  timeout 10 taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d1s -s "$LUA" "http://127.0.0.1:$port" -- "$SKUS" >/dev/null 2>&1 || true
  before=$(proc_ticks "$pid")
  [[ $store == redis ]] && rbefore=$(proc_ticks "$REDIS_PID")
  out=$(timeout $(( DURATION + 20 )) taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency \
    -s "$LUA" "http://127.0.0.1:$port" -- "$SKUS" 2>&1) || die "wrk failed: $out"
  after=$(proc_ticks "$pid")
  [[ $store == redis ]] && rafter=$(proc_ticks "$REDIS_PID")
  stop_process "$pid"
  printf '%s\n' "$out" >"$TMP/wrk.out"
  local rate requests
  requests=$(awk '/ requests in / { print $1 }' "$TMP/wrk.out")
  if [[ $WORKLOAD == hold ]]; then
    rate=$(sed -n 's/^hold_release: pairs\/s=\([0-9.]*\).*/\1/p' "$TMP/wrk.out")
    grep -q 'failed=0' "$TMP/wrk.out" || warn "$store: some holds or releases failed: $(grep 'holds sent' "$TMP/wrk.out")"
  else
    rate=$(awk '/^Requests\/sec:/ { print $2 }' "$TMP/wrk.out")
    ! grep -q 'Non-2xx' "$TMP/wrk.out" || warn "$store: some GETs failed: $(grep 'Non-2xx' "$TMP/wrk.out")"
  fi
  [[ -n $rate && -n $requests && $requests -gt 0 ]] || die "could not parse wrk output: $out"
  RATE=$rate
  CPU_US=$(awk -v t=$(( after - before + rafter - rbefore )) -v hz="$HZ" -v r="$requests" \
    'BEGIN { printf "%.1f", t * 1000000 / hz / r }')
}

[[ $STORES == *redis* ]] && start_pinned_redis "$TMP/redis" --appendonly yes --appendfsync everysec
unit=$([[ $WORKLOAD == hold ]] && echo pairs/s || echo req/s)
printf '%-8s %12s %12s %8s %14s %14s %8s\n' store "base $unit" "cand $unit" ratio "base CPU µs/req" "cand CPU µs/req" ratio
for store in $STORES; do
  base_p=() base_c=() cand_p=() cand_c=()
  for (( run = 1; run <= RUNS; run++ )); do
    # ABBA order, so neither binary always runs second.
    if (( run % 2 )); then
      run_once "$BASELINE" "$store"; base_p+=("$RATE"); base_c+=("$CPU_US")
      run_once "$CANDIDATE" "$store"; cand_p+=("$RATE"); cand_c+=("$CPU_US")
    else
      run_once "$CANDIDATE" "$store"; cand_p+=("$RATE"); cand_c+=("$CPU_US")
      run_once "$BASELINE" "$store"; base_p+=("$RATE"); base_c+=("$CPU_US")
    fi
    log "$store run $run: baseline ${base_p[-1]} $unit ${base_c[-1]} µs/req, candidate ${cand_p[-1]} $unit ${cand_c[-1]} µs/req"
  done
  bp=$(median "${base_p[@]}") cp=$(median "${cand_p[@]}") bc=$(median "${base_c[@]}") cc=$(median "${cand_c[@]}")
  awk -v s="$store" -v bp="$bp" -v cp="$cp" -v bc="$bc" -v cc="$cc" \
    'BEGIN { printf "%-8s %12.0f %12.0f %7.2fx %14.1f %14.1f %7.2fx\n", s, bp, cp, cp / bp, bc, cc, cc / bc }'
done
