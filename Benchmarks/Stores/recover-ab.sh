#!/usr/bin/env bash
# A/B recovery benchmark: two atpd binaries (a baseline and a candidate) recovering the same
# stored state, file and Redis, in one run, so the ratio is what counts.
#
#   Benchmarks/Stores/recover-ab.sh BASELINE_ATPD CANDIDATE_ATPD [--stores "file redis"]
#                                   [--cells 500000] [--runs 5]
#
# The candidate seeds each store once (CELLS `set` events over POST /v1/events, 5,000 a request,
# spread over 10 locations) and stops. Then runs alternate in ABBA order (whichever binary starts
# second recovers slower, so each goes first in every other run): each starts atpd
# (pinned to CPU 0 with `taskset -c 0`, like redis-server; the curl polling /readyz runs on
# CPU 1) on a fresh copy of the file store's directory, or on the same Redis data, and reads the
# `recovered` log line's durationMs (atpd's own measure), the time from exec to the first 200 from
# /readyz, and atpd's CPU (utime+stime) by then. The report gives medians and candidate ÷ baseline.
# Every wait is bounded; everything started is stopped (trap).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

(( $# >= 2 )) || die "usage: $0 BASELINE_ATPD CANDIDATE_ATPD [--stores LIST] [--cells N] [--runs N]"
BASELINE=$1 CANDIDATE=$2
shift 2
# shellcheck disable=SC2034  # read by load_option
LOAD_OPTIONS="--runs"
STORES="file redis" CELLS=500000 RUNS=5
while (( $# )); do
  case $1 in
    --stores) STORES=$(value "$1" "$@"); shift 2 ;;
    --cells) CELLS=$(value "$1" "$@"); shift 2 ;;
    *) load_option "$@" || die "unknown option $1"; shift 2 ;;
  esac
done
need_int --cells "$CELLS" 10; need_int --runs "$RUNS" 1
for bin in "$BASELINE" "$CANDIDATE"; do [[ -x $bin ]] || die "not an executable: $bin"; done
for tool in curl taskset redis-server redis-cli python3; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
# shellcheck disable=SC2034  # read by stop_process
STOP_TIMEOUT=30
TMP=$(mktemp -d /tmp/atpd-recover-ab.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do stop_process "$pid"; done
  rm -rf "$TMP"
}
trap cleanup EXIT
HZ=$(getconf CLK_TCK)


spec_for() {  # spec_for STORE DIR
  case $1 in
    file) printf 'file:%s' "$2" ;;
    redis) printf 'redis://127.0.0.1:%s' "$REDIS_PORT" ;;
  esac
}

# Seeds STORE with CELLS cells through the candidate, then stops it.
seed() {
  local store=$1 port pid log=$TMP/seed-$1.log
  port=$(pick_port)
  taskset -c 0 "$CANDIDATE" --listen "127.0.0.1:$port" --threads 2 --store "$(spec_for "$store" "$TMP/seed-file")" \
    >"$log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait_http atpd "http://127.0.0.1:$port/readyz" "$pid" "$log" 60
  timeout 600 python3 - "$port" "$CELLS" <<'PY'
import json, sys, urllib.request
port, cells = int(sys.argv[1]), int(sys.argv[2])
for start in range(0, cells, 5000):
    events = [{"id": f"seed-{i}", "type": "set", "sku": f"SKU-{i // 10:07d}", "location": f"L{i % 10}",
               "qty": 1000 + i % 97} for i in range(start, min(cells, start + 5000))]
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/events", json.dumps({"events": events}).encode(),
                                 {"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=60).read()
PY
  stop_process "$pid"
  (( STOP_STATUS == 0 )) || die "the seeding atpd stopped with status $STOP_STATUS"
}

# One recovery: sets LOGGED_MS (atpd's durationMs), READY_MS (exec → first 200) and CPU_MS.
run_once() {
  local bin=$1 store=$2 port pid log=$TMP/run.log dir=$TMP/run-file started now i
  rm -rf "$dir"
  [[ $store == file ]] && cp -a "$TMP/seed-file" "$dir"
  port=$(pick_port)
  started=$(date +%s%N)
  taskset -c 0 "$bin" --listen "127.0.0.1:$port" --threads 1 --store "$(spec_for "$store" "$dir")" >"$log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  for (( i = 0; i < 6000; i++ )); do
    alive "$pid" || { tail -n 20 "$log" >&2; die "atpd exited while recovering"; }
    if taskset -c 1 curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/readyz" 2>/dev/null; then break; fi
    sleep 0.01
  done
  now=$(date +%s%N)
  CPU_MS=$(awk -v t="$(proc_ticks "$pid")" -v hz="$HZ" 'BEGIN { printf "%.0f", t * 1000 / hz }')
  stop_process "$pid"
  READY_MS=$(( (now - started) / 1000000 ))
  LOGGED_MS=$(sed -n 's/.*"recovered".*"durationMs":\([0-9]*\).*/\1/p' "$log" | head -n 1)
  [[ -n $LOGGED_MS ]] || { tail -n 20 "$log" >&2; die "no recovered line in atpd's log"; }
  grep -q "\"cells\":$CELLS" "$log" || warn "$store: recovered cell count is not $CELLS: $(grep -o '"cells":[0-9]*' "$log" | head -n 1)"
}

[[ $STORES == *redis* ]] && start_pinned_redis "$TMP/redis" --appendonly no
for store in $STORES; do seed "$store"; done
printf '%-6s %10s %10s %7s %12s %12s %7s %11s %11s %7s\n' store "base ms" "cand ms" ratio \
  "base ready" "cand ready" ratio "base CPU ms" "cand CPU ms" ratio
for store in $STORES; do
  bl=() cl=() br=() cr=() bc=() cc=()
  for (( run = 1; run <= RUNS; run++ )); do
    # ABBA order: the second start of a pair runs slower (page cache, the fresh copy), so each
    # binary goes first in every other run.
    if (( run % 2 )); then
      run_once "$BASELINE" "$store"; bl+=("$LOGGED_MS"); br+=("$READY_MS"); bc+=("$CPU_MS")
      run_once "$CANDIDATE" "$store"; cl+=("$LOGGED_MS"); cr+=("$READY_MS"); cc+=("$CPU_MS")
    else
      run_once "$CANDIDATE" "$store"; cl+=("$LOGGED_MS"); cr+=("$READY_MS"); cc+=("$CPU_MS")
      run_once "$BASELINE" "$store"; bl+=("$LOGGED_MS"); br+=("$READY_MS"); bc+=("$CPU_MS")
    fi
    log "$store run $run: baseline ${bl[-1]} ms (ready ${br[-1]}, CPU ${bc[-1]}), candidate ${cl[-1]} ms (ready ${cr[-1]}, CPU ${cc[-1]})"
  done
  awk -v s="$store" -v a="$(median "${bl[@]}")" -v b="$(median "${cl[@]}")" -v c="$(median "${br[@]}")" \
    -v d="$(median "${cr[@]}")" -v e="$(median "${bc[@]}")" -v f="$(median "${cc[@]}")" \
    'BEGIN { printf "%-6s %10.0f %10.0f %6.2fx %12.0f %12.0f %6.2fx %11.0f %11.0f %6.2fx\n",
             s, a, b, b / a, c, d, d / c, e, f, f / e }'
done
