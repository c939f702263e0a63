#!/usr/bin/env bash
# Store benchmark: atpd's hold+release over HTTP with each store in turn (memory, file, redis),
# next to the same holds made straight against redis-server by an EVALSHA Lua script (the
# "anchor" a retailer would otherwise use). See README.md beside this file.
#
# What it does, in order:
#   1. makes sure wrk, curl, redis-server, redis-cli and redis-benchmark are installed;
#   2. builds atpd if needed (swift build -c release --product atpd --scratch-path .build-storebench);
#   3. starts one redis-server on a free loopback port (--save "" --appendonly yes
#      --appendfsync everysec, or --redis-appendfsync always|no);
#   4. starts three atpd (--threads 2): --store memory, --store file:<tmp>, --store redis://...,
#      waits for /readyz, seeds each identically through POST /v1/events ('set' 1,000,000 units
#      on --skus skus at DC1) and checks one hold/release by hand;
#   5. seeds the anchor's cells in the same redis-server (hashes anchor:cell:NNNNNNNNNNNN with
#      onHand 1000000, reserved 0), SCRIPT LOADs the hold and release scripts, checks them;
#   6. warms everything up (and sizes redis-benchmark's -n for --duration), then for each run:
#      wrk with Benchmarks/HTTP/hold_release.lua on atpd-memory, atpd-file, atpd-redis, then
#      redis-benchmark on the anchor; /metrics is scraped before and after every atpd run
#      (group-commit batches and records, statuses), thread CPU times are read from /proc;
#   7. prints medians over the runs and the two ratios against their targets;
#   8. always stops atpd, redis-server and any load generator and removes the temp dir (trap).
#
# Every step is bounded: wrk and redis-benchmark by hard timeouts, startup waits by fixed
# timeouts, curl by --max-time. Only `swift build` (when it has to build) has no limit of its own.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# The wrk script is shared with the HTTP benchmark on purpose: the same client work everywhere.
HOLD_LUA="$ROOT/Benchmarks/HTTP/hold_release.lua"

# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------
DURATION=10          # seconds per load run (wrk -d; redis-benchmark -n is sized to match)
RUNS=3               # alternating repetitions; the report shows medians
CONNECTIONS=64       # wrk connections; the anchor uses the same number against redis-server
WRK_THREADS=2        # wrk threads
SKUS=10000           # cells seeded in every target and drawn from at random
WARMUP=2             # seconds of unrecorded load on each target before run 1
APPENDFSYNC=everysec # redis-server --appendfsync
BUILD=0              # 1: always run `swift build` first
PROFILE=0            # 1: one extra redis-store run under `perf record` (atpd + redis-server)
STRICT=0             # 1: exit 3 when a target is missed
OUT_DIR=""           # if set: keep raw outputs, logs and metrics scrapes there

SERVER_THREADS=2             # atpd --threads
UNITS=1000000                # onHand seeded on every cell
TARGET_REDIS_VS_MEMORY=0.7   # atpd redis store pairs/s >= 0.7 x atpd memory store
TARGET_REDIS_VS_ANCHOR=1.5   # atpd redis store pairs/s >= 1.5 x the Lua anchor's pairs/s
HOLD_TTL=60                  # ttlSeconds on benchmark holds (leftovers expire by themselves)
SEED_BATCH=5000              # events per POST /v1/events (the API's maximum)
READY_TIMEOUT=30             # seconds to wait for atpd /readyz
REDIS_TIMEOUT=10             # seconds to wait for redis-server to answer PING
# shellcheck disable=SC2034  # read by stop_process in lib.sh
STOP_TIMEOUT=15              # seconds to wait for a graceful exit after SIGTERM
ANCHOR_PREFIX="anchor:cell:" # anchor keys: ANCHOR_PREFIX + 12-digit __rand_int__
PERF_CALLGRAPH=${PERF_CALLGRAPH:-fp}
ATPD_BIN_DEFAULT="$ROOT/.build-storebench/release/atpd"

usage() {
  cat <<EOF
Usage: Benchmarks/Stores/run.sh [options]

Hold+release over HTTP (wrk, Benchmarks/HTTP/hold_release.lua) against atpd with
--store memory, --store file:<tmp> and --store redis://127.0.0.1:<port>, and the same holds
straight against that redis-server through an EVALSHA check-and-increment script
(redis-benchmark). Prints pairs/s, p50 and p99 per target and two ratios.

Options:
  --duration SECONDS         length of each load run (default $DURATION)
  --runs N                   alternating repetitions, medians reported (default $RUNS)
  --connections N            wrk connections; also the anchor's total (default $CONNECTIONS)
  --threads N                wrk threads (default $WRK_THREADS)
  --skus N                   cells seeded in every target (default $SKUS)
  --warmup SECONDS           unrecorded load per target before run 1, 0 to skip (default $WARMUP)
  --redis-appendfsync MODE   everysec (default), always or no: redis-server's --appendfsync
  --build                    run 'swift build' even if the atpd binary exists
  --profile                  one extra, unrecorded redis-store run under 'perf record' on atpd
                             and redis-server; reports copied to /tmp/atpd-stores-perf*.txt
  --out DIR                  keep raw outputs, logs and /metrics scrapes in DIR
  --strict                   exit with status 3 if a target is missed
  -h, --help                 this text

Environment:
  ATPD_BIN                   atpd binary (default .build-storebench/release/atpd, built if missing)
  REDIS_SERVER_BIN, REDIS_CLI_BIN, REDIS_BENCHMARK_BIN   redis binaries (default: on PATH)
  PERF_CALLGRAPH             perf --call-graph mode for --profile (default fp; try dwarf)

Targets: redis store >= ${TARGET_REDIS_VS_MEMORY}x memory store; redis store >= ${TARGET_REDIS_VS_ANCHOR}x the Lua anchor (pairs/s).
EOF
}



while (( $# > 0 )); do
  case $1 in
    --redis-appendfsync) APPENDFSYNC=$(value "$1" "$@"); shift 2 ;;
    --build) BUILD=1; shift ;;
    --profile) PROFILE=1; shift ;;
    --strict) STRICT=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) load_option "$@" || { usage >&2; die "unknown option '$1'"; }; shift 2 ;;
  esac
