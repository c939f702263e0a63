#!/usr/bin/env bash
# Hold-path benchmark: atpd against the "yardstick" (issue 14 item 1), the EVALSHA Lua hold a
# team writes when it does not buy atpd: read the cell, check available, HINCRBY reserved,
# SET res:<id> <qty> PX <ttl>. See README.md beside this file for what every row is.
#
# Every server (atpd, nginx, redis-server) runs under `taskset -c 0`, every load client (wrk,
# redis-benchmark) under `taskset -c 1`. Every row is measured --rounds times for --duration
# seconds, each time on freshly started servers; the report shows each row's best round.
#
# Every wait is bounded (wrk and redis-benchmark by hard timeouts, start-up by fixed timeouts,
# curl by --max-time); everything started is stopped by the EXIT trap. Exit status 0 whatever
# the figures (it is a measurement); non-zero only when the benchmark itself could not run.
set -euo pipefail
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
HOLD_LUA="$HERE/hold.lua"
GET_LUA="$ROOT/Benchmarks/HTTP/availability.lua"

# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------
DURATION=6                 # seconds per measured load run
ROUNDS=2                   # rounds; each row's best round is reported
CONNECTIONS=64             # wrk connections, and redis-benchmark clients
WRK_THREADS=1              # wrk threads (all on CPU 1)
SKUS=10000                 # cells seeded everywhere, drawn from at random
WARMUP=2                   # seconds of unrecorded load before every measured run
TTL=2                      # hold ttl in seconds (atpd ttlSeconds; the Lua record's PX)
ATPD_THREADS_LIST="1 2"    # atpd --threads values, one row each
ROWS="get memory redis redis-idem file"
FILE_DIR=""                # parent of the file store's directory (default: the temp dir)
OUT_DIR=""                 # keep raw outputs there
ATPD=${ATPD_BIN:-$ROOT/.build/release/atpd}

UNITS=1000000              # onHand of every cell
SEED_BATCH=5000            # events per POST /v1/events
READY_TIMEOUT=30           # seconds for atpd's /readyz
# shellcheck disable=SC2034  # read by stop_process in lib.sh
STOP_TIMEOUT=15
TARGET_MEMORY=1.8          # atpd memory holds/s >= 1.8 x Lua hold with record (no AOF)
TARGET_DURABLE=1.3         # atpd redis-store holds/s >= 1.3 x Lua hold with record (AOF everysec)
TARGET_IDEM=1.1            # the same with an Idempotency-Key on every hold
TARGET_GET=1.0             # atpd GET req/s >= 1.0 x nginx
TARGET_GET_P99=1.5         # atpd GET p99 <= 1.5 x nginx's

usage() {
  cat <<EOF
Usage: Benchmarks/HoldPath/run.sh [options]

atpd's hold path against the Lua yardstick (EVALSHA: HMGET, check, HINCRBY reserved,
SET res:<id> PX ttl), pinned: servers on CPU 0, wrk / redis-benchmark on CPU 1. Rows:
  get         GET /v1/availability, atpd (memory store) vs nginx 'return 200' (1 worker)
  memory      holds on atpd --store memory vs the Lua hold with its record, and the bare
              check-and-hold script, on redis-server without AOF
  redis       holds on atpd --store redis:// (atpd and redis-server both on CPU 0,
              appendonly yes, appendfsync everysec) vs the Lua hold with its record on its own
              redis-server with the same AOF policy
  redis-idem  the same with a unique Idempotency-Key on every hold
  file        holds on atpd --store file:<dir> (compared with the AOF Lua row)

Options:
  --duration SECONDS   measured load per run (default $DURATION)
  --rounds N           rounds, best round per row reported (default $ROUNDS; --runs is the same)
  --connections N      wrk connections and redis-benchmark clients (default $CONNECTIONS)
  --skus N             cells seeded in every server (default $SKUS, at most 999999)
  --threads "LIST"     atpd --threads values, one row each (default "$ATPD_THREADS_LIST")
  --rows "LIST"        rows to run (default "$ROWS")
  --warmup SECONDS     unrecorded load before every measured run (default $WARMUP)
  --ttl SECONDS        hold ttl on both sides (default $TTL)
  --wrk-threads N      wrk threads (default $WRK_THREADS)
  --atpd PATH          atpd binary (default \$ATPD_BIN or .build/release/atpd)
  --file-dir DIR       put the file store under DIR (default: the temp dir; say which disk)
  --out DIR            keep raw outputs (wrk, redis-benchmark, /metrics, INFO) in DIR
  -h, --help           this text

Targets (PASS/FAIL printed, exit status 0 either way): holds memory >= ${TARGET_MEMORY}x Lua with
record; durable (redis store) >= ${TARGET_DURABLE}x; with Idempotency-Key >= ${TARGET_IDEM}x; GET >= ${TARGET_GET}x nginx
and p99 <= ${TARGET_GET_P99}x nginx's.
EOF
}

while (( $# > 0 )); do
  case $1 in
    --rounds|--runs) ROUNDS=$(value "$1" "$@"); shift 2 ;;
    --threads) ATPD_THREADS_LIST=$(value "$1" "$@"); shift 2 ;;
    --rows) ROWS=$(value "$1" "$@"); shift 2 ;;
    --ttl) TTL=$(value "$1" "$@"); shift 2 ;;
    --wrk-threads) WRK_THREADS=$(value "$1" "$@"); shift 2 ;;
    --atpd) ATPD=$(value "$1" "$@"); shift 2 ;;
    --file-dir) FILE_DIR=$(value "$1" "$@"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) load_option "$@" || { usage >&2; die "unknown option '$1'"; }; shift 2 ;;
  esac
