#!/usr/bin/env bash
# HTTP benchmark: atpd against nginx, driven by wrk. See README.md beside this file.
#
# What it does, in order:
#   1. makes sure wrk, nginx and curl are installed (apt-get when running as root);
#   2. starts nginx from a config written into a temp dir, answering GET /v1/availability with a
#      fixed 60-byte JSON body (the size of atpd's answer, give or take), and checks that body;
#   3. builds atpd if needed, starts it on loopback with --threads 2 --store memory, waits for
#      /healthz, seeds --skus stock cells through POST /v1/events and checks one GET;
#   4. warms both servers up, then for each run: wrk on nginx, wrk on atpd (both with
#      availability.lua, so the client does the same work), wrk hold+release on atpd
#      (hold_release.lua);
#   5. prints medians over the runs and the atpd/nginx ratios against the targets;
#   6. always stops nginx and atpd and removes the temp dir (trap on EXIT).
#
# Every step is bounded: wrk by --duration (plus a hard timeout), startup waits by fixed timeouts,
# curl calls by --max-time. Only `swift build` (when it has to build) has no limit of its own.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------
DURATION=10          # seconds per wrk run
CONNECTIONS=64       # wrk connections
WRK_THREADS=2        # wrk threads
SKUS=10000           # catalogue size seeded into atpd and drawn from by the wrk scripts
RUNS=3               # alternating repetitions; the report shows medians
WARMUP=2             # seconds of unrecorded load on each server before the first run
BUILD=0              # 1: always run `swift build` first
PROFILE=0            # 1: one extra availability run under `perf record`
NGINX_ONLY=0         # 1: benchmark nginx alone (tests this script without atpd)
STRICT=0             # 1: exit 3 when a target is missed
OUT_DIR=""           # if set: keep wrk outputs, configs and logs there

SERVER_THREADS=2             # atpd --threads and nginx worker_processes
BODY_BYTES=60                # nginx's fixed body, bytes
TARGET_RPS_RATIO=0.8         # atpd req/s must be >= 0.8 x nginx req/s
TARGET_P99_RATIO=2.0         # atpd p99 must be <= 2 x nginx p99
HOLD_TTL=60                  # ttlSeconds on benchmark holds (leftovers expire by themselves)
SEED_BATCH=5000              # events per POST /v1/events (the API's maximum)
HEALTH_TIMEOUT=20            # seconds to wait for atpd /healthz
NGINX_TIMEOUT=10             # seconds to wait for nginx to answer
PERF_CALLGRAPH=${PERF_CALLGRAPH:-fp}   # perf --call-graph mode (fp = -g; try dwarf for Swift)
ATPD_BIN_DEFAULT="$ROOT/.build/release/atpd"

usage() {
  cat <<EOF
Usage: Benchmarks/HTTP/run.sh [options]

Compares atpd with nginx serving a fixed 60-byte JSON body, using wrk on loopback.

Options:
  --duration SECONDS   length of each wrk run (default $DURATION)
  --connections N      wrk connections (default $CONNECTIONS)
  --threads N          wrk threads (default $WRK_THREADS)
  --skus N             stock cells seeded in atpd and drawn from by the scripts (default $SKUS)
  --runs N             alternating repetitions, medians reported (default $RUNS)
  --warmup SECONDS     unrecorded load on each server before run 1, 0 to skip (default $WARMUP)
  --build              run 'swift build -c release --product atpd' even if the binary exists
  --profile            one extra atpd availability run under 'perf record';
                       the report is copied to /tmp/atpd-perf.txt
  --nginx-only         skip atpd entirely (to test this script, or to measure nginx alone)
  --out DIR            keep raw wrk outputs, nginx config and server logs in DIR
  --strict             exit with status 3 if a target is missed
  -h, --help           this text

Environment:
  ATPD_BIN             atpd binary to run (default .build/release/atpd, built if missing)
  NGINX_BIN            nginx binary (default: nginx on PATH, else /usr/sbin/nginx)
  PERF_CALLGRAPH       perf --call-graph mode for --profile (default fp; dwarf for deeper stacks)

Targets: atpd GET availability req/s >= ${TARGET_RPS_RATIO} x nginx, p99 <= ${TARGET_P99_RATIO} x nginx.
EOF
}