done
need_int --duration "$DURATION" 1
need_int --runs "$RUNS" 1
need_int --connections "$CONNECTIONS" 2
need_int --threads "$WRK_THREADS" 1
need_int --skus "$SKUS" 1
need_int --warmup "$WARMUP" 0
(( SKUS <= 999999 )) || die "--skus must be <= 999999 (hold_release.lua names skus SKU-%06d)"
(( CONNECTIONS >= WRK_THREADS )) || die "--connections must be >= --threads (wrk requires it)"
case $APPENDFSYNC in everysec|always|no) ;; *) die "--redis-appendfsync must be everysec, always or no (got '$APPENDFSYNC')" ;; esac
[[ -r $HOLD_LUA ]] || die "the wrk script $HOLD_LUA is missing"

# The anchor's two scripts run as two redis-benchmark processes at once (redis-benchmark runs one
# command per process): holds on half of the connections, releases on the other half.
ANCHOR_HOLD_CONNS=$(( (CONNECTIONS + 1) / 2 ))
ANCHOR_REL_CONNS=$(( CONNECTIONS / 2 ))





ensure_tools() {
  local tool pkg
  for tool in curl:curl wrk:wrk redis-server:redis-server redis-cli:redis-tools redis-benchmark:redis-tools; do
    pkg=${tool#*:} tool=${tool%%:*}
    command -v "$tool" >/dev/null && continue
    case $tool in
      redis-server) [[ -n ${REDIS_SERVER_BIN:-} ]] && continue ;;
      redis-cli) [[ -n ${REDIS_CLI_BIN:-} ]] && continue ;;
      redis-benchmark) [[ -n ${REDIS_BENCHMARK_BIN:-} ]] && continue ;;
    esac
    log "installing $pkg (for $tool)"
    apt_install "$pkg" || die "$tool is missing: apt-get install -y $pkg (as root)"
  done
  REDIS_SERVER=${REDIS_SERVER_BIN:-$(command -v redis-server)}
  REDIS_CLI=${REDIS_CLI_BIN:-$(command -v redis-cli)}
  REDIS_BENCH=${REDIS_BENCHMARK_BIN:-$(command -v redis-benchmark)}
  [[ -x $REDIS_SERVER && -x $REDIS_CLI && -x $REDIS_BENCH ]] || die "redis binaries not executable"
}

resolve_atpd() {
  local bin=${ATPD_BIN:-$ATPD_BIN_DEFAULT}
  if (( BUILD )) || [[ -z ${ATPD_BIN:-} && ! -x $bin ]]; then
    command -v swift >/dev/null || die "swift is not on PATH; cannot build atpd (or set ATPD_BIN)"
    log "building atpd: swift build -c release --product atpd --scratch-path .build-storebench (log: $TMP/build.log)"
    if ! (cd "$ROOT" && swift build -c release --product atpd --scratch-path .build-storebench) >"$TMP/build.log" 2>&1; then
      tail -n 25 "$TMP/build.log" >&2
      die "swift build of atpd failed (see above)"
    fi
  fi
  [[ -e $bin ]] || die "atpd binary not found at $bin (set ATPD_BIN or pass --build)"
  [[ -x $bin ]] || die "atpd binary $bin is not executable"
  ATPD=$bin
}


USED_PORTS=""  # ports picked so far, so that no two servers get the same one

# ---------------------------------------------------------------------------------------------
# Temp dir and cleanup
# ---------------------------------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/atpd-stores.XXXXXX")
STORES=(memory file redis)
declare -A PID=() URL=() SPEC=() LABEL=()
REDIS_PID="" PERF_PID="" BG_PIDS=()

cleanup() {
  local rc=$? name pid
  trap - EXIT INT TERM
  if [[ -n $PERF_PID ]] && alive "$PERF_PID"; then
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
  fi
  for pid in "${BG_PIDS[@]}"; do
    alive "$pid" && { kill -TERM "$pid" 2>/dev/null || true; }
  done
  for pid in "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  # atpd first, so that the redis store closes while redis-server is still there.
  for name in "${STORES[@]}"; do
    pid=${PID[$name]:-}
    [[ -n $pid ]] || continue
    if alive "$pid"; then
      stop_process "$pid"
      if [[ $STOP_STATUS != 0 ]]; then
        warn "atpd ($name store) exited with status $STOP_STATUS after SIGTERM (expected 0); log tail:"
        tail -n 15 "$TMP/atpd-$name.log" >&2 2>/dev/null || true
      fi
    else
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [[ -n $REDIS_PID ]]; then
    stop_process "$REDIS_PID"
  fi
  keep_outputs "$OUT_DIR"
  rm -rf "$TMP"
  exit "$rc"
}
install_cleanup

