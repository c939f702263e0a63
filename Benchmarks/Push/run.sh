#!/usr/bin/env bash
# Channel push benchmark. See README.md beside this file.
#
#   Part 1 (lag):  PushBenchmarks lag — one channel, in-process Service + HTTPServer receiver:
#                  p50/p99 propagation lag, updates/s and requests/s, only-latest check, idle
#                  dispatcher CPU.
#   Part 2 (cost): a real atpd release binary seeded as Benchmarks/HTTP/run.sh does, driven by wrk
#                  with Benchmarks/HTTP/availability.lua, in three configurations per run:
#                    base    no writer, no channels
#                    writer  background writer (POST /v1/events at a steady rate), no channels
#                    push    the writer + CHANNELS channels at CHANNEL_RATE req/s each, all pushing
#                            to one nginx `return 204`
#                  and reports the API's req/s and p99, atpd's CPU, the push threads' CPU, and the
#                  pushes/s, with the ratios push/writer and push/base. Before the runs it measures
#                  atpd's idle CPU (no channels, no load) over IDLE_SECONDS from /proc.
#
# Every step is bounded (wrk by its duration plus a hard timeout, start-up waits, curl
# --max-time); on exit the script stops everything it started (trap on EXIT).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
AVAIL_LUA="$ROOT/Benchmarks/HTTP/availability.lua"

# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------
PART=all            # lag | cost | all
DURATION=4          # seconds per wrk run
RUNS=3              # repetitions of (base, writer, push); medians reported
WARMUP=2            # seconds of unrecorded wrk load before the first run
CONNECTIONS=64
WRK_THREADS=2
SKUS=10000
SERVER_THREADS=2    # atpd --threads
CHANNELS=50
CHANNEL_RATE=5      # ratePerSecond of every channel
CHANNEL_BURST=5
MAX_BATCH=100
WRITER_RATE=1000    # events/s from the background writer
WRITER_BATCH=50     # events per POST /v1/events
IDLE_SECONDS=5
LAG_ARGS=""         # extra arguments for PushBenchmarks lag
OUT_DIR=""
SEED_BATCH=5000
SCRATCH=${SCRATCH_PATH:-.build}

usage() {
  cat <<EOF
Usage: Benchmarks/Push/run.sh [options]

Options:
  --part lag|cost|all    which part to run (default $PART)
  --duration SECONDS     wrk run length in part 2 (default $DURATION)
  --runs N               repetitions of base/writer/push, medians reported (default $RUNS)
  --warmup SECONDS       unrecorded wrk load before run 1 (default $WARMUP)
  --connections N        wrk connections (default $CONNECTIONS)
  --threads N            wrk threads (default $WRK_THREADS)
  --skus N               cells seeded and read (default $SKUS)
  --channels N           channels in the push configuration (default $CHANNELS)
  --channel-rate R       their ratePerSecond (default $CHANNEL_RATE); burst = --channel-burst ($CHANNEL_BURST)
  --writer-rate N        events/s of the background writer (default $WRITER_RATE)
  --writer-batch N       events per POST (default $WRITER_BATCH)
  --idle-seconds S       idle CPU measurement of atpd (default $IDLE_SECONDS)
  --lag-args "ARGS"      extra arguments for part 1 (PushBenchmarks lag --help)
  --out DIR              keep raw outputs and logs in DIR
  -h, --help             this text

Environment:
  SCRATCH_PATH    swift build --scratch-path used to find/build the binaries (default .build)
  ATPD_BIN        atpd binary (default \$SCRATCH_PATH/release/atpd, built when missing)
  PUSHBENCH_BIN   PushBenchmarks binary (default \$SCRATCH_PATH/release/PushBenchmarks, built when missing)
  NGINX_BIN       nginx binary (default: nginx on PATH, else /usr/sbin/nginx)
EOF
}