while (( $# > 0 )); do
  case $1 in
    --build) BUILD=1; shift ;;
    --profile) PROFILE=1; shift ;;
    --nginx-only) NGINX_ONLY=1; shift ;;
    --strict) STRICT=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) load_option "$@" || { usage >&2; die "unknown option '$1'"; }; shift 2 ;;
  esac
done
need_int --duration "$DURATION" 1
need_int --connections "$CONNECTIONS" 1
need_int --threads "$WRK_THREADS" 1
need_int --skus "$SKUS" 1
need_int --runs "$RUNS" 1
need_int --warmup "$WARMUP" 0
(( CONNECTIONS >= WRK_THREADS )) || die "--connections must be >= --threads (wrk requires it)"





find_nginx() {
  if [[ -n ${NGINX_BIN:-} ]]; then echo "$NGINX_BIN"; return; fi
  command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true
}

ensure_tools() {
  if ! command -v curl >/dev/null; then
    log "installing curl"
    apt_install curl || die "curl is missing: apt-get install -y curl"
  fi
  if ! command -v wrk >/dev/null; then
    log "installing wrk"
    apt_install wrk || die "wrk is missing: apt-get install -y wrk (as root)"
  fi
  NGINX=$(find_nginx)
  if [[ -z $NGINX ]]; then
    # nginx-light is the smallest build on Debian 12; later releases only have 'nginx'.
    # (On a machine booted with systemd the package may also start the system nginx on :80.)
    log "installing nginx"
    apt_install nginx-light || apt_install nginx \
      || die "nginx is missing: apt-get install -y nginx-light (or nginx), as root"
    NGINX=$(find_nginx)
    [[ -n $NGINX ]] || die "nginx installed but not found on PATH or in /usr/sbin"
  fi
  [[ -x $NGINX ]] || die "nginx binary '$NGINX' is not executable"
}




# ---------------------------------------------------------------------------------------------
# Temp dir and cleanup
# ---------------------------------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/atpd-bench.XXXXXX")
NGINX_PID="" ATPD_PID="" PERF_PID=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $PERF_PID ]] && alive "$PERF_PID"; then
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
  fi
  if [[ -n $NGINX_PID ]]; then
    stop_process "$NGINX_PID"
  fi
  if [[ -n $ATPD_PID ]] && alive "$ATPD_PID"; then
    stop_process "$ATPD_PID"
    # The API promises a graceful exit 0 on SIGTERM; say so when it does not happen.
    if [[ $STOP_STATUS != 0 ]]; then
      warn "atpd exited with status $STOP_STATUS after SIGTERM (expected 0); log tail:"
      tail -n 15 "$TMP/atpd.log" >&2 2>/dev/null || true
    fi
  fi
  keep_outputs "$OUT_DIR"
  rm -rf "$TMP"
  exit "$rc"
}
install_cleanup