# ---------------------------------------------------------------------------------------------
# redis-server
# ---------------------------------------------------------------------------------------------
rcli() { timeout -k 2 30 "$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

# The value of FIELD in an INFO section, e.g. info_field persistence aof_rewrites.
info_field() { rcli INFO "$1" 2>/dev/null | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'; }

start_redis() {
  REDIS_PORT=$(pick_port); USED_PORTS+=" $REDIS_PORT"
  mkdir -p "$TMP/redis"
  "$REDIS_SERVER" --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
    --save '' --appendonly yes --appendfsync "$APPENDFSYNC" \
    --dir "$TMP/redis" --logfile "$TMP/redis.log" --daemonize no \
    >"$TMP/redis.out" 2>&1 &
  REDIS_PID=$!
  local i
  for (( i = 0; i < REDIS_TIMEOUT * 10; i++ )); do
    if ! alive "$REDIS_PID"; then
      cat "$TMP/redis.out" >&2; tail -n 20 "$TMP/redis.log" >&2 2>/dev/null || true
      REDIS_PID=""
      die "redis-server exited before answering PING"
    fi
    [[ $("$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" PING 2>/dev/null) == PONG ]] && break
    sleep 0.1
  done
  [[ $("$REDIS_CLI" -h 127.0.0.1 -p "$REDIS_PORT" PING 2>/dev/null) == PONG ]] \
    || { tail -n 20 "$TMP/redis.log" >&2; die "redis-server did not answer PING within ${REDIS_TIMEOUT}s"; }
  local got
  got=$(rcli CONFIG GET appendfsync | tail -n1)
  [[ $got == "$APPENDFSYNC" ]] || die "redis-server reports appendfsync '$got', expected '$APPENDFSYNC'"
  REDIS_VERSION=$(info_field server redis_version)
}

# ---------------------------------------------------------------------------------------------
# atpd: start, wait for /readyz, seed, check
# ---------------------------------------------------------------------------------------------
start_atpd() {  # start_atpd NAME STORE_SPEC
  local name=$1 spec=$2 i url
  # shellcheck disable=SC2086  # the list is meant to split into words
  PORT=$(pick_port $USED_PORTS); USED_PORTS+=" $PORT"
  url="http://127.0.0.1:$PORT"
  URL[$name]=$url SPEC[$name]=$spec
  "$ATPD" --listen "127.0.0.1:$PORT" --threads "$SERVER_THREADS" --store "$spec" \
    >"$TMP/atpd-$name.log" 2>&1 &
  PID[$name]=$!
  for (( i = 0; i < READY_TIMEOUT * 10; i++ )); do
    if ! alive "${PID[$name]}"; then
      local status=0
      wait "${PID[$name]}" 2>/dev/null || status=$?
      PID[$name]=""
      printf 'atpd (--store %s) exited (status %s) before /readyz; last lines of its log:\n' "$spec" "$status" >&2
      tail -n 30 "$TMP/atpd-$name.log" >&2 2>/dev/null || true
      die "atpd did not start"
    fi
    curl -fsS -o /dev/null --max-time 1 "$url/readyz" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 30 "$TMP/atpd-$name.log" >&2 2>/dev/null || true
  die "atpd (--store $spec) did not answer /readyz with 200 within ${READY_TIMEOUT}s"
}

# One hold and its release by hand, so that a broken write path stops the benchmark with a clear
# message instead of a table of errors.
check_atpd() {  # check_atpd NAME
  local base=${URL[$1]} code id
  curl -sS --max-time 5 -o "$TMP/check.out" "$base/v1/availability?sku=SKU-000001&location=DC1" \
    || die "GET availability on atpd ($1 store) failed"
  grep -q "\"available\":$UNITS" "$TMP/check.out" \
    || { cat "$TMP/check.out" >&2; echo >&2; die "atpd ($1 store) does not report the seeded $UNITS for SKU-000001"; }
  code=$(curl -sS --max-time 5 -o "$TMP/hold.out" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary '{"lines":[{"sku":"SKU-000001","location":"DC1","qty":1}],"ttlSeconds":60}' \
    "$base/v1/reservations") || code=000
  id=$(grep -o '"id" *: *"r_[^"]*"' "$TMP/hold.out" | head -n1 | sed 's/.*"\(r_[^"]*\)"$/\1/' || true)
  [[ $code == 201 && -n $id ]] \
    || die "hold check on atpd ($1 store): POST /v1/reservations answered HTTP $code: $(head -c 300 "$TMP/hold.out")"
  code=$(curl -sS --max-time 5 -o "$TMP/release.out" -w '%{http_code}' -X POST -H 'Content-Length: 0' \
    "$base/v1/reservations/$id/release") || code=000
  [[ $code == 200 ]] \
    || die "release check on atpd ($1 store): answered HTTP $code: $(head -c 300 "$TMP/release.out")"
}

# ---------------------------------------------------------------------------------------------
# Measurements around a run: /metrics, thread CPU times, redis INFO
# ---------------------------------------------------------------------------------------------
scrape() {  # scrape NAME FILE
  curl -fsS --max-time 5 -o "$2" "${URL[$1]}/metrics" || die "GET /metrics on atpd ($1 store) failed"
}

# From two /metrics scrapes: "BATCHES RECORDS FAILED_BATCHES DURABLE_US" deltas ("- - - -" for a
# store without those figures: memory), then the non-2xx answers of the reservation routes as
# "STATUSxCOUNT,..." (or "none").
metrics_delta() {  # metrics_delta BEFORE AFTER
  awk '
    FNR == 1 { f++ }
    /^#/ { next }
    {
      name = $1; v = $NF
      if (name ~ /^atpd_store_(batches|records|failed_batches|durable_microseconds)_total$/) {
        if (f == 1) b[name] = v; else { a[name] = v; seen = 1 }
      } else if (name ~ /^atpd_http_requests_total\{route="\/v1\/reservations/ && name ~ /status="[^2]/) {
        s = name; sub(/.*status="/, "", s); sub(/".*/, "", s)
        if (f == 1) sb[s] += v; else sa[s] += v
      }
    }
    END {
      if (seen) printf "%d %d %d %d", a["atpd_store_batches_total"] - b["atpd_store_batches_total"],
        a["atpd_store_records_total"] - b["atpd_store_records_total"],
        a["atpd_store_failed_batches_total"] - b["atpd_store_failed_batches_total"],
        a["atpd_store_durable_microseconds_total"] - b["atpd_store_durable_microseconds_total"]
      else printf "- - - -"
      out = ""
      for (s in sa) { d = sa[s] - sb[s]; if (d > 0) out = out (out == "" ? "" : ",") s "x" d }
      print " " (out == "" ? "none" : out)
    }' "$1" "$2"
}

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
NCPU=$(nproc)

# CPU ticks of every thread of PID by thread name: comm_ticks (lib.sh).

# Cores used between two comm_ticks files over SECONDS: "TOTAL NAME=CORES,NAME=CORES..." (the
# busiest thread names first).
cpu_delta() {  # cpu_delta BEFORE AFTER SECONDS
  awk -F'\t' -v hz="$CLK_TCK" -v secs="$3" '
    FNR == 1 { f++ }
    f == 1 { b[$1] = $2; next }
    { d = $2 - b[$1]; if (d > 0) { t[$1] = d; total += d } }
    END {
      line = ""
      n = 0
      for (k in t) names[++n] = k
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (t[names[j]] > t[names[i]]) { x = names[i]; names[i] = names[j]; names[j] = x }
      for (i = 1; i <= n && i <= 4; i++) line = line (i > 1 ? "," : "") names[i] "=" sprintf("%.2f", t[names[i]] / hz / secs)
      printf "%.2f %s\n", total / hz / secs, (line == "" ? "-" : line)
    }' "$1" "$2"
}

# "BUSY TOTAL" jiffies of all CPUs together (/proc/stat): busy = everything but idle and iowait.
machine_ticks() {
  awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t; exit }' /proc/stat
}

# Percentage of the machine's CPU time that was busy between two machine_ticks readings.
busy_pct() {  # busy_pct "BUSY TOTAL" "BUSY TOTAL"
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); d = y[2] - x[2]
    printf "%.0f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0) }'
}

# The cores taken by threads whose name starts with PREFIX, from a cpu_delta detail list.
cores_of() {  # cores_of DETAIL PREFIX
  printf '%s\n' "$1" | tr ',' '\n' | awk -F= -v p="$2" 'index($1, p) == 1 { s += $2 } END { printf "%.2f", s + 0 }'
}

# ---------------------------------------------------------------------------------------------
# Load generators
# ---------------------------------------------------------------------------------------------
run_wrk() {  # run_wrk OUTFILE SECONDS URL
  local out=$1 secs=$2 url=$3
  if ! timeout --foreground -k 5 $(( secs + 30 )) \
      wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${secs}s" --latency -s "$HOLD_LUA" "$url" -- "$SKUS" "$HOLD_TTL" \
      >"$out" 2>&1; then
    cat "$out" >&2
    die "wrk failed or timed out against $url"
  fi
  grep -q '^Requests/sec:' "$out" || { cat "$out" >&2; die "wrk printed no Requests/sec line"; }
  grep -q '^hold_release: pairs/s=' "$out" || { cat "$out" >&2; die "hold_release.lua printed no summary"; }
}


# hold_release.lua's summary -> "PAIRS_PER_S HOLDS_OK HOLDS_FAILED RELEASES_OK RELEASES_FAILED OTHER"
# (OTHER: answers it could not classify plus 201s without a parsable id).
parse_holds() {
  awk '
    /^hold_release: pairs\/s=/ { pps = $2; sub(/^pairs\/s=/, "", pps) }
    /^hold_release: holds / {
      # hold_release: holds sent=A ok=B failed=C releases sent=D ok=E failed=F unclassified=G ids_unparsed=H
      for (i = 3; i <= NF; i++) { split($i, kv, "="); n[i] = kv[2] }
      counts = sprintf("%d %d %d %d %d", n[4], n[5], n[8], n[9], n[10] + n[11])
    }
    END { if (pps == "" || counts == "") exit 1; print pps, counts }' "$1"
}

# The anchor: two Lua scripts on hashes ANCHOR_PREFIX<12 digits> {onHand, reserved}.
#   hold:    check onHand - reserved >= qty, then HINCRBY reserved +qty  (1 held, 0 refused, -1 no cell)
#   release: HINCRBY reserved -qty
ANCHOR_HOLD_LUA="local c = redis.call('HMGET', KEYS[1], 'onHand', 'reserved')
if not c[1] then return -1 end
local q = tonumber(ARGV[1])
if tonumber(c[1]) - tonumber(c[2] or 0) < q then return 0 end
redis.call('HINCRBY', KEYS[1], 'reserved', q)
return 1"
ANCHOR_RELEASE_LUA="return redis.call('HINCRBY', KEYS[1], 'reserved', -tonumber(ARGV[1]))"
# Seeding: every cell onHand UNITS, reserved 0 (one EVAL; replicated to the AOF as HSETs).
ANCHOR_SEED_LUA="for i = 0, tonumber(ARGV[1]) - 1 do
  redis.call('HSET', ARGV[2] .. string.format('%012d', i), 'onHand', ARGV[3], 'reserved', 0)
end
return tonumber(ARGV[1])"
# Checking: the sum of reserved over all cells, cells missing, and whether a key past the range
# exists (a release on a cell that was never seeded would create one).
ANCHOR_CHECK_LUA="local sum, missing = 0, 0
for i = 0, tonumber(ARGV[1]) - 1 do
  local r = redis.call('HGET', ARGV[2] .. string.format('%012d', i), 'reserved')
  if r then sum = sum + tonumber(r) else missing = missing + 1 end
end
return {sum, missing, redis.call('EXISTS', ARGV[2] .. string.format('%012d', tonumber(ARGV[1])))}"

setup_anchor() {
  local n r
  n=$(rcli EVAL "$ANCHOR_SEED_LUA" 0 "$SKUS" "$ANCHOR_PREFIX" "$UNITS") || die "seeding the anchor's cells failed"
  [[ $n == "$SKUS" ]] || die "seeding the anchor's cells: expected $SKUS, got '$n'"
  HOLD_SHA=$(rcli SCRIPT LOAD "$ANCHOR_HOLD_LUA") || die "SCRIPT LOAD of the hold script failed"
  RELEASE_SHA=$(rcli SCRIPT LOAD "$ANCHOR_RELEASE_LUA") || die "SCRIPT LOAD of the release script failed"
  [[ $HOLD_SHA =~ ^[0-9a-f]{40}$ && $RELEASE_SHA =~ ^[0-9a-f]{40}$ ]] \
    || die "SCRIPT LOAD answered '$HOLD_SHA' / '$RELEASE_SHA'"
  r=$(rcli EVALSHA "$HOLD_SHA" 1 "${ANCHOR_PREFIX}000000000000" 1)
  [[ $r == 1 ]] || die "anchor hold check: EVALSHA answered '$r', expected 1"
  r=$(rcli EVALSHA "$RELEASE_SHA" 1 "${ANCHOR_PREFIX}000000000000" 1)
  [[ $r == 0 ]] || die "anchor release check: EVALSHA answered '$r', expected 0"
  r=$(rcli EVALSHA "$HOLD_SHA" 1 "${ANCHOR_PREFIX}000000000000" $(( UNITS + 1 )))
  [[ $r == 0 ]] || die "anchor hold check (too many units): EVALSHA answered '$r', expected 0"
}

# "CALLS FAILED USEC" of EVALSHA so far (INFO commandstats).
evalsha_stats() {
  rcli INFO commandstats | tr -d '\r' | awk -F'[:,=]' '$1 == "cmdstat_evalsha" {
      for (i = 2; i < NF; i += 2) v[$i] = $(i + 1)
      printf "%d %d %d\n", v["calls"], v["failed_calls"] + v["rejected_calls"], v["usec"]; found = 1 }
    END { if (!found) print "0 0 0" }'
}