# lib.sh's value, except that --lag-args may take a value starting with dashes.
value() { (( $# >= 3 )) && [[ $3 != --* || $1 == --lag-args ]] || die "$1 needs a value (see --help)"; printf '%s' "$3"; }

while (( $# > 0 )); do
  case $1 in
    --part) PART=$(value "$1" "$@"); shift 2 ;;
    --channels) CHANNELS=$(value "$1" "$@"); shift 2 ;;
    --channel-rate) CHANNEL_RATE=$(value "$1" "$@"); shift 2 ;;
    --channel-burst) CHANNEL_BURST=$(value "$1" "$@"); shift 2 ;;
    --writer-rate) WRITER_RATE=$(value "$1" "$@"); shift 2 ;;
    --writer-batch) WRITER_BATCH=$(value "$1" "$@"); shift 2 ;;
    --idle-seconds) IDLE_SECONDS=$(value "$1" "$@"); shift 2 ;;
    --lag-args) LAG_ARGS=$(value "$1" "$@"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) load_option "$@" || { usage >&2; die "unknown option '$1'"; }; shift 2 ;;
  esac
done
[[ $PART == lag || $PART == cost || $PART == all ]] || die "--part must be lag, cost or all"
need_int --duration "$DURATION" 1
need_int --runs "$RUNS" 1
need_int --warmup "$WARMUP" 0
need_int --skus "$SKUS" 1
need_int --channels "$CHANNELS" 1
need_int --writer-rate "$WRITER_RATE" 1
need_int --writer-batch "$WRITER_BATCH" 1
need_int --idle-seconds "$IDLE_SECONDS" 1




# ---------------------------------------------------------------------------------------------
# Binaries
# ---------------------------------------------------------------------------------------------
build_product() {  # build_product PRODUCT
  command -v swift >/dev/null || die "swift is not on PATH; set ATPD_BIN / PUSHBENCH_BIN"
  log "building $1: swift build -c release --scratch-path $SCRATCH --product $1"
  (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product "$1") >"$TMP/build-$1.log" 2>&1 \
    || { tail -n 25 "$TMP/build-$1.log" >&2; die "swift build of $1 failed"; }
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/atpd-push-bench.XXXXXX")
NGINX_PID="" ATPD_PID="" WRITER_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n $WRITER_PID ]] && stop_process "$WRITER_PID"
  [[ -n $NGINX_PID ]] && stop_process "$NGINX_PID"
  if [[ -n $ATPD_PID ]] && alive "$ATPD_PID"; then
    stop_process "$ATPD_PID"
    [[ $STOP_STATUS == 0 ]] || { warn "atpd exited with status $STOP_STATUS after SIGTERM; log tail:"; tail -n 15 "$TMP/atpd.log" >&2 || true; }
  fi
  keep_outputs "$OUT_DIR"
  rm -rf "$TMP"
  exit "$rc"
}
install_cleanup

PUSHBENCH=${PUSHBENCH_BIN:-$ROOT/$SCRATCH/release/PushBenchmarks}
[[ -n ${PUSHBENCH_BIN:-} || -x $PUSHBENCH ]] || build_product PushBenchmarks
[[ -x $PUSHBENCH ]] || die "PushBenchmarks not found at $PUSHBENCH"

# ---------------------------------------------------------------------------------------------
# Part 1
# ---------------------------------------------------------------------------------------------
if [[ $PART == lag || $PART == all ]]; then
  log "part 1: $PUSHBENCH lag $LAG_ARGS"
  echo "=== Part 1: propagation lag and throughput, one channel ==="
  # shellcheck disable=SC2086
  timeout --foreground -k 5 300 "$PUSHBENCH" lag $LAG_ARGS
  echo
fi
[[ $PART == lag ]] && exit 0

# ---------------------------------------------------------------------------------------------
# Part 2: tools, ports, nginx receiver, atpd
# ---------------------------------------------------------------------------------------------
command -v wrk >/dev/null || die "wrk is missing (apt-get install -y wrk)"
command -v curl >/dev/null || die "curl is missing"
NGINX=${NGINX_BIN:-$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)}
[[ -x $NGINX ]] || die "nginx is missing (apt-get install -y nginx-light)"
ATPD=${ATPD_BIN:-$ROOT/$SCRATCH/release/atpd}
[[ -n ${ATPD_BIN:-} || -x $ATPD ]] || build_product atpd
[[ -x $ATPD ]] || die "atpd not found at $ATPD"