done
need_int --duration "$DURATION" 1
need_int --rounds "$ROUNDS" 1
need_int --connections "$CONNECTIONS" 1
need_int --skus "$SKUS" 1
need_int --warmup "$WARMUP" 0
need_int --ttl "$TTL" 1
need_int --wrk-threads "$WRK_THREADS" 1
(( SKUS <= 999999 )) || die "--skus must be <= 999999 (skus are named SKU-%06d)"
(( CONNECTIONS >= WRK_THREADS )) || die "--connections must be >= --wrk-threads (wrk requires it)"
read -r -a ATPD_THREADS <<<"$ATPD_THREADS_LIST"
(( ${#ATPD_THREADS[@]} > 0 )) || die "--threads needs at least one value"
for t in "${ATPD_THREADS[@]}"; do need_int --threads "$t" 1; done
read -r -a ROW_LIST <<<"$ROWS"
(( ${#ROW_LIST[@]} > 0 )) || die "--rows needs at least one row"
for r in "${ROW_LIST[@]}"; do
  case $r in get|memory|redis|redis-idem|file) ;; *) die "unknown row '$r' (get memory redis redis-idem file)" ;; esac
done
has_row() { [[ " ${ROW_LIST[*]} " == *" $1 "* ]]; }

for tool in wrk curl taskset redis-server redis-cli redis-benchmark; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
if has_row get; then
  NGINX=$(command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true)
  [[ -n $NGINX ]] || die "nginx is not installed (needed by the get row)"
fi
[[ -x $ATPD ]] || die "atpd binary not found at $ATPD (build: swift build -c release --product atpd; or --atpd PATH)"
[[ -r $HOLD_LUA && -r $GET_LUA ]] || die "the wrk scripts $HOLD_LUA / $GET_LUA are missing"
(( $(nproc) >= 2 )) || warn "fewer than 2 CPUs: CPU 1 does not exist, taskset -c 1 will fail"

HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
TTL_MS=$(( TTL * 1000 ))

# ---------------------------------------------------------------------------------------------
# Processes and cleanup
# ---------------------------------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/atpd-holdpath.XXXXXX")
[[ -n $FILE_DIR ]] || FILE_DIR=$TMP
mkdir -p "$FILE_DIR" || die "cannot create --file-dir $FILE_DIR"
FILE_FS=$(df -PT "$FILE_DIR" 2>/dev/null | awk 'NR == 2 { print $2 }')
PIDS=()            # redis-servers (start_pinned_redis adds to it)
ATPD_PID="" NGINX_PID="" LOAD_PID="" REDIS_PID="" REDIS_PORT=""
FILE_STORES=()     # file-store directories to remove (they may be outside $TMP)

untrack() {  # untrack PID: drop it from PIDS once stopped, so that a reused pid is never signalled
  local p keep=()
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# shellcheck disable=SC2317  # run by the EXIT trap that install_cleanup (lib.sh) sets
cleanup() {
  local rc=$? pid d
  trap - EXIT INT TERM
  if [[ -n $LOAD_PID ]] && alive "$LOAD_PID"; then
    kill -TERM "$LOAD_PID" 2>/dev/null || true
    wait "$LOAD_PID" 2>/dev/null || true
  fi
  [[ -z $ATPD_PID ]] || stop_process "$ATPD_PID"
  [[ -z $NGINX_PID ]] || stop_process "$NGINX_PID"
  for pid in "${PIDS[@]}"; do stop_process "$pid"; done
  keep_outputs "$OUT_DIR"
  for d in "${FILE_STORES[@]}"; do rm -rf "$d"; done
  rm -rf "$TMP"
  exit "$rc"
}
install_cleanup

# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------
rcli() { timeout -k 2 30 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

start_redis() {  # start_redis DIR AOF(yes|no)
  start_pinned_redis "$1" --appendonly "$2" --appendfsync everysec --protected-mode yes
  local got
  got=$(rcli CONFIG GET appendonly | tail -n1)
  [[ $got == "$2" ]] || die "redis-server reports appendonly '$got', expected '$2'"
  REDIS_VERSION=$(rcli INFO server | tr -d '\r' | awk -F: '$1 == "redis_version" { print $2 }')
}

stop_redis() {
  [[ -n $REDIS_PID ]] || return 0
  stop_process "$REDIS_PID"
  untrack "$REDIS_PID"
  REDIS_PID="" REDIS_PORT=""
}

start_atpd() {  # start_atpd THREADS STORE_SPEC LOG
  local port
  port=$(pick_port "$REDIS_PORT")
  ATPD_URL="http://127.0.0.1:$port"
  taskset -c 0 "$ATPD" --listen "127.0.0.1:$port" --threads "$1" --store "$2" >"$3" 2>&1 &
  ATPD_PID=$!
  wait_http atpd "$ATPD_URL/readyz" "$ATPD_PID" "$3" "$READY_TIMEOUT"
}

stop_atpd() {  # stop_atpd LOG
  [[ -n $ATPD_PID ]] || return 0
  stop_process "$ATPD_PID"
  ATPD_PID=""
  if [[ $STOP_STATUS != 0 ]]; then
    warn "atpd exited with status $STOP_STATUS after SIGTERM (expected 0); log tail:"
    tail -n 10 "$1" >&2 2>/dev/null || true
  fi
}

# nginx: one worker on CPU 0, answering GET /v1/availability with BODY (an availability answer
# padded with JSON whitespace to the size of atpd's).
start_nginx() {  # start_nginx BODY
  local port
  port=$(pick_port)
  NGINX_URL="http://127.0.0.1:$port"
  [[ $1 != *[\'\$\\]* ]] || die "nginx body must not contain quote, dollar or backslash"
  write_nginx_conf 1 "$port" "
        location = /v1/availability {
            types { }
            default_type application/json;
            return 200 '$1';
        }
        location / { return 404; }"
  "$NGINX" -t -q -e "$TMP/nginx-error.log" -p "$TMP" -c "$TMP/nginx.conf" >"$TMP/nginx.out" 2>&1 \
    || { cat "$TMP/nginx.out" "$TMP/nginx-error.log" >&2 2>/dev/null; die "nginx rejected its config"; }
  taskset -c 0 "$NGINX" -e "$TMP/nginx-error.log" -p "$TMP" -c "$TMP/nginx.conf" >>"$TMP/nginx.out" 2>&1 &
  NGINX_PID=$!
  wait_http nginx "$NGINX_URL/v1/availability?sku=SKU-000001" "$NGINX_PID" "$TMP/nginx-error.log" 10
}

stop_nginx() {
  [[ -n $NGINX_PID ]] || return 0
  stop_process "$NGINX_PID"
  NGINX_PID=""
}

# utime+stime of nginx's master and its workers.
nginx_ticks() {
  local p t=0 kids
  kids=$(cat /proc/"$NGINX_PID"/task/*/children 2>/dev/null || true)
  for p in $NGINX_PID $kids; do
    [[ -r /proc/$p/stat ]] || continue
    (( t += $(proc_ticks "$p") )) || true
  done
  echo "$t"
}

# ---------------------------------------------------------------------------------------------
# Load generators, on CPU 1. Both run in the background so that the trap can stop them.
# ---------------------------------------------------------------------------------------------
run_wrk() {  # run_wrk OUT SECONDS URL SCRIPT [SCRIPT_ARGS…]
  local out=$1 secs=$2 url=$3 script=$4 status=0
  shift 4
  timeout -k 5 $(( secs + 30 )) taskset -c 1 wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${secs}s" \
    --latency -s "$script" "$url" -- "$@" >"$out" 2>&1 &
  LOAD_PID=$!
  wait "$LOAD_PID" || status=$?
  LOAD_PID=""
  if (( status != 0 )) || ! grep -q '^Requests/sec:' "$out"; then
    cat "$out" >&2
    die "wrk failed (status $status) or printed no Requests/sec against $url"
  fi
}

run_rb() {  # run_rb OUT N COMMAND…: redis-benchmark, CONNECTIONS clients, -r SKUS, --csv
  local out=$1 n=$2 status=0
  shift 2
  timeout -k 5 $(( DURATION * 6 + WARMUP * 6 + 30 )) taskset -c 1 redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" \
    -c "$CONNECTIONS" -n "$n" -r "$SKUS" --csv "$@" >"$out" 2>&1 &
  LOAD_PID=$!
  wait "$LOAD_PID" || status=$?
  LOAD_PID=""
  if (( status != 0 )) || ! grep -q '^"EVALSHA' "$out"; then
    cat "$out" >&2
    die "redis-benchmark failed (status $status) or printed no EVALSHA line"
  fi
}

# redis-benchmark --csv: "RPS P50_US P99_US" (columns test,rps,avg,min,p50,p95,p99,max; ms).
parse_rb() {
  grep '^"EVALSHA' "$1" | tail -n1 | tr -d '"' | awk -F, '{ printf "%s %.1f %.1f\n", $2, $5 * 1000, $7 * 1000 }'
}

# ---------------------------------------------------------------------------------------------
# Measurement windows: a snapshot before and after the measured load of everything the row's
# servers show. PREFIX.* files.
# ---------------------------------------------------------------------------------------------
snapshot() {  # snapshot PREFIX
  local p=$1
  awk '$1 == "cpu0" || $1 == "cpu1" { t = 0; for (i = 2; i <= NF; i++) t += $i; print $1, t - $5 - $6, t }' /proc/stat >"$p.cpus"
  if [[ -n $ATPD_PID ]]; then
    proc_ticks "$ATPD_PID" >"$p.atpd-ticks"
    comm_ticks "$ATPD_PID" >"$p.atpd-threads"
    curl -fsS --max-time 5 -o "$p.metrics" "$ATPD_URL/metrics" || die "GET /metrics on atpd failed"
  fi
  if [[ -n $REDIS_PID ]]; then
    proc_ticks "$REDIS_PID" >"$p.redis-ticks"
    comm_ticks "$REDIS_PID" >"$p.redis-threads"
    rcli INFO commandstats | tr -d '\r' >"$p.cmdstats"
    rcli INFO stats | tr -d '\r' >"$p.stats"
  fi
  if [[ -n $NGINX_PID ]]; then
    nginx_ticks >"$p.nginx-ticks"
  fi
}

# Busy share of CPU 0 (servers) and CPU 1 (load) over the window, from /proc/stat: "C0% C1%".
# Anything else running on the machine counts too.
cpu_busy() {  # cpu_busy BEFORE AFTER
  awk 'FNR == 1 { f++ } { if (f == 1) { b[$1] = $2; t[$1] = $3 } else { db[$1] = $2 - b[$1]; dt[$1] = $3 - t[$1] } }
    END { printf "%.0f %.0f\n", (dt["cpu0"] > 0 ? 100 * db["cpu0"] / dt["cpu0"] : 0), (dt["cpu1"] > 0 ? 100 * db["cpu1"] / dt["cpu1"] : 0) }' "$1" "$2"
}

# µs of CPU per op between two tick readings.
us_per_op() {  # us_per_op BEFORE_FILE AFTER_FILE OPS
  awk -v hz="$HZ" -v n="$3" 'FNR == 1 { f++ } f == 1 { b = $1 } f == 2 { a = $1 }
    END { if (n > 0) printf "%.1f", (a - b) * 1000000 / hz / n; else print "-" }' "$1" "$2"
}

# Per thread name: "NAME=US_PER_OP NAME=…", busiest first, names under 0.05 µs/op left out.
threads_per_op() {  # threads_per_op BEFORE AFTER OPS
  awk -F'\t' -v hz="$HZ" -v n="$3" '
    FNR == 1 { f++ }
    f == 1 { b[$1] = $2; next }
    { d = $2 - b[$1]; if (d > 0 && n > 0) { v = d * 1000000 / hz / n; if (v >= 0.05) t[$1] = v } }
    END {
      m = 0; for (k in t) names[++m] = k
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (t[names[j]] > t[names[i]]) { x = names[i]; names[i] = names[j]; names[j] = x }
      line = ""; for (i = 1; i <= m; i++) { nm = names[i]; gsub(/ /, "_", nm); line = line (i > 1 ? " " : "") nm "=" sprintf("%.1f", t[names[i]]) }
      print (line == "" ? "-" : line)
    }' "$1" "$2"
}

# INFO commandstats deltas per op: "TOTAL CMD=N CMD=N…" (INFO itself left out; commands under
# 0.005 per op left out of the list but counted in TOTAL).
cmds_per_op() {  # cmds_per_op BEFORE AFTER OPS
  awk -F'[:,=]' -v n="$3" '
    FNR == 1 { f++ }
    $1 ~ /^cmdstat_/ {
      c = $1; sub(/^cmdstat_/, "", c); if (c == "info") next
      for (i = 2; i < NF; i += 2) if ($i == "calls") v = $(i + 1)
      if (f == 1) b[c] = v; else a[c] = v
    }
    END {
      total = 0; m = 0
      for (c in a) { d = a[c] - b[c]; if (d > 0) { total += d; if (n > 0 && d / n >= 0.005) { t[c] = d / n; names[++m] = c } } }
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (t[names[j]] > t[names[i]]) { x = names[i]; names[i] = names[j]; names[j] = x }
      line = ""; for (i = 1; i <= m; i++) line = line " " names[i] "=" sprintf("%.2f", t[names[i]])
      printf "%s%s\n", (n > 0 ? sprintf("%.2f", total / n) : "-"), (line == "" ? " -" : line)
    }' "$1" "$2"
}

# Calls of one command between two INFO commandstats readings.
cmd_calls() {  # cmd_calls BEFORE AFTER COMMAND
  awk -F'[:,=]' -v want="cmdstat_$3" '
    FNR == 1 { f++ }
    $1 == want { for (i = 2; i < NF; i += 2) if ($i == "calls") v = $(i + 1); if (f == 1) b = v; else a = v }
    END { print a - b }' "$1" "$2"
}

# A field of INFO stats, as a difference.
stat_delta() {  # stat_delta BEFORE AFTER FIELD
  awk -F: -v k="$3" 'FNR == 1 { f++ } $1 == k { if (f == 1) b = $2; else a = $2 } END { print a - b }' "$1" "$2"
}

# From two /metrics scrapes: "BATCHES RECORDS HIST" where HIST is a batch-size histogram's p50
# bucket bound and mean (only if atpd exports one: a *_bucket family whose name has "batch" or
# "commit"), "n/a" otherwise; "- - n/a" for a store without batch counters (memory).
batch_figures() {  # batch_figures BEFORE AFTER
  awk '
    FNR == 1 { f++ }
    /^#/ { next }
    $1 == "atpd_store_batches_total" { if (f == 1) bb = $2; else { ab = $2; seen = 1 } }
    $1 == "atpd_store_records_total" { if (f == 1) br = $2; else ar = $2 }
    {
      name = $1; sub(/\{.*/, "", name)
      if (name ~ /^atpd_.*(batch|commit).*_bucket$/) {
        if (fam == "") fam = name
        if (name != fam) next
        le = $1; if (le !~ /le="/) next
        sub(/.*le="/, "", le); sub(/".*/, "", le)
        if (f == 1) hb[le] = $NF; else { ha[le] = $NF; les[le] = 1 }
      }
      base = fam; sub(/_bucket$/, "", base)
      if (fam != "" && name == base "_sum") { if (f == 1) hsb = $NF; else hsa = $NF }
      if (fam != "" && name == base "_count") { if (f == 1) hcb = $NF; else hca = $NF }
    }
    END {
      out = (seen ? sprintf("%d %d", ab - bb, ar - br) : "- -")
      hist = "n/a"
      if (fam != "") {
        total = hca - hcb
        if (total > 0) {
          m = 0; for (l in les) { keys[++m] = l }
          for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) {
            x = (keys[i] == "+Inf") ? 1e300 : keys[i] + 0; y = (keys[j] == "+Inf") ? 1e300 : keys[j] + 0
            if (y < x) { t = keys[i]; keys[i] = keys[j]; keys[j] = t } }
          for (i = 1; i <= m; i++) if (ha[keys[i]] - hb[keys[i]] >= total / 2) { p50 = keys[i]; break }
          hist = sprintf("%s:p50<=%s,mean=%.1f", fam, p50, (hsa - hsb) / total)
        } else hist = fam ":empty"
      }
      print out, hist
    }' "$1" "$2"
}

# ---------------------------------------------------------------------------------------------
# Results: one entry per row KEY and round, "KEY#ROUND"
# ---------------------------------------------------------------------------------------------
declare -A LABEL=() RATE=() P50=() P99=() OPS=() CPU_A=() CPU_R=() CPU_N=() THR_A=() THR_R=() \
  CMDS=() BUSY=() BYTES_IN=() BYTES_OUT=() BATCHES=() RECORDS=() HIST=() FAILS=() FIRST_FAIL=()
KEYS=()   # row keys in report order

add_key() {  # add_key KEY LABEL
  [[ " ${KEYS[*]} " == *" $1 "* ]] || KEYS+=("$1")
  LABEL[$1]=$2
}

# Everything measured between the two snapshots of PREFIX for KEY#ROUND; OPS are the operations
# (successful holds, or requests for get) the load generator completed in the window.
record() {  # record KEY ROUND PREFIX OPS
  local k="$1#$2" p=$3 n=$4 tot rest b r h
  OPS[$k]=$n
  BUSY[$k]=$(cpu_busy "$p.before.cpus" "$p.after.cpus")
  CPU_A[$k]=- CPU_R[$k]=- CPU_N[$k]=- THR_A[$k]=- THR_R[$k]=- CMDS[$k]=- BYTES_IN[$k]=- BYTES_OUT[$k]=-
  BATCHES[$k]=- RECORDS[$k]=- HIST[$k]=-
  if [[ -f $p.before.atpd-ticks ]]; then
    CPU_A[$k]=$(us_per_op "$p.before.atpd-ticks" "$p.after.atpd-ticks" "$n")
    THR_A[$k]=$(threads_per_op "$p.before.atpd-threads" "$p.after.atpd-threads" "$n")
    read -r b r h < <(batch_figures "$p.before.metrics" "$p.after.metrics")
    BATCHES[$k]=$b RECORDS[$k]=$r HIST[$k]=$h
  fi
  if [[ -f $p.before.redis-ticks ]]; then
    CPU_R[$k]=$(us_per_op "$p.before.redis-ticks" "$p.after.redis-ticks" "$n")
    THR_R[$k]=$(threads_per_op "$p.before.redis-threads" "$p.after.redis-threads" "$n")
    read -r tot rest < <(cmds_per_op "$p.before.cmdstats" "$p.after.cmdstats" "$n")
    CMDS[$k]="$tot $rest"
    BYTES_IN[$k]=$(awk -v d="$(stat_delta "$p.before.stats" "$p.after.stats" total_net_input_bytes)" -v n="$n" \
      'BEGIN { printf "%.0f", (n > 0 ? d / n : 0) }')
    BYTES_OUT[$k]=$(awk -v d="$(stat_delta "$p.before.stats" "$p.after.stats" total_net_output_bytes)" -v n="$n" \
      'BEGIN { printf "%.0f", (n > 0 ? d / n : 0) }')
  fi
  if [[ -f $p.before.nginx-ticks ]]; then
    CPU_N[$k]=$(us_per_op "$p.before.nginx-ticks" "$p.after.nginx-ticks" "$n")
  fi
}

# ---------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------
ATPD_GET_BYTES=""  # size of atpd's GET answer, measured on the first get run, copied by nginx

# One hold by hand (with IDEM, twice with the same key: the second must be a replay), so a broken
# write path stops the benchmark with a clear message rather than a table of failures.
check_hold() {  # check_hold IDEM
  local code body='{"lines":[{"sku":"SKU-000001","location":"DC1","qty":1}],"ttlSeconds":'"$TTL"'}'
  local hdr=()
  (( $1 )) && hdr=(-H 'Idempotency-Key: hp-check-1')
  code=$(curl -sS --max-time 5 -o "$TMP/hold.out" -w '%{http_code}' -H 'Content-Type: application/json' \
    "${hdr[@]}" --data-binary "$body" "$ATPD_URL/v1/reservations") || code=000
  [[ $code == 201 ]] || die "hold check: POST /v1/reservations answered HTTP $code: $(head -c 300 "$TMP/hold.out")"
  if (( $1 )); then
    code=$(curl -sS --max-time 5 -D "$TMP/hold.hdr" -o "$TMP/hold.out" -w '%{http_code}' \
      -H 'Content-Type: application/json' "${hdr[@]}" --data-binary "$body" "$ATPD_URL/v1/reservations") || code=000
    [[ $code == 201 ]] || die "idempotent replay check answered HTTP $code: $(head -c 300 "$TMP/hold.out")"
    grep -qi '^Idempotent-Replayed: *true' "$TMP/hold.hdr" \
      || warn "the repeated hold with the same Idempotency-Key carried no 'Idempotent-Replayed: true'"
  fi
}

# atpd row: ROW is get|memory|redis|redis-idem|file, on --threads T, round R.
run_atpd_row() {  # run_atpd_row ROW T R
  local row=$1 t=$2 r=$3 key="$1-t$2" name="$1-t$2-r$3" spec idem=0 log p out fails first store_dir=""
  local rate p50 p99 non2xx sock requests ops hfail replayed
  p="$TMP/$name" log="$TMP/$name.atpd.log"
  case $row in
    get|memory) spec=memory ;;
    redis|redis-idem)
      start_redis "$TMP/$name.redis" yes
      spec="redis://127.0.0.1:$REDIS_PORT" ;;
    file)
      store_dir="$FILE_DIR/atpd-holdpath-$name.store"
      rm -rf "$store_dir"; FILE_STORES+=("$store_dir")
      spec="file:$store_dir" ;;
  esac
  [[ $row == redis-idem ]] && idem=1
  start_atpd "$t" "$spec" "$log"
  seed_skus "$ATPD_URL" "$SKUS" "$SEED_BATCH" "$UNITS" "atpd ($row, --threads $t)"
  if [[ $row == get ]]; then
    local size code
    read -r size code < <(curl -sS --max-time 5 -o "$TMP/get.out" -w '%{size_download} %{http_code}\n' \
      "$ATPD_URL/v1/availability?sku=SKU-000001") || die "GET availability on atpd failed"
    [[ $code == 200 ]] || die "GET availability on atpd answered HTTP $code"
    grep -q "\"available\":$UNITS" "$TMP/get.out" || die "atpd does not report $UNITS for SKU-000001: $(head -c 200 "$TMP/get.out")"
    [[ -n $ATPD_GET_BYTES ]] || ATPD_GET_BYTES=$size
    (( WARMUP == 0 )) || run_wrk "$p.warmup.txt" "$WARMUP" "$ATPD_URL/v1/availability?sku=SKU-000001" "$GET_LUA" "$SKUS"
    snapshot "$p.before"
    run_wrk "$p.wrk.txt" "$DURATION" "$ATPD_URL/v1/availability?sku=SKU-000001" "$GET_LUA" "$SKUS"
    snapshot "$p.after"
    out="$p.wrk.txt"
    read -r rate p50 p99 non2xx sock requests < <(parse_wrk "$out") || die "could not parse $out"
    fails=$(( non2xx + sock )) first=""
    ops=$requests
  else
    check_hold "$idem"
    (( WARMUP == 0 )) || run_wrk "$p.warmup.txt" "$WARMUP" "$ATPD_URL" "$HOLD_LUA" "$SKUS" "$TTL" "$idem" "$name-warm"
    snapshot "$p.before"
    run_wrk "$p.wrk.txt" "$DURATION" "$ATPD_URL" "$HOLD_LUA" "$SKUS" "$TTL" "$idem" "$name"
    snapshot "$p.after"
    out="$p.wrk.txt"
    read -r _ p50 p99 _ sock _ < <(parse_wrk "$out") || die "could not parse $out"
    rate=$(sed -n 's/^holdpath: holds\/s=\([0-9.]*\).*/\1/p' "$out")
    read -r ops hfail replayed < <(sed -n 's/^holdpath: holds sent=[0-9]* ok=\([0-9]*\) failed=\([0-9]*\) replayed=\([0-9]*\).*/\1 \2 \3/p' "$out")
    [[ -n $rate && -n $ops ]] || { cat "$out" >&2; die "hold.lua printed no summary"; }
    fails=$(( hfail + sock + replayed ))
    first=$(sed -n 's/^holdpath: first failure: //p' "$out")
  fi
  check_alive atpd "$ATPD_PID" "$log" ATPD_PID
  [[ -z $REDIS_PID ]] || check_alive redis-server "$REDIS_PID" "$TMP/$name.redis/redis.log" REDIS_PID
  stop_atpd "$log"
  stop_redis
  [[ -z $store_dir ]] || { FILE_BYTES=$(du -sb "$store_dir" 2>/dev/null | cut -f1 || true); rm -rf "$store_dir"; }
  RATE[$key#$r]=$rate P50[$key#$r]=$p50 P99[$key#$r]=$p99 FAILS[$key#$r]=$fails FIRST_FAIL[$key#$r]=$first
  record "$key" "$r" "$p" "$ops"
  printf '    %-22s %10.0f /s  p50 %8.1f us  p99 %9.1f us  atpd %s us/op  redis %s us/op  failures %s\n' \
    "$key" "$rate" "$p50" "$p99" "${CPU_A[$key#$r]}" "${CPU_R[$key#$r]}" "$fails" >&2
}

run_nginx_row() {  # run_nginx_row R
  local r=$1 key=nginx p="$TMP/nginx-r$1" json='{"items":[{"sku":"SKU-000001","available":1000000}]}' body pad size
  local rate p50 p99 non2xx sock requests
  pad=$(( ${ATPD_GET_BYTES:-${#json}} - ${#json} ))
  (( pad >= 0 )) || pad=0
  body=$(printf '%s%*s' "$json" "$pad" '')
  start_nginx "$body"
  size=$(curl -sS --max-time 5 -o /dev/null -w '%{size_download}' "$NGINX_URL/v1/availability?sku=SKU-000001") \
    || die "GET on nginx failed"
  NGINX_BYTES=$size
  (( WARMUP == 0 )) || run_wrk "$p.warmup.txt" "$WARMUP" "$NGINX_URL/v1/availability?sku=SKU-000001" "$GET_LUA" "$SKUS"
  snapshot "$p.before"
  run_wrk "$p.wrk.txt" "$DURATION" "$NGINX_URL/v1/availability?sku=SKU-000001" "$GET_LUA" "$SKUS"
  snapshot "$p.after"
  check_alive nginx "$NGINX_PID" "$TMP/nginx-error.log" NGINX_PID
  stop_nginx
  read -r rate p50 p99 non2xx sock requests < <(parse_wrk "$p.wrk.txt") || die "could not parse $p.wrk.txt"
  RATE[$key#$r]=$rate P50[$key#$r]=$p50 P99[$key#$r]=$p99 FAILS[$key#$r]=$(( non2xx + sock )) FIRST_FAIL[$key#$r]=""
  record "$key" "$r" "$p" "$requests"
  printf '    %-22s %10.0f /s  p50 %8.1f us  p99 %9.1f us  nginx %s us/op  failures %s\n' \
    "$key" "$rate" "$p50" "$p99" "${CPU_N[$key#$r]}" "${FAILS[$key#$r]}" >&2
}

# The yardstick. KEYS[1] the cell hash {onHand, reserved}, KEYS[2] the id counter; ARGV[1] qty,
# ARGV[2] ttl in ms. Returns the hold's id, 0 if not enough is available, -1 for no such cell.
LUA_RECORD="local c = redis.call('HMGET', KEYS[1], 'onHand', 'reserved')
if not c[1] then return -1 end
local q = tonumber(ARGV[1])
if tonumber(c[1]) - tonumber(c[2] or 0) < q then return 0 end
redis.call('HINCRBY', KEYS[1], 'reserved', q)
local id = redis.call('INCR', KEYS[2])
redis.call('SET', 'hp:res:' .. id, q, 'PX', ARGV[2])
return id"
# The bare check-and-hold: the same without the record (and without the id).
LUA_BARE="local c = redis.call('HMGET', KEYS[1], 'onHand', 'reserved')
if not c[1] then return -1 end
local q = tonumber(ARGV[1])
if tonumber(c[1]) - tonumber(c[2] or 0) < q then return 0 end
redis.call('HINCRBY', KEYS[1], 'reserved', q)
return 1"
LUA_SEED="for i = 0, tonumber(ARGV[1]) - 1 do
  redis.call('HSET', 'hp:cell:' .. string.format('%012d', i), 'onHand', ARGV[2], 'reserved', 0)
end
return tonumber(ARGV[1])"
declare -A LUA_RATE=()  # last measured EVALSHA/s per Lua row, to size the next run's -n

# Lua row: VARIANT record|bare, AOF yes|no, round R.
run_lua_row() {  # run_lua_row KEY VARIANT AOF R
  local key=$1 variant=$2 aof=$3 r=$4 name="$1-r$4" p n sha rate p50 p99 calls hincr failed args=()
  p="$TMP/$name"
  start_redis "$TMP/$name.redis" "$aof"
  [[ $(rcli EVAL "$LUA_SEED" 0 "$SKUS" "$UNITS") == "$SKUS" ]] || die "seeding the Lua cells failed"
  if [[ $variant == record ]]; then
    sha=$(rcli SCRIPT LOAD "$LUA_RECORD")
    args=(EVALSHA "$sha" 2 "hp:cell:__rand_int__" hp:seq 1 "$TTL_MS")
    [[ $(rcli EVALSHA "$sha" 2 hp:cell:000000000000 hp:seq 1 "$TTL_MS") == 1 ]] || die "Lua hold check failed"
  else
    sha=$(rcli SCRIPT LOAD "$LUA_BARE")
    args=(EVALSHA "$sha" 1 "hp:cell:__rand_int__" 1)
    [[ $(rcli EVALSHA "$sha" 1 hp:cell:000000000000 1) == 1 ]] || die "Lua hold check failed"
  fi
  # Size -n so that a run lasts about its duration: from the last run of this row, else from a
  # short calibration run (also a warm-up).
  rate=${LUA_RATE[$key]:-}
  if [[ -z $rate ]]; then
    run_rb "$p.calibrate.csv" 20000 "${args[@]}"
    read -r rate _ _ < <(parse_rb "$p.calibrate.csv")
  fi
  if (( WARMUP > 0 )); then
    n=$(awk -v r="$rate" -v d="$WARMUP" 'BEGIN { n = int(r * d); print (n < 1000 ? 1000 : n) }')
    run_rb "$p.warmup.csv" "$n" "${args[@]}"
    read -r rate _ _ < <(parse_rb "$p.warmup.csv")
  fi
  n=$(awk -v r="$rate" -v d="$DURATION" 'BEGIN { n = int(r * d); print (n < 1000 ? 1000 : n) }')
  snapshot "$p.before"
  run_rb "$p.rb.csv" "$n" "${args[@]}"
  snapshot "$p.after"
  check_alive redis-server "$REDIS_PID" "$TMP/$name.redis/redis.log" REDIS_PID
  read -r rate p50 p99 < <(parse_rb "$p.rb.csv") || die "could not parse $p.rb.csv"
  LUA_RATE[$key]=$rate
  # Every call counted, every hold made (HINCRBY runs only when the check passed), none failed.
  calls=$(cmd_calls "$p.before.cmdstats" "$p.after.cmdstats" evalsha)
  hincr=$(cmd_calls "$p.before.cmdstats" "$p.after.cmdstats" hincrby)
  failed=$(awk -F'[:,=]' 'FNR == 1 { f++ } $1 == "cmdstat_evalsha" {
      for (i = 2; i < NF; i += 2) if ($i == "failed_calls" || $i == "rejected_calls") s[f] += $(i + 1) }
    END { print s[2] - s[1] }' "$p.before.cmdstats" "$p.after.cmdstats")
  stop_redis
  RATE[$key#$r]=$rate P50[$key#$r]=$p50 P99[$key#$r]=$p99
  FAILS[$key#$r]=$(( n - hincr + failed )) FIRST_FAIL[$key#$r]=""
  (( calls == n )) || FIRST_FAIL[$key#$r]="redis-server counted $calls EVALSHA calls, $n sent"
  (( hincr == n )) || FIRST_FAIL[$key#$r]+="${FIRST_FAIL[$key#$r]:+; }$hincr of $n holds made"
  record "$key" "$r" "$p" "$n"
  printf '    %-22s %10.0f /s  p50 %8.1f us  p99 %9.1f us  redis %s us/op  (-n %s)  failures %s\n' \
    "$key" "$rate" "$p50" "$p99" "${CPU_R[$key#$r]}" "$n" "${FAILS[$key#$r]}" >&2
}

# ---------------------------------------------------------------------------------------------
# Plan: per round, each group's atpd rows then their yardstick, so that compared rows run close
# together in time.
# ---------------------------------------------------------------------------------------------
PLAN=()
for row in get memory redis redis-idem file; do
  has_row "$row" || continue
  for t in "${ATPD_THREADS[@]}"; do
    PLAN+=("atpd $row $t")
    case $row in
      get) add_key "get-t$t" "GET atpd --threads $t" ;;
      memory) add_key "memory-t$t" "holds memory --threads $t" ;;
      redis) add_key "redis-t$t" "holds redis --threads $t" ;;
      redis-idem) add_key "redis-idem-t$t" "holds redis+Idem-Key --threads $t" ;;
      file) add_key "file-t$t" "holds file --threads $t" ;;
    esac
  done
  case $row in
    get) PLAN+=("nginx"); add_key nginx "GET nginx (1 worker)" ;;
    memory)
      PLAN+=("lua lua-record record no" "lua lua-bare bare no")
      add_key lua-record "Lua hold+record (no AOF)"; add_key lua-bare "Lua bare check+hold (no AOF)" ;;
  esac
  # One AOF yardstick serves redis, redis-idem and file: added after the first of them.
  if [[ $row == redis || $row == redis-idem || $row == file ]] && [[ " ${KEYS[*]} " != *" lua-record-aof "* ]]; then
    PLAN+=("lua lua-record-aof record yes"); add_key lua-record-aof "Lua hold+record (AOF everysec)"
  fi
done

atpd_runs=0 lua_runs=0 other_runs=0
for step in "${PLAN[@]}"; do
  case $step in atpd*) (( ++atpd_runs )) ;; lua*) (( ++lua_runs )) ;; *) (( ++other_runs )) ;; esac
done
expected=$(( ROUNDS * ((atpd_runs + lua_runs + other_runs) * (DURATION + WARMUP) + atpd_runs * 3 + lua_runs * 2 + other_runs) + 5 ))
log "atpd: $ATPD"
log "rows: ${ROW_LIST[*]}; atpd --threads: ${ATPD_THREADS[*]}; $ROUNDS rounds x ${DURATION}s (+${WARMUP}s warm-up), $CONNECTIONS connections, $SKUS skus, ttl ${TTL}s"
log "servers on CPU 0, load on CPU 1 ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)); expected time about ${expected}s"

START=$SECONDS
for (( round = 1; round <= ROUNDS; round++ )); do
  log "round $round/$ROUNDS"
  for step in "${PLAN[@]}"; do
    read -r -a s <<<"$step"
    case ${s[0]} in
      atpd) run_atpd_row "${s[1]}" "${s[2]}" "$round" ;;
      nginx) run_nginx_row "$round" ;;
      lua) run_lua_row "${s[1]}" "${s[2]}" "${s[3]}" "$round" ;;
    esac
  done
done
ELAPSED=$(( SECONDS - START ))

# ---------------------------------------------------------------------------------------------
# Report: each row's best round (highest rate), all its figures from that round.
# ---------------------------------------------------------------------------------------------
declare -A BEST=()
for key in "${KEYS[@]}"; do
  best=1
  for (( round = 2; round <= ROUNDS; round++ )); do
    awk -v a="${RATE[$key#$round]}" -v b="${RATE[$key#$best]}" 'BEGIN { exit !(a > b) }' && best=$round
  done
  BEST[$key]="$key#$best"
done
get() { local -n arr=$1; printf '%s' "${arr[${BEST[$2]}]:--}"; }  # get ARRAY KEY: the best round's value

echo
echo "atpd hold path vs the Lua yardstick: best of $ROUNDS rounds x ${DURATION}s (after ${WARMUP}s warm-up), $CONNECTIONS connections, $SKUS skus, hold ttl ${TTL}s"
echo "servers pinned to CPU 0 (taskset -c 0), wrk -t $WRK_THREADS / redis-benchmark on CPU 1; redis-server ${REDIS_VERSION:-?}; file store on ${FILE_FS:-?} ($FILE_DIR); $(nproc) CPUs; ${ELAPSED}s"
[[ -z ${NGINX_BYTES:-} ]] || echo "GET answer bodies: atpd ${ATPD_GET_BYTES:-?} B, nginx $NGINX_BYTES B"
[[ -z ${FILE_BYTES:-} ]] || echo "file store: $FILE_BYTES bytes on disk at the end of its last run"
echo
printf '%-34s %10s %9s %9s | %-20s | %-47s | %-9s |\n' "" "" "" "" "server CPU us per op" "per op: Redis commands, bytes in/out, batches" "busy %"
printf '%-34s %10s %9s %9s | %6s %6s %6s | %6s %6s %7s %8s %8s | %4s %4s | %s\n' \
  "row" "ops/s" "p50 us" "p99 us" "atpd" "redis" "nginx" "cmds" "in B" "out B" "batches" "rec/bat" "cpu0" "cpu1" "failures"
for key in "${KEYS[@]}"; do
  k=${BEST[$key]}
  read -r cmds _ <<<"${CMDS[$k]}"
  bpo=- rpb=-
  if [[ ${BATCHES[$k]} != - ]]; then
    bpo=$(awk -v b="${BATCHES[$k]}" -v n="${OPS[$k]}" 'BEGIN { printf "%.3f", (n > 0 ? b / n : 0) }')
    rpb=$(awk -v b="${BATCHES[$k]}" -v r="${RECORDS[$k]}" 'BEGIN { printf "%.1f", (b > 0 ? r / b : 0) }')
  elif [[ $key == lua-* && ${CMDS[$k]} == *" evalsha="* ]]; then
    bpo=${CMDS[$k]#* evalsha=}; bpo=${bpo%% *}
  fi
  read -r c0 c1 <<<"${BUSY[$k]}"
  printf '%-34s %10.0f %9.1f %9.1f | %6s %6s %6s | %6s %6s %7s %8s %8s | %4s %4s | %s\n' "${LABEL[$key]}" \
    "${RATE[$k]}" "${P50[$k]}" "${P99[$k]}" "${CPU_A[$k]}" "${CPU_R[$k]}" "${CPU_N[$k]}" \
    "${cmds:--}" "${BYTES_IN[$k]}" "${BYTES_OUT[$k]}" "$bpo" "$rpb" "$c0" "$c1" "${FAILS[$k]}"
done
echo "  (ops: successful holds, or GET requests; batches: atpd_store_batches_total per hold, or EVALSHA round trips per hold for Lua;"
echo "   busy %: /proc/stat share of CPU 0 (servers) and CPU 1 (load client) in the window, whatever ran there)"

echo
echo "CPU us per op by thread name (comm; /proc/<pid>/task/*/stat utime+stime over the window):"
for key in "${KEYS[@]}"; do
  k=${BEST[$key]}
  line=""
  [[ ${THR_A[$k]} == - ]] || line+="atpd: ${THR_A[$k]}"
  [[ ${THR_R[$k]} == - ]] || line+="${line:+   }redis-server: ${THR_R[$k]}"
  [[ -z $line ]] || printf '  %-34s %s\n' "${LABEL[$key]}" "$line"
done

echo
echo "Redis commands per op (INFO commandstats, calls diffed over the window, INFO itself left out):"
for key in "${KEYS[@]}"; do
  k=${BEST[$key]}
  [[ ${CMDS[$k]} == - ]] && continue
  read -r cmds rest <<<"${CMDS[$k]}"
  printf '  %-34s %s in all: %s\n' "${LABEL[$key]}" "$cmds" "$rest"
done

echo
echo "Batch-size histogram (atpd /metrics, a *_bucket family named *batch* or *commit*):"
hist_any=0
for key in "${KEYS[@]}"; do
  k=${BEST[$key]}
  [[ ${HIST[$k]} == - ]] && continue
  [[ $key == get-* || $key == memory-* ]] && continue
  hist_any=1
  if [[ ${HIST[$k]} == n/a ]]; then h="n/a (no metric yet)"; else h=${HIST[$k]}; fi
  printf '  %-34s %s\n' "${LABEL[$key]}" "$h"
done
(( hist_any )) || echo "  (no durable-store row run)"

# Targets.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }
verdict() {  # verdict VALUE TARGET ge|le
  awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { if (v == "nan") { print "FAIL"; exit }
    ok = (op == "ge") ? (v >= t) : (v <= t); print (ok ? "PASS" : "FAIL") }'
}
target_line() {  # target_line TEXT NUM_KEY DEN_KEY TARGET [p99]
  local text=$1 num=$2 den=$3 target=$4 what=${5:-rate} v
  [[ -n ${BEST[$num]:-} && -n ${BEST[$den]:-} ]] || return 0
  if [[ $what == p99 ]]; then
    v=$(ratio "$(get P99 "$num")" "$(get P99 "$den")")
    printf '  %-56s %7sx   target <= %.1fx   %s\n' "$text" "$v" "$target" "$(verdict "$v" "$target" le)"
  else
    v=$(ratio "$(get RATE "$num")" "$(get RATE "$den")")
    if [[ $target == - ]]; then
      printf '  %-56s %7sx   (no target)\n' "$text" "$v"
    else
      printf '  %-56s %7sx   target >= %.1fx   %s\n' "$text" "$v" "$target" "$(verdict "$v" "$target" ge)"
    fi
  fi
}
echo
echo "Ratios (best rounds):"
for t in "${ATPD_THREADS[@]}"; do
  target_line "GET atpd --threads $t / nginx, ops/s" "get-t$t" nginx "$TARGET_GET"
  target_line "GET atpd --threads $t / nginx, p99" "get-t$t" nginx "$TARGET_GET_P99" p99
done
for t in "${ATPD_THREADS[@]}"; do
  target_line "holds memory --threads $t / Lua hold+record (no AOF)" "memory-t$t" lua-record "$TARGET_MEMORY"
  target_line "holds memory --threads $t / Lua bare check+hold (no AOF)" "memory-t$t" lua-bare -
done
for t in "${ATPD_THREADS[@]}"; do
  target_line "durable holds redis --threads $t / Lua hold+record (AOF)" "redis-t$t" lua-record-aof "$TARGET_DURABLE"
done
for t in "${ATPD_THREADS[@]}"; do
  target_line "holds redis+Idem-Key --threads $t / Lua hold+record (AOF)" "redis-idem-t$t" lua-record-aof "$TARGET_IDEM"
done
for t in "${ATPD_THREADS[@]}"; do
  target_line "holds file --threads $t / Lua hold+record (AOF)" "file-t$t" lua-record-aof -
done

# Anything that makes a figure suspect.
echo
bad=0
for key in "${KEYS[@]}"; do
  for (( round = 1; round <= ROUNDS; round++ )); do
    k="$key#$round"
    if [[ ${FAILS[$k]:-0} != 0 || -n ${FIRST_FAIL[$k]:-} ]]; then
      bad=1
      echo "WARNING: ${LABEL[$key]}, round $round: ${FAILS[$k]} failures${FIRST_FAIL[$k]:+; ${FIRST_FAIL[$k]}}"
    fi
  done
done
(( bad )) || echo "failures: none (every hold answered 201, every GET 2xx, every Lua call counted and held)"
exit 0