# "COMMANDS USEC" over every command so far (INFO commandstats): how much work redis-server did.
redis_work() {
  rcli INFO commandstats | tr -d '\r' | awk -F'[:,=]' '$1 ~ /^cmdstat_/ {
      for (i = 2; i < NF; i += 2) v[$i] = $(i + 1)
      calls += v["calls"]; usec += v["usec"] }
    END { printf "%d %d\n", calls, usec }'
}

# redis-benchmark --csv -> "RPS P50_US P99_US"
parse_rb() {
  grep '^"EVALSHA' "$1" | tail -n1 | tr -d '"' | awk -F, '{ printf "%s %.1f %.1f\n", $2, $5 * 1000, $7 * 1000 }'
}

# One anchor run: N hold calls and N release calls at once, on ANCHOR_HOLD_CONNS and
# ANCHOR_REL_CONNS connections. Sets AN_CALLS_PS AN_PAIRS_PS AN_P50 AN_P99 AN_ELAPSED AN_RATE
# (mean calls/s per process, to size the next run).
run_anchor() {  # run_anchor TAG N
  local tag=$1 n=$2 limit=$(( DURATION * 6 + 30 )) hs=0 rs=0 hold rel
  local h_rps h_p50 h_p99 r_rps r_p50 r_p99
  timeout -k 5 "$limit" "$REDIS_BENCH" -h 127.0.0.1 -p "$REDIS_PORT" -c "$ANCHOR_HOLD_CONNS" -n "$n" \
    -r "$SKUS" --csv EVALSHA "$HOLD_SHA" 1 "${ANCHOR_PREFIX}__rand_int__" 1 >"$TMP/$tag-anchor-hold.csv" 2>&1 &
  hold=$!
  timeout -k 5 "$limit" "$REDIS_BENCH" -h 127.0.0.1 -p "$REDIS_PORT" -c "$ANCHOR_REL_CONNS" -n "$n" \
    -r "$SKUS" --csv EVALSHA "$RELEASE_SHA" 1 "${ANCHOR_PREFIX}__rand_int__" 1 >"$TMP/$tag-anchor-release.csv" 2>&1 &
  rel=$!
  BG_PIDS=("$hold" "$rel")
  wait "$hold" || hs=$?
  wait "$rel" || rs=$?
  BG_PIDS=()
  if (( hs != 0 || rs != 0 )); then
    cat "$TMP/$tag-anchor-hold.csv" "$TMP/$tag-anchor-release.csv" >&2
    die "redis-benchmark failed or timed out (statuses $hs, $rs; limit ${limit}s)"
  fi
  read -r h_rps h_p50 h_p99 < <(parse_rb "$TMP/$tag-anchor-hold.csv") \
    || { cat "$TMP/$tag-anchor-hold.csv" >&2; die "could not parse redis-benchmark's hold output"; }
  read -r r_rps r_p50 r_p99 < <(parse_rb "$TMP/$tag-anchor-release.csv") \
    || { cat "$TMP/$tag-anchor-release.csv" >&2; die "could not parse redis-benchmark's release output"; }
  read -r AN_CALLS_PS AN_PAIRS_PS AN_P50 AN_P99 AN_ELAPSED AN_RATE < <(awk -v n="$n" \
    -v hr="$h_rps" -v rr="$r_rps" -v h50="$h_p50" -v r50="$r_p50" -v h99="$h_p99" -v r99="$r_p99" 'BEGIN {
      eh = n / hr; er = n / rr; e = (eh > er) ? eh : er
      calls = 2 * n / e
      printf "%.1f %.1f %.1f %.1f %.2f %.1f\n", calls, calls / 2, (h50 > r50 ? h50 : r50), (h99 > r99 ? h99 : r99), e, (hr + rr) / 2 }')
  AN_DETAIL="holds $h_rps calls/s (p50 $h_p50 us, p99 $h_p99 us), releases $r_rps calls/s (p50 $r_p50 us, p99 $r_p99 us)"
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
ensure_tools
(( PROFILE )) && { ensure_perf || PROFILE=0; }
resolve_atpd

start_redis
log "redis-server $REDIS_VERSION on 127.0.0.1:$REDIS_PORT (--save '' --appendonly yes --appendfsync $APPENDFSYNC; dir $TMP/redis)"

FILE_DIR="$TMP/file-store"
FILE_FS=$(df -PT "$TMP" 2>/dev/null | awk 'NR == 2 { print $2 }')
LABEL[memory]="memory"
LABEL[file]="file:<tmpdir>"
LABEL[redis]="redis://127.0.0.1:$REDIS_PORT"
start_atpd memory memory
start_atpd file "file:$FILE_DIR"
start_atpd redis "redis://127.0.0.1:$REDIS_PORT"
for s in "${STORES[@]}"; do
  log "atpd --store ${SPEC[$s]} on ${URL[$s]} (pid ${PID[$s]}, --threads $SERVER_THREADS; log $TMP/atpd-$s.log)"
done
log "seeding $SKUS cells (SKU-000001.. at DC1, $UNITS each) into every atpd through POST /v1/events"
for s in "${STORES[@]}"; do
  seed_skus "${URL[$s]}" "$SKUS" "$SEED_BATCH" "$UNITS" "atpd ($s store)"
  check_atpd "$s"
done
log "seeding the anchor: $SKUS hashes ${ANCHOR_PREFIX}000000000000.. {onHand $UNITS, reserved 0}; SCRIPT LOAD hold and release"
setup_anchor

log "settings: $RUNS runs x ${DURATION}s, wrk $WRK_THREADS threads x $CONNECTIONS connections, $SKUS skus, atpd --threads $SERVER_THREADS, $(nproc) CPUs shared by clients and servers"
log "anchor: redis-benchmark EVALSHA, holds on $ANCHOR_HOLD_CONNS + releases on $ANCHOR_REL_CONNS connections at once, -r $SKUS"
log "expected time: about $(( RUNS * 4 * DURATION + 4 * WARMUP + PROFILE * DURATION + 10 )) s"

# Warm-up (not recorded). The anchor's warm-up also sizes -n: with no warm-up, a short
# calibration run of 20,000 calls per script does that instead.
if (( WARMUP > 0 )); then
  log "warm-up: ${WARMUP}s per target (not recorded)"
  for s in "${STORES[@]}"; do
    run_wrk "$TMP/warmup-$s.txt" "$WARMUP" "${URL[$s]}"
  done
fi
ANCHOR_N=$(( WARMUP > 0 ? 25000 * WARMUP : 20000 ))
run_anchor warmup "$ANCHOR_N"
ANCHOR_N=$(awk -v r="$AN_RATE" -v d="$DURATION" 'BEGIN { n = int(r * d); if (n < 1000) n = 1000; print n }')
log "anchor warm-up: $AN_CALLS_PS script calls/s; -n $ANCHOR_N per script for ~${DURATION}s"

declare -A PPS=() P50=() P99=() BUSY=() REST=() BATCHES=() RECORDS=() FAILED_BATCHES=() DURABLE_US=() PAIRS=() \
  HOLDS_FAILED=() RELEASES_FAILED=() STATUSES=() FIRST_FAILURE=() SOCKERR=() CPU_ATPD=() CPU_STORE=() CPU_REDIS=()
ANCHOR_CALLS_PS=() ANCHOR_CALLS=0 ANCHOR_HOLD_CALLS=0 ANCHOR_RELEASE_CALLS=0 ANCHOR_FAILED=0 ANCHOR_USEC=0
ANCHOR_CPU_REDIS="" REDIS_CMDS=0 REDIS_USEC=0
for s in "${STORES[@]}"; do
  BATCHES[$s]=0 RECORDS[$s]=0 FAILED_BATCHES[$s]=0 DURABLE_US[$s]=0 PAIRS[$s]=0
  HOLDS_FAILED[$s]=0 RELEASES_FAILED[$s]=0 STATUSES[$s]="" FIRST_FAILURE[$s]="" SOCKERR[$s]=0
done
AOF_REWRITES_START=$(info_field persistence aof_rewrites)

store_thread() {  # the group-commit writer thread's name for a store
  case $1 in file) echo atp-journal ;; redis) echo atp-redis ;; *) echo "" ;; esac
}