start_nginx() {  # one worker answering 204 to everything, bodies discarded
  local port=$1
  write_nginx_conf 1 "$port" '        location / { return 204; }'
  "$NGINX" -e "$TMP/nginx-error.log" -p "$TMP" -c "$TMP/nginx.conf" >"$TMP/nginx.out" 2>&1 &
  NGINX_PID=$!
  wait_http nginx "http://127.0.0.1:$port/hook" "$NGINX_PID" "$TMP/nginx-error.log" 10
}

# ---------------------------------------------------------------------------------------------
# /proc figures
# ---------------------------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
# "NS TICKS VOLUNTARY_SWITCHES" summed over the threads of PID whose comm starts with PREFIX
thread_cpu() {  # thread_cpu PID PREFIX
  local t ns=0 ticks=0 sw=0 a b c
  for t in /proc/"$1"/task/*; do
    [[ $(cat "$t/comm" 2>/dev/null) == "$2"* ]] || continue
    read -r a _ <"$t/schedstat" || continue
    b=$(sed 's/.*) //' "$t/stat" | awk '{ print $12 + $13 }')
    c=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$t/status")
    (( ns += a, ticks += b, sw += c )) || true
  done
  echo "$ns $ticks $sw"
}
now_ns() { date +%s%N; }
nginx_ticks() {  # master + workers
  local total=0 p
  for p in "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); do (( total += $(proc_ticks "$p") )) || true; done
  echo "$total"
}
# "SENT UPDATES FAILED THROTTLED PENDING" summed over channels, from /metrics
push_totals() {
  curl -sS --max-time 5 "$ATPD_URL/metrics" | awk '
    /^atpd_push_sent_total\{/ { s += $NF } /^atpd_push_updates_sent_total\{/ { u += $NF }
    /^atpd_push_failed_attempts_total\{/ { f += $NF } /^atpd_push_throttled_total\{/ { t += $NF }
    /^atpd_push_pending\{/ { p += $NF }
    END { printf "%d %d %d %d %d\n", s, u, f, t, p }'
}

define_channels() {
  local i code
  for (( i = 1; i <= CHANNELS; i++ )); do
    code=$(curl -sS --max-time 5 -o "$TMP/put.out" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
      --data-binary "{\"endpoint\":\"http://127.0.0.1:$NGINX_PORT/hook/ch$i\",\"ratePerSecond\":$CHANNEL_RATE,\"burst\":$CHANNEL_BURST,\"maxBatch\":$MAX_BATCH,\"maxAttempts\":8}" \
      "$ATPD_URL/v1/channels/ch$i") || die "PUT /v1/channels/ch$i failed"
    [[ $code == 200 || $code == 201 ]] || { cat "$TMP/put.out" >&2; die "PUT /v1/channels/ch$i answered $code"; }
  done
}
delete_channels() {
  local i
  for (( i = 1; i <= CHANNELS; i++ )); do
    curl -sS --max-time 5 -o /dev/null -X DELETE "$ATPD_URL/v1/channels/ch$i" || die "DELETE /v1/channels/ch$i failed"
  done
}

run_wrk() {  # run_wrk OUTFILE SECONDS
  timeout --foreground -k 5 $(( $2 + 30 )) wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${2}s" --latency \
    -s "$AVAIL_LUA" "$ATPD_URL/v1/availability?sku=SKU-000001" -- "$SKUS" >"$1" 2>&1 \
    || { cat "$1" >&2; die "wrk failed"; }
}

# ---------------------------------------------------------------------------------------------
# Part 2: main
# ---------------------------------------------------------------------------------------------
echo "=== Part 2: CPU cost of pushing while serving the availability benchmark ==="
NGINX_PORT=$(pick_port)
start_nginx "$NGINX_PORT"
ATPD_PORT=$(pick_port "$NGINX_PORT")
ATPD_URL="http://127.0.0.1:$ATPD_PORT"
log "atpd on $ATPD_URL ($ATPD --threads $SERVER_THREADS --store memory); nginx receiver on :$NGINX_PORT"
"$ATPD" --listen "127.0.0.1:$ATPD_PORT" --threads "$SERVER_THREADS" --store memory >"$TMP/atpd.log" 2>&1 &
ATPD_PID=$!
wait_http atpd "$ATPD_URL/healthz" "$ATPD_PID" "$TMP/atpd.log" 20
log "seeding $SKUS cells"
seed_skus "$ATPD_URL" "$SKUS" "$SEED_BATCH" 1000000 atpd
curl -fsS --max-time 5 "$ATPD_URL/v1/availability?sku=SKU-000001" | grep -q '"available":1000000' || die "seeded availability not visible"

# Idle: no channels, no load, the dispatcher polling.
sleep 1
read -r i_ns0 i_tk0 i_sw0 < <(thread_cpu "$ATPD_PID" atp-push)
p0=$(proc_ticks "$ATPD_PID"); t0=$(now_ns)
sleep "$IDLE_SECONDS"
read -r i_ns1 i_tk1 i_sw1 < <(thread_cpu "$ATPD_PID" atp-push)
p1=$(proc_ticks "$ATPD_PID"); t1=$(now_ns)
idle_line=$(awk -v ns=$(( i_ns1 - i_ns0 )) -v tk=$(( i_tk1 - i_tk0 )) -v sw=$(( i_sw1 - i_sw0 )) -v pt=$(( p1 - p0 )) \
  -v el=$(( t1 - t0 )) -v hz="$CLK_TCK" 'BEGIN { s = el / 1e9
  printf "atpd idle %.1f s (no channels, no load): whole process %.2f%% of a core (/proc/<pid>/stat, %d ticks); atp-push thread %.2f%% (schedstat; %d ticks), %.0f wakeups/s", s, pt / hz / s * 100, pt, ns / 1e9 / s * 100, tk, sw / s }')
echo "$idle_line"

if (( WARMUP > 0 )); then
  log "warm-up ${WARMUP}s"
  run_wrk "$TMP/warmup.txt" "$WARMUP"
fi

declare -A RPS P50 P99 CPU USPERREQ PUSHCPU PUSHES UPDATES NGX BYRUN
CONFIGS=(base writer push)
BAD=0
log "expected time: about $(( RUNS * 3 * (DURATION + 2) )) s"
for (( r = 1; r <= RUNS; r++ )); do
  # The order rotates from run to run, so that drift (a neighbour's load, warm-up) does not
  # always favour the same configuration.
  for (( k = 0; k < 3; k++ )); do
    cfg=${CONFIGS[$(( (r - 1 + k) % 3 ))]}
    [[ $cfg == push ]] && define_channels
    if [[ $cfg != base ]]; then
      "$PUSHBENCH" writer --port "$ATPD_PORT" --rate "$WRITER_RATE" --batch "$WRITER_BATCH" --skus "$SKUS" \
        --seconds $(( DURATION + 5 )) --tag "r$r$cfg" >"$TMP/writer-$r-$cfg.txt" 2>&1 &
      WRITER_PID=$!
    fi
    sleep 1     # writer and channels under way before measuring
    read -r s0 u0 f0 th0 _ < <(push_totals)
    read -r c_ns0 _ _ < <(thread_cpu "$ATPD_PID" atp-push)
    pt0=$(proc_ticks "$ATPD_PID"); nt0=$(nginx_ticks); t0=$(now_ns)
    run_wrk "$TMP/wrk-$r-$cfg.txt" "$DURATION"
    read -r c_ns1 _ _ < <(thread_cpu "$ATPD_PID" atp-push)
    pt1=$(proc_ticks "$ATPD_PID"); nt1=$(nginx_ticks); t1=$(now_ns)
    read -r s1 u1 f1 th1 pend < <(push_totals)
    alive "$ATPD_PID" || die "atpd died; log: $(tail -n 20 "$TMP/atpd.log")"
    wline="-"
    if [[ -n $WRITER_PID ]]; then
      stop_process "$WRITER_PID"; WRITER_PID=""
      wline=$(grep '^writer:' "$TMP/writer-$r-$cfg.txt" || echo "writer printed nothing")
    fi
    if [[ $cfg == push ]]; then
      SENDERS=$(grep -lx 'atp-push-sender' /proc/"$ATPD_PID"/task/*/comm 2>/dev/null | wc -l)
      delete_channels
    fi
    read -r rps p50 p99 bad _ < <(parse_wrk "$TMP/wrk-$r-$cfg.txt") || die "cannot parse wrk output"
    (( BAD += bad )) || true
    el=$(( t1 - t0 ))
    cpu=$(awk -v t=$(( pt1 - pt0 )) -v el=$el -v hz="$CLK_TCK" 'BEGIN { printf "%.3f", t / hz / (el / 1e9) }')
    pcpu=$(awk -v ns=$(( c_ns1 - c_ns0 )) -v el=$el 'BEGIN { printf "%.4f", ns / el }')
    pushes=$(awk -v n=$(( s1 - s0 )) -v el=$el 'BEGIN { printf "%.1f", n / (el / 1e9) }')
    upd=$(awk -v n=$(( u1 - u0 )) -v el=$el 'BEGIN { printf "%.0f", n / (el / 1e9) }')
    ngx=$(awk -v t=$(( nt1 - nt0 )) -v el=$el -v hz="$CLK_TCK" 'BEGIN { printf "%.3f", t / hz / (el / 1e9) }')
    usreq=$(awk -v c="$cpu" -v r="$rps" 'BEGIN { printf "%.2f", c / r * 1e6 }')
    BYRUN[$cfg,$r]="$rps $p99"
    RPS[$cfg]+="$rps " P50[$cfg]+="$p50 " P99[$cfg]+="$p99 " CPU[$cfg]+="$cpu " PUSHCPU[$cfg]+="$pcpu " USPERREQ[$cfg]+="$usreq "
    PUSHES[$cfg]+="$pushes " UPDATES[$cfg]+="$upd " NGX[$cfg]+="$ngx "
    printf '    run %d %-6s %10.1f req/s  p50 %7.1f us  p99 %8.1f us  non-2xx %s  atpd CPU %s cores (%s us/req)  push threads %s cores  pushes/s %s  updates/s %s  failed %d  throttled %d  pending at end %s  nginx CPU %s\n      %s\n' \
      "$r" "$cfg" "$rps" "$p50" "$p99" "$bad" "$cpu" "$usreq" "$pcpu" "$pushes" "$upd" $(( f1 - f0 )) $(( th1 - th0 )) "${pend:-0}" "$ngx" "$wline" >&2
  done