# ---------------------------------------------------------------------------------------------
# nginx: fixed JSON body of exactly BODY_BYTES bytes on location = /v1/availability
# ---------------------------------------------------------------------------------------------
# The body has the shape of atpd's answer for one sku, padded with JSON whitespace (spaces and a
# final newline, which any JSON parser ignores) to exactly BODY_BYTES bytes.
make_nginx_body() {
  local json='{"items":[{"sku":"SKU-000001","available":1000000}]}'
  local pad=$(( BODY_BYTES - ${#json} - 1 ))
  (( pad >= 0 )) || die "BODY_BYTES=$BODY_BYTES is smaller than the JSON it must hold"
  printf '%s%*s' "$json" "$pad" ''
}

start_nginx() {
  local port=$1 body
  body=$(make_nginx_body)
  # Check the size now, before nginx ever sees it: payload + the trailing "\n" nginx adds.
  (( $(printf '%s\n' "$body" | wc -c) == BODY_BYTES )) || die "nginx body is not $BODY_BYTES bytes"
  [[ $body != *[\'\$\\]* ]] || die "nginx body must not contain quote, dollar or backslash"
  write_nginx_conf "$SERVER_THREADS" "$port" "
        # $BODY_BYTES bytes: one availability item padded with JSON whitespace.
        location = /v1/availability {
            types { }
            default_type application/json;
            return 200 '$body\\n';
        }
        location / { return 404; }"
  "$NGINX" -t -q -e "$TMP/nginx-error.log" -p "$TMP" -c "$TMP/nginx.conf" >"$TMP/nginx.out" 2>&1 \
    || { cat "$TMP/nginx.out" "$TMP/nginx-error.log" >&2 2>/dev/null; die "nginx rejected its config"; }
  "$NGINX" -e "$TMP/nginx-error.log" -p "$TMP" -c "$TMP/nginx.conf" >>"$TMP/nginx.out" 2>&1 &
  NGINX_PID=$!
  wait_http nginx "http://127.0.0.1:$port/v1/availability?sku=SKU-000001" "$NGINX_PID" \
    "$TMP/nginx-error.log" "$NGINX_TIMEOUT"
}

# Print "BODY_BYTES HEADER_BYTES CONTENT_TYPE STATUS" for a GET, keeping the body in FILE.
probe_get() {  # probe_get URL FILE
  curl -sS --max-time 5 -o "$2" -w '%{size_download} %{size_header} %{content_type} %{http_code}\n' "$1"
}

check_nginx() {
  local url=$1 size hdr ctype code
  read -r size hdr ctype code < <(probe_get "$url" "$TMP/nginx-body")
  [[ $code == 200 ]] || die "nginx answered HTTP $code on $url"
  [[ $size == "$BODY_BYTES" ]] || die "nginx body is $size bytes, expected $BODY_BYTES"
  (( $(wc -c <"$TMP/nginx-body") == BODY_BYTES )) || die "nginx body on disk is not $BODY_BYTES bytes"
  [[ $ctype == application/json ]] || die "nginx Content-Type is '$ctype', expected application/json"
  NGINX_SHAPE="$size B body + $hdr B headers, $ctype"
}

# ---------------------------------------------------------------------------------------------
# atpd: build, start, wait for /healthz, seed, check
# ---------------------------------------------------------------------------------------------
resolve_atpd() {
  local bin=${ATPD_BIN:-$ATPD_BIN_DEFAULT}
  if (( BUILD )) || [[ -z ${ATPD_BIN:-} && ! -x $bin ]]; then
    command -v swift >/dev/null || die "swift is not on PATH; cannot build atpd (or set ATPD_BIN)"
    log "building atpd: swift build -c release --product atpd (log: $TMP/build.log)"
    if ! (cd "$ROOT" && swift build -c release --product atpd) >"$TMP/build.log" 2>&1; then
      tail -n 25 "$TMP/build.log" >&2
      die "swift build of atpd failed (see above). If this checkout has no atpd product yet, use --nginx-only"
    fi
  fi
  [[ -e $bin ]] || die "atpd binary not found at $bin (set ATPD_BIN, pass --build, or use --nginx-only)"
  [[ -x $bin ]] || die "atpd binary $bin is not executable"
  ATPD=$bin
}

start_atpd() {
  local port=$1
  "$ATPD" --listen "127.0.0.1:$port" --threads "$SERVER_THREADS" --store memory \
    >"$TMP/atpd.log" 2>&1 &
  ATPD_PID=$!
  wait_http atpd "http://127.0.0.1:$port/healthz" "$ATPD_PID" "$TMP/atpd.log" "$HEALTH_TIMEOUT"
}

check_atpd() {
  local base=$1 size hdr ctype code id
  read -r size hdr ctype code < <(probe_get "$base/v1/availability?sku=SKU-000001" "$TMP/atpd-body")
  [[ $code == 200 ]] || { head -c 600 "$TMP/atpd-body" >&2; echo >&2; die "atpd GET availability answered HTTP $code"; }
  grep -q '"available":1000000' "$TMP/atpd-body" \
    || { cat "$TMP/atpd-body" >&2; echo >&2; die "atpd does not report the seeded 1000000 for SKU-000001"; }
  [[ ${ctype%%;*} == application/json ]] || warn "atpd Content-Type is '$ctype', expected application/json"
  ATPD_SHAPE="$size B body + $hdr B headers, $ctype"

  # One hold and its release by hand, so a broken write path shows up as a clear message here
  # rather than as a wall of failures in wrk. If it fails, the hold+release row is skipped.
  HOLDS_OK=1
  code=$(curl -sS --max-time 5 -o "$TMP/hold.out" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary '{"lines":[{"sku":"SKU-000001","location":"DC1","qty":1}],"ttlSeconds":60}' \
    "$base/v1/reservations") || code=000
  id=$(grep -o '"id" *: *"r_[^"]*"' "$TMP/hold.out" | head -n1 | sed 's/.*"\(r_[^"]*\)"$/\1/' || true)
  if [[ $code != 201 || -z $id ]]; then
    warn "hold check: POST /v1/reservations answered HTTP $code: $(head -c 300 "$TMP/hold.out")"
    warn "skipping the hold+release benchmark"
    HOLDS_OK=0; return 0
  fi
  code=$(curl -sS --max-time 5 -o "$TMP/release.out" -w '%{http_code}' -X POST -H 'Content-Length: 0' \
    "$base/v1/reservations/$id/release") || code=000
  if [[ $code != 200 ]]; then
    warn "release check: POST /v1/reservations/$id/release answered HTTP $code: $(head -c 300 "$TMP/release.out")"
    warn "skipping the hold+release benchmark"
    HOLDS_OK=0
  fi
}

# ---------------------------------------------------------------------------------------------
# wrk and its output
# ---------------------------------------------------------------------------------------------
run_wrk() {  # run_wrk OUTFILE SECONDS URL SCRIPT [SCRIPT_ARGS...]
  local out=$1 secs=$2 url=$3 script=$4
  shift 4
  # --foreground keeps wrk in our process group so Ctrl-C reaches it; -k kills a hung wrk.
  if ! timeout --foreground -k 5 $(( secs + 30 )) \
      wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${secs}s" --latency -s "$script" "$url" -- "$@" \
      >"$out" 2>&1; then
    cat "$out" >&2
    die "wrk failed or timed out against $url"
  fi
  grep -q '^Requests/sec:' "$out" || { cat "$out" >&2; die "wrk printed no Requests/sec line"; }
}


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
ensure_tools
(( PROFILE )) && { ensure_perf || PROFILE=0; }

# Find (or build) atpd first: a missing binary should fail before anything is started.
(( NGINX_ONLY )) || resolve_atpd

NGINX_PORT=$(pick_port)
NGINX_URL="http://127.0.0.1:$NGINX_PORT"
log "nginx on $NGINX_URL ($("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), $SERVER_THREADS workers)"
start_nginx "$NGINX_PORT"
check_nginx "$NGINX_URL/v1/availability?sku=SKU-000001"
log "nginx answers: $NGINX_SHAPE"

ATPD_SHAPE="" HOLDS_OK=0
if (( ! NGINX_ONLY )); then
  ATPD_PORT=$(pick_port "$NGINX_PORT")
  ATPD_URL="http://127.0.0.1:$ATPD_PORT"
  log "atpd on $ATPD_URL ($ATPD, --threads $SERVER_THREADS --store memory; log $TMP/atpd.log)"
  start_atpd "$ATPD_PORT"
  log "seeding $SKUS stock cells (SKU-000001.. at DC1, 1000000 each)"
  seed_skus "$ATPD_URL" "$SKUS" "$SEED_BATCH" 1000000 atpd
  check_atpd "$ATPD_URL"
  log "atpd answers: $ATPD_SHAPE"
fi

AVAIL_LUA="$HERE/availability.lua"
HOLD_LUA="$HERE/hold_release.lua"
AVAIL_PATH="/v1/availability?sku=SKU-000001"

per_run=$(( DURATION + (NGINX_ONLY ? 0 : DURATION * (1 + HOLDS_OK)) ))
log "settings: $RUNS runs x ${DURATION}s, wrk $WRK_THREADS threads x $CONNECTIONS connections, $SKUS skus, $(nproc) CPUs shared by client and servers"
log "expected time: about $(( RUNS * per_run + 3 * WARMUP + PROFILE * DURATION + 5 )) s"

if (( WARMUP > 0 )); then
  log "warm-up: ${WARMUP}s per target (not recorded)"
  run_wrk "$TMP/warmup-nginx.txt" "$WARMUP" "$NGINX_URL$AVAIL_PATH" "$AVAIL_LUA" "$SKUS"
  if (( ! NGINX_ONLY )); then
    run_wrk "$TMP/warmup-atpd.txt" "$WARMUP" "$ATPD_URL$AVAIL_PATH" "$AVAIL_LUA" "$SKUS"
    (( HOLDS_OK )) && run_wrk "$TMP/warmup-hold.txt" "$WARMUP" "$ATPD_URL" "$HOLD_LUA" "$SKUS" "$HOLD_TTL"
  fi
fi

# Per-run figures, one array element per run.
N_RPS=() N_P50=() N_P99=() A_RPS=() A_P50=() A_P99=() H_PPS=() H_P50=() H_P99=()
N_BAD=0 A_BAD=0 N_SOCK=0 A_SOCK=0 H_FAILED=0 H_SOCK=0 H_FIRST=""

fmt_run() {  # fmt_run LABEL RPS P50 P99 NON2XX SOCKERR
  printf '    %-22s %12.1f req/s   p50 %9.1f us   p99 %9.1f us   non-2xx %s   socket errors %s\n' "$@" >&2
}

for (( r = 1; r <= RUNS; r++ )); do
  log "run $r/$RUNS"

  run_wrk "$TMP/run$r-nginx.txt" "$DURATION" "$NGINX_URL$AVAIL_PATH" "$AVAIL_LUA" "$SKUS"
  check_alive nginx "$NGINX_PID" "$TMP/nginx-error.log" NGINX_PID
  read -r rps p50 p99 bad sock _ < <(parse_wrk "$TMP/run$r-nginx.txt") \
    || die "could not parse $TMP/run$r-nginx.txt"
  N_RPS+=("$rps") N_P50+=("$p50") N_P99+=("$p99")
  (( N_BAD += bad, N_SOCK += sock )) || true
  fmt_run "nginx" "$rps" "$p50" "$p99" "$bad" "$sock"

  (( NGINX_ONLY )) && continue

  run_wrk "$TMP/run$r-atpd.txt" "$DURATION" "$ATPD_URL$AVAIL_PATH" "$AVAIL_LUA" "$SKUS"
  check_alive atpd "$ATPD_PID" "$TMP/atpd.log" ATPD_PID
  read -r rps p50 p99 bad sock _ < <(parse_wrk "$TMP/run$r-atpd.txt") \
    || die "could not parse $TMP/run$r-atpd.txt"
  A_RPS+=("$rps") A_P50+=("$p50") A_P99+=("$p99")
  (( A_BAD += bad, A_SOCK += sock )) || true
  fmt_run "atpd availability" "$rps" "$p50" "$p99" "$bad" "$sock"

  (( HOLDS_OK )) || continue
  run_wrk "$TMP/run$r-hold.txt" "$DURATION" "$ATPD_URL" "$HOLD_LUA" "$SKUS" "$HOLD_TTL"
  check_alive atpd "$ATPD_PID" "$TMP/atpd.log" ATPD_PID
  read -r rps p50 p99 bad sock _ < <(parse_wrk "$TMP/run$r-hold.txt") \
    || die "could not parse $TMP/run$r-hold.txt"
  pps=$(sed -n 's/^hold_release: pairs\/s=\([0-9.]*\).*/\1/p' "$TMP/run$r-hold.txt")
  failed=$(sed -n 's/^hold_release: holds .* failed=\([0-9]*\) releases.*/\1/p' "$TMP/run$r-hold.txt")
  [[ -n $pps && -n $failed ]] || { cat "$TMP/run$r-hold.txt" >&2; die "hold_release.lua printed no summary"; }
  H_PPS+=("$pps") H_P50+=("$p50") H_P99+=("$p99")
  (( H_FAILED += failed, H_SOCK += sock )) || true
  [[ -z $H_FIRST ]] && H_FIRST=$(sed -n 's/^hold_release: first failure: //p' "$TMP/run$r-hold.txt")
  fmt_run "atpd hold+release" "$pps" "$p50" "$p99" "$bad" "$sock"
  sed -n 's/^hold_release: holds/      holds/p' "$TMP/run$r-hold.txt" >&2
done

# --profile: one extra, unrecorded availability run with perf attached to the server.
if (( PROFILE )); then
  if (( NGINX_ONLY )); then
    # Without atpd, profile nginx's workers instead, so the profiling path itself can be tested.
    prof_name=nginx prof_url="$NGINX_URL$AVAIL_PATH"
    prof_pids=$(pgrep -P "$NGINX_PID" | paste -sd, -)
  else
    prof_name=atpd prof_url="$ATPD_URL$AVAIL_PATH" prof_pids=$ATPD_PID
  fi
  log "profiling $prof_name (pids $prof_pids) for ${DURATION}s: perf record --call-graph $PERF_CALLGRAPH"
  perf record --call-graph "$PERF_CALLGRAPH" -o "$TMP/perf.data" -p "$prof_pids" -- sleep "$DURATION" \
    >"$TMP/perf-record.log" 2>&1 &
  PERF_PID=$!
  sleep 0.3
  run_wrk "$TMP/profile-wrk.txt" "$DURATION" "$prof_url" "$AVAIL_LUA" "$SKUS"
  if wait "$PERF_PID"; then
    PERF_PID=""
    perf report -i "$TMP/perf.data" --stdio --no-children >"$TMP/perf-full.txt" 2>"$TMP/perf-report.log" || true
    head -n 60 "$TMP/perf-full.txt" >"$TMP/$prof_name-perf.txt"
    perf report -i "$TMP/perf.data" --stdio --no-children -g none --percent-limit 0.5 \
      2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 40 >"$TMP/$prof_name-perf-flat.txt" || true
    cp "$TMP/$prof_name-perf.txt" "/tmp/$prof_name-perf.txt"
    cp "$TMP/$prof_name-perf-flat.txt" "/tmp/$prof_name-perf-flat.txt"
    log "perf report (call graphs, first 60 lines): $TMP/$prof_name-perf.txt -> copied to /tmp/$prof_name-perf.txt"
    log "flat profile (top symbols): /tmp/$prof_name-perf-flat.txt"
  else
    PERF_PID=""
    cat "$TMP/perf-record.log" >&2
    warn "perf record failed; no profile"
  fi
fi

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
row() {  # row LABEL RPS P50 P99  ("-" for missing values)
  if [[ $2 == - ]]; then
    printf '%-30s %14s %12s %12s\n' "$1" "-" "-" "-"
  else
    printf '%-30s %14.1f %12.1f %12.1f\n' "$1" "$2" "$3" "$4"
  fi
}

# verdict VALUE OP TARGET -> PASS or SHORT
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "PASS" : "SHORT" }'; }

n_rps=$(median "${N_RPS[@]}") n_p50=$(median "${N_P50[@]}") n_p99=$(median "${N_P99[@]}")
a_rps=- a_p50=- a_p99=- h_pps=- h_p50=- h_p99=-
if (( ! NGINX_ONLY )); then
  a_rps=$(median "${A_RPS[@]}") a_p50=$(median "${A_P50[@]}") a_p99=$(median "${A_P99[@]}")
  if (( HOLDS_OK )); then
    h_pps=$(median "${H_PPS[@]}") h_p50=$(median "${H_P50[@]}") h_p99=$(median "${H_P99[@]}")
  fi
fi

echo
echo "atpd vs nginx: medians of $RUNS runs x ${DURATION}s, wrk $WRK_THREADS threads x $CONNECTIONS connections, $SKUS skus, $(nproc) CPUs"
echo "nginx: $NGINX_SHAPE${ATPD_SHAPE:+; atpd: $ATPD_SHAPE}"
echo
printf '%-30s %14s %12s %12s\n' "" "req/s median" "p50 (us)" "p99 (us)"
row "nginx static $BODY_BYTES B" "$n_rps" "$n_p50" "$n_p99"
row "atpd GET availability" "$a_rps" "$a_p50" "$a_p99"
row "atpd hold+release (pairs/s)" "$h_pps" "$h_p50" "$h_p99"
echo

missed=0
if (( NGINX_ONLY )); then
  echo "ratios: n/a (--nginx-only)"
else
  rps_ratio=$(awk -v a="$a_rps" -v n="$n_rps" 'BEGIN { printf "%.2f", a / n }')
  p99_ratio=$(awk -v a="$a_p99" -v n="$n_p99" 'BEGIN { printf "%.2f", a / n }')
  rps_verdict=$(verdict "$rps_ratio" ">=" "$TARGET_RPS_RATIO")
  p99_verdict=$(verdict "$p99_ratio" "<=" "$TARGET_P99_RATIO")
  printf '%-30s %8s   target >= %.1fx   %s\n' "ratio atpd/nginx req/s" "$rps_ratio" "$TARGET_RPS_RATIO" "$rps_verdict"
  printf '%-30s %8s   target <= %.1fx   %s\n' "ratio atpd/nginx p99" "$p99_ratio" "$TARGET_P99_RATIO" "$p99_verdict"
  [[ $rps_verdict == PASS && $p99_verdict == PASS ]] || missed=1
fi

# Anything that makes the figures suspect goes under the table, not only into the logs.
(( N_BAD == 0 )) || echo "WARNING: nginx answered $N_BAD non-2xx responses over all runs"
(( A_BAD == 0 )) || echo "WARNING: atpd answered $A_BAD non-2xx availability responses over all runs: its req/s is not a valid result"
(( N_SOCK + A_SOCK == 0 )) || echo "note: wrk socket errors (connect/read/write/timeout): nginx $N_SOCK, atpd $A_SOCK"
if (( ! NGINX_ONLY && HOLDS_OK )); then
  echo "holds that failed (non-201) over all runs: $H_FAILED"
  (( H_SOCK == 0 )) || echo "note: wrk socket errors in hold+release runs: $H_SOCK"
  [[ -z $H_FIRST ]] || echo "first hold/release failure: $H_FIRST"
elif (( ! NGINX_ONLY )); then
  echo "hold+release: skipped (the single hold/release check failed; see the warning above)"
fi

if (( STRICT && missed )); then
  exit 3
fi
exit 0