for (( r = 1; r <= RUNS; r++ )); do
  log "run $r/$RUNS"
  for s in "${STORES[@]}"; do
    out="$TMP/run$r-$s.txt"
    scrape "$s" "$TMP/run$r-$s.metrics-before"
    comm_ticks "${PID[$s]}" >"$TMP/cpu-a-before"
    comm_ticks "$REDIS_PID" >"$TMP/cpu-r-before"
    read -r rcmd_before rusec_before < <(redis_work)
    m_before=$(machine_ticks)
    run_wrk "$out" "$DURATION" "${URL[$s]}"
    m_after=$(machine_ticks)
    read -r rcmd_after rusec_after < <(redis_work)
    comm_ticks "${PID[$s]}" >"$TMP/cpu-a-after"
    comm_ticks "$REDIS_PID" >"$TMP/cpu-r-after"
    check_alive "atpd ($s store)" "${PID[$s]}" "$TMP/atpd-$s.log"
    check_alive redis-server "$REDIS_PID" "$TMP/redis.log"
    scrape "$s" "$TMP/run$r-$s.metrics-after"

    read -r _ p50 p99 _ sock _ < <(parse_wrk "$out") || die "could not parse $out"
    read -r pps _ hfail rok rfail uncl < <(parse_holds "$out") || die "could not parse the summary in $out"
    read -r batches records fbatches durus statuses < \
      <(metrics_delta "$TMP/run$r-$s.metrics-before" "$TMP/run$r-$s.metrics-after")
    read -r acpu adetail < <(cpu_delta "$TMP/cpu-a-before" "$TMP/cpu-a-after" "$DURATION")
    read -r rcpu _ < <(cpu_delta "$TMP/cpu-r-before" "$TMP/cpu-r-after" "$DURATION")
    st=$(store_thread "$s")
    scpu=$([[ -n $st ]] && cores_of "$adetail" "$st" || echo -)

    busy=$(busy_pct "$m_before" "$m_after")
    rest=$(awk -v b="$busy" -v n="$NCPU" -v a="$acpu" -v r="$rcpu" 'BEGIN { x = b * n / 100 - a - r; printf "%.2f", (x < 0 ? 0 : x) }')
    PPS[$s]+=" $pps" P50[$s]+=" $p50" P99[$s]+=" $p99" BUSY[$s]+=" $busy" REST[$s]+=" $rest"
    CPU_ATPD[$s]+=" $acpu" CPU_STORE[$s]+=" $scpu" CPU_REDIS[$s]+=" $rcpu"
    PAIRS[$s]=$(( ${PAIRS[$s]} + rok ))
    HOLDS_FAILED[$s]=$(( ${HOLDS_FAILED[$s]} + hfail + uncl ))
    RELEASES_FAILED[$s]=$(( ${RELEASES_FAILED[$s]} + rfail ))
    SOCKERR[$s]=$(( ${SOCKERR[$s]} + sock ))
    if [[ $s == redis ]]; then
      (( REDIS_CMDS += rcmd_after - rcmd_before, REDIS_USEC += rusec_after - rusec_before )) || true
    fi
    [[ $statuses == none ]] || STATUSES[$s]+="${STATUSES[$s]:+,}$statuses"
    [[ -z ${FIRST_FAILURE[$s]} ]] && FIRST_FAILURE[$s]=$(sed -n 's/^hold_release: first failure: //p' "$out")
    rpb=-
    if [[ $batches != - ]]; then
      BATCHES[$s]=$(( ${BATCHES[$s]} + batches )) RECORDS[$s]=$(( ${RECORDS[$s]} + records ))
      FAILED_BATCHES[$s]=$(( ${FAILED_BATCHES[$s]} + fbatches )) DURABLE_US[$s]=$(( ${DURABLE_US[$s]} + durus ))
      rpb=$(awk -v r="$records" -v b="$batches" 'BEGIN { printf "%.1f", (b > 0 ? r / b : 0) }')
    fi
    printf '    %-7s %10.1f pairs/s   p50 %8.1f us   p99 %9.1f us   holds failed %s, releases failed %s, socket errors %s\n' \
      "$s" "$pps" "$p50" "$p99" "$(( hfail + uncl ))" "$rfail" "$sock" >&2
    if [[ $batches != - ]]; then
      printf '            store: %s batches, %s records, %s records/batch, %s us durable/batch, %s failed batches\n' \
        "$batches" "$records" "$rpb" \
        "$(awk -v u="$durus" -v b="$batches" 'BEGIN { printf "%.0f", (b > 0 ? u / b : 0) }')" "$fbatches" >&2
    fi
    printf '            cpu: atpd %s cores (%s), redis-server %s cores, machine %s%% busy; non-2xx on reservation routes: %s\n' \
      "$acpu" "$adetail" "$rcpu" "$busy" "$statuses" >&2
  done

  # The anchor.
  read -r calls_before failed_before usec_before < <(evalsha_stats)
  comm_ticks "$REDIS_PID" >"$TMP/cpu-r-before"
  m_before=$(machine_ticks)
  run_anchor "run$r" "$ANCHOR_N"
  m_after=$(machine_ticks)
  comm_ticks "$REDIS_PID" >"$TMP/cpu-r-after"
  busy=$(busy_pct "$m_before" "$m_after")
  BUSY[anchor]+=" $busy"
  REST[anchor]+=" $(awk -v b="$busy" -v n="$NCPU" -v r="$rcpu" 'BEGIN { x = b * n / 100 - r; printf "%.2f", (x < 0 ? 0 : x) }')"
  check_alive redis-server "$REDIS_PID" "$TMP/redis.log"
  read -r calls_after failed_after usec_after < <(evalsha_stats)
  read -r rcpu _ < <(cpu_delta "$TMP/cpu-r-before" "$TMP/cpu-r-after" "$AN_ELAPSED")
  PPS[anchor]+=" $AN_PAIRS_PS" P50[anchor]+=" $AN_P50" P99[anchor]+=" $AN_P99"
  ANCHOR_CALLS_PS+=("$AN_CALLS_PS")
  ANCHOR_CPU_REDIS+=" $rcpu"
  (( ANCHOR_CALLS += calls_after - calls_before, ANCHOR_FAILED += failed_after - failed_before,
     ANCHOR_USEC += usec_after - usec_before, ANCHOR_HOLD_CALLS += ANCHOR_N, ANCHOR_RELEASE_CALLS += ANCHOR_N )) || true
  printf '    %-7s %10.1f pairs/s   p50 %8.1f us   p99 %9.1f us   (%s script calls/s over %ss, -n %s per script)\n' \
    anchor "$AN_PAIRS_PS" "$AN_P50" "$AN_P99" "$AN_CALLS_PS" "$AN_ELAPSED" "$ANCHOR_N" >&2
  printf '            %s; redis-server %s cores, machine %s%% busy; EVALSHA failed %s\n' "$AN_DETAIL" "$rcpu" \
    "$busy" "$(( failed_after - failed_before ))" >&2
  ANCHOR_N=$(awk -v r="$AN_RATE" -v d="$DURATION" 'BEGIN { n = int(r * d); if (n < 1000) n = 1000; print n }')