done

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
echo
echo "medians of $RUNS runs x ${DURATION}s; wrk $WRK_THREADS threads x $CONNECTIONS connections on availability.lua, $SKUS skus; atpd --threads $SERVER_THREADS --store memory; $(nproc) CPUs shared by wrk, atpd, writer and nginx; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
echo "writer: $WRITER_RATE events/s ($WRITER_BATCH per POST /v1/events); push: $CHANNELS channels x ratePerSecond $CHANNEL_RATE, burst $CHANNEL_BURST, maxBatch $MAX_BATCH -> one nginx worker answering 204"
echo "$idle_line"
echo
printf '%-28s %10s %9s %9s %12s %10s %14s %9s %10s %12s\n' "" "req/s" "p50 (us)" "p99 (us)" "atpd CPU" "us CPU/req" "push threads" "pushes/s" "updates/s" "nginx CPU"
declare -A M_RPS M_P99
for cfg in "${CONFIGS[@]}"; do
  # shellcheck disable=SC2086
  M_RPS[$cfg]=$(median ${RPS[$cfg]}) M_P99[$cfg]=$(median ${P99[$cfg]})
  case $cfg in
    base) label="no writer, no channels" ;;
    writer) label="writer, no channels" ;;
    push) label="writer + $CHANNELS channels" ;;
  esac
  # shellcheck disable=SC2086
  printf '%-28s %10.1f %9.1f %9.1f %6.3f cores %10.2f %8.4f cores %9.1f %10.0f %6.3f cores\n' "$label" "${M_RPS[$cfg]}" "$(median ${P50[$cfg]})" \
    "${M_P99[$cfg]}" "$(median ${CPU[$cfg]})" "$(median ${USPERREQ[$cfg]})" "$(median ${PUSHCPU[$cfg]})" "$(median ${PUSHES[$cfg]})" \
    "$(median ${UPDATES[$cfg]})" "$(median ${NGX[$cfg]})"