done

# The anchor's cells must add up: every hold succeeded, every call reached its cell.
read -r a_sum a_missing a_extra < <(rcli EVAL "$ANCHOR_CHECK_LUA" 0 "$SKUS" "$ANCHOR_PREFIX" | paste -sd' ')
AOF_REWRITES=$(( $(info_field persistence aof_rewrites) - AOF_REWRITES_START ))
AOF_SIZE=$(info_field persistence aof_current_size)

# --profile: one extra, unrecorded redis-store run with perf attached to atpd and redis-server.
if (( PROFILE )); then
  log "profiling the redis store for ${DURATION}s: perf record --call-graph $PERF_CALLGRAPH -p ${PID[redis]},$REDIS_PID"
  perf record --call-graph "$PERF_CALLGRAPH" -o "$TMP/perf.data" -p "${PID[redis]},$REDIS_PID" -- sleep "$DURATION" \
    >"$TMP/perf-record.log" 2>&1 &
  PERF_PID=$!
  sleep 0.3
  run_wrk "$TMP/profile-wrk.txt" "$DURATION" "${URL[redis]}"
  if wait "$PERF_PID"; then
    PERF_PID=""
    perf report -i "$TMP/perf.data" --stdio --no-children -g none --sort comm,dso \
      2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 30 >"$TMP/perf-by-thread.txt" || true
    perf report -i "$TMP/perf.data" --stdio --no-children -g none --sort comm,sym --percent-limit 0.5 \
      2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 60 >"$TMP/perf-flat.txt" || true
    perf report -i "$TMP/perf.data" --stdio --no-children 2>/dev/null | head -n 120 >"$TMP/perf-graph.txt" || true
    cp "$TMP/perf-by-thread.txt" /tmp/atpd-stores-perf-by-thread.txt
    cp "$TMP/perf-flat.txt" /tmp/atpd-stores-perf-flat.txt
    cp "$TMP/perf-graph.txt" /tmp/atpd-stores-perf.txt
    log "perf: by thread and library /tmp/atpd-stores-perf-by-thread.txt, top symbols /tmp/atpd-stores-perf-flat.txt, call graphs /tmp/atpd-stores-perf.txt"
  else
    PERF_PID=""
    cat "$TMP/perf-record.log" >&2
    warn "perf record failed; no profile"
  fi
fi

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
med() { median $1; }  # med "LIST": median of a space-separated list (word splitting intended)

echo
echo "atpd stores vs a Redis Lua anchor: hold+release, medians of $RUNS runs x ${DURATION}s, $CONNECTIONS connections, $SKUS skus, $(nproc) CPUs"
echo "atpd --threads $SERVER_THREADS, wrk $WRK_THREADS threads + Benchmarks/HTTP/hold_release.lua; redis-server $REDIS_VERSION --appendonly yes --appendfsync $APPENDFSYNC --save ''; file store on ${FILE_FS:-?}"
echo "anchor: redis-benchmark EVALSHA hold (HMGET check + HINCRBY) and release (HINCRBY) scripts at once, $ANCHOR_HOLD_CONNS + $ANCHOR_REL_CONNS connections"
echo
printf '%-38s %12s %10s %10s %14s\n' "store" "pairs/s" "p50 (us)" "p99 (us)" "records/batch"
for s in "${STORES[@]}"; do
  rpb=-
  (( ${BATCHES[$s]} > 0 )) && rpb=$(awk -v r="${RECORDS[$s]}" -v b="${BATCHES[$s]}" 'BEGIN { printf "%.1f", r / b }')
  printf '%-38s %12.1f %10.1f %10.1f %14s\n' "${LABEL[$s]}" "$(med "${PPS[$s]}")" "$(med "${P50[$s]}")" "$(med "${P99[$s]}")" "$rpb"
done
printf '%-38s %12.1f %10.1f %10.1f %14s\n' "Lua anchor (EVALSHA, redis-benchmark)" "$(med "${PPS[anchor]}")" \
  "$(med "${P50[anchor]}")" "$(med "${P99[anchor]}")" "-"
printf '%-38s %12.1f   (script calls/s; hold+release pairs/s = calls/2)\n' "  anchor script calls/s" "$(median "${ANCHOR_CALLS_PS[@]}")"
echo