done
echo
awk -v p="${M_RPS[push]}" -v w="${M_RPS[writer]}" -v b="${M_RPS[base]}" -v pp="${M_P99[push]}" -v wp="${M_P99[writer]}" -v bp="${M_P99[base]}" 'BEGIN {
  printf "ratio of medians   req/s  push/writer %.3f   push/base %.3f   writer/base %.3f\n", p / w, p / b, w / b
  printf "ratio of medians   p99    push/writer %.3f   push/base %.3f   writer/base %.3f\n", pp / wp, pp / bp, wp / bp }'
# Ratios within each run (the three configurations ran back to back), then their median: less
# sensitive than the ratio of medians to load that comes and goes between runs.
R_PW=() R_PB=() R_WB=() Q_PW=() Q_PB=() Q_WB=()
for (( r = 1; r <= RUNS; r++ )); do
  read -r br bq <<<"${BYRUN[base,$r]}"; read -r wr wq <<<"${BYRUN[writer,$r]}"; read -r pr pq <<<"${BYRUN[push,$r]}"
  R_PW+=("$(awk -v a="$pr" -v b="$wr" 'BEGIN { printf "%.3f", a / b }')") R_PB+=("$(awk -v a="$pr" -v b="$br" 'BEGIN { printf "%.3f", a / b }')")
  R_WB+=("$(awk -v a="$wr" -v b="$br" 'BEGIN { printf "%.3f", a / b }')")
  Q_PW+=("$(awk -v a="$pq" -v b="$wq" 'BEGIN { printf "%.3f", a / b }')") Q_PB+=("$(awk -v a="$pq" -v b="$bq" 'BEGIN { printf "%.3f", a / b }')")
  Q_WB+=("$(awk -v a="$wq" -v b="$bq" 'BEGIN { printf "%.3f", a / b }')")