mem_pps=$(med "${PPS[memory]}") red_pps=$(med "${PPS[redis]}") anc_pps=$(med "${PPS[anchor]}")
ratio_mem=$(awk -v a="$red_pps" -v b="$mem_pps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
ratio_anc=$(awk -v a="$red_pps" -v b="$anc_pps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print ((v >= t) ? "PASS" : "SHORT") }'; }
v_mem=$(verdict "$ratio_mem" "$TARGET_REDIS_VS_MEMORY") v_anc=$(verdict "$ratio_anc" "$TARGET_REDIS_VS_ANCHOR")
printf '%-38s %8s   target >= %.1fx   %s\n' "ratio redis store / memory" "${ratio_mem}x" "$TARGET_REDIS_VS_MEMORY" "$v_mem"
printf '%-38s %8s   target >= %.1fx   %s\n' "ratio atpd redis store / Lua anchor" "${ratio_anc}x" "$TARGET_REDIS_VS_ANCHOR" "$v_anc"
echo

# Where the time goes: group-commit batches, CPU per process (medians over the runs).
echo "group commit and CPU, over all measured runs (cores = CPU seconds per second, medians; other = load generators and anything else):"
printf '  %-8s %10s %12s %14s %16s %11s %13s %12s %12s %13s\n' "store" "batches" "records" "records/batch" "durable us/batch" "atpd cores" "store thread" "redis cores" "other cores" "machine busy"
for s in "${STORES[@]}"; do
  if (( ${BATCHES[$s]} > 0 )); then
    printf '  %-8s %10d %12d %14.1f %16.0f %11s %13s %12s %12s %12s%%\n' "$s" "${BATCHES[$s]}" "${RECORDS[$s]}" \
      "$(awk -v r="${RECORDS[$s]}" -v b="${BATCHES[$s]}" 'BEGIN { print r / b }')" \
      "$(awk -v u="${DURABLE_US[$s]}" -v b="${BATCHES[$s]}" 'BEGIN { print u / b }')" \
      "$(med "${CPU_ATPD[$s]}")" "$(med "${CPU_STORE[$s]}")" "$( [[ $s == redis ]] && med "${CPU_REDIS[$s]}" || echo -)" \
      "$(med "${REST[$s]}")" "$(med "${BUSY[$s]}")"
  else
    printf '  %-8s %10s %12s %14s %16s %11s %13s %12s %12s %12s%%\n' "$s" - - - - "$(med "${CPU_ATPD[$s]}")" - - \
      "$(med "${REST[$s]}")" "$(med "${BUSY[$s]}")"
  fi
done
printf '  %-8s %10s %12s %14s %16s %11s %13s %12s %12s %12s%%\n' anchor - - - - - - "$(med "$ANCHOR_CPU_REDIS")" \
  "$(med "${REST[anchor]}")" "$(med "${BUSY[anchor]}")"
(( ${PAIRS[redis]} > 0 && ${BATCHES[redis]} > 0 )) && printf '  redis store: %.2f records per released pair, %.2f pairs per batch\n' \
  "$(awk -v r="${RECORDS[redis]}" -v p="${PAIRS[redis]}" 'BEGIN { print r / p }')" \
  "$(awk -v b="${BATCHES[redis]}" -v p="${PAIRS[redis]}" 'BEGIN { print p / b }')"
(( ${BATCHES[redis]} > 0 )) && printf '  redis store: redis-server ran %.1f commands per batch (MULTI/EXEC included), %.1f us of command time per batch, %.2f us per released pair\n' \
  "$(awk -v c="$REDIS_CMDS" -v b="${BATCHES[redis]}" 'BEGIN { print c / b }')" \
  "$(awk -v u="$REDIS_USEC" -v b="${BATCHES[redis]}" 'BEGIN { print u / b }')" \
  "$(awk -v u="$REDIS_USEC" -v p="${PAIRS[redis]}" 'BEGIN { print (p > 0 ? u / p : 0) }')"
(( ANCHOR_CALLS > 0 )) && printf '  anchor: redis-server spent %.1f us per EVALSHA call, %.1f us per hold+release pair (INFO commandstats)\n' \
  "$(awk -v u="$ANCHOR_USEC" -v c="$ANCHOR_CALLS" 'BEGIN { print u / c }')" \
  "$(awk -v u="$ANCHOR_USEC" -v c="$ANCHOR_CALLS" 'BEGIN { print 2 * u / c }')"
echo "  redis-server: $AOF_REWRITES AOF rewrites during the measured runs; AOF size at the end ${AOF_SIZE:-?} bytes"
echo

# Anything that makes a figure suspect.
bad=0
for s in "${STORES[@]}"; do
  if (( ${HOLDS_FAILED[$s]} + ${RELEASES_FAILED[$s]} + ${FAILED_BATCHES[$s]} + ${SOCKERR[$s]} > 0 )) || [[ -n ${STATUSES[$s]} ]]; then
    bad=1
    printf 'WARNING: %s store: %d holds and %d releases failed, %d store batches failed, %d wrk socket errors; non-2xx by status (per run): %s\n' \
      "$s" "${HOLDS_FAILED[$s]}" "${RELEASES_FAILED[$s]}" "${FAILED_BATCHES[$s]}" "${SOCKERR[$s]}" "${STATUSES[$s]:-none}"
    [[ -z ${FIRST_FAILURE[$s]} ]] || echo "  first failure: ${FIRST_FAILURE[$s]}"
  fi
done
expected_calls=$(( ANCHOR_HOLD_CALLS + ANCHOR_RELEASE_CALLS ))
if (( ANCHOR_FAILED > 0 || ANCHOR_CALLS != expected_calls )); then
  bad=1
  echo "WARNING: anchor: redis-server counted $ANCHOR_CALLS EVALSHA calls ($expected_calls sent), $ANCHOR_FAILED failed"
fi
if [[ ${a_missing:-x} != 0 || ${a_extra:-x} != 0 ]]; then
  bad=1
  echo "WARNING: anchor cells: $a_missing missing, key past the range exists: $a_extra"
fi
(( bad )) || echo "errors: none (every hold and release answered 2xx; every store batch durable; anchor calls all counted, none failed)"
echo "anchor check: sum of reserved over its cells is ${a_sum:-?} (holds minus releases on random cells: 0 expected, since each script ran the same number of times)"

if (( STRICT )) && [[ $v_mem != PASS || $v_anc != PASS ]]; then
  exit 3
fi
exit 0