done
printf 'median of per-run  req/s  push/writer %.3f   push/base %.3f   writer/base %.3f   (per run push/writer: %s)\n' \
  "$(median "${R_PW[@]}")" "$(median "${R_PB[@]}")" "$(median "${R_WB[@]}")" "${R_PW[*]}"
printf 'median of per-run  p99    push/writer %.3f   push/base %.3f   writer/base %.3f   (per run push/writer: %s)\n' \
  "$(median "${Q_PW[@]}")" "$(median "${Q_PB[@]}")" "$(median "${Q_WB[@]}")" "${Q_PW[*]}"
# shellcheck disable=SC2086
awk -v pc="$(median ${PUSHCPU[push]})" -v wc="$(median ${PUSHCPU[writer]})" -v n="$(median ${PUSHES[push]})" -v u="$(median ${UPDATES[push]})" \
  -v ch="$CHANNELS" -v lim="$CHANNEL_RATE" 'BEGIN {
  per_req = n > 0 ? (pc - wc) / n * 1e6 : 0; per_upd = u > 0 ? (pc - wc) / u * 1e6 : 0
  printf "push threads: %.4f cores with %d channels (%.4f without channels) = %.1f us CPU per webhook request, %.2f us per update; %.2f req/s per channel (ratePerSecond %s)\n", pc, ch, wc, per_req, per_upd, n / ch, lim }'
echo "atp-push-sender threads in atpd after the push runs: ${SENDERS:-?}; atpd threads in all: $(ls /proc/"$ATPD_PID"/task | wc -l)"
(( BAD == 0 )) || echo "WARNING: $BAD non-2xx availability responses over all runs"
