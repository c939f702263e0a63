#!/usr/bin/env bash
# Chaos rehearsal: the real atpd release binary on the Redis store, loaded by ChaosRehearsal
# while this script kills and restarts things on a schedule; then every acknowledged change is
# checked. See Benchmarks/CHAOS.md.
#
# It starts, on free loopback ports in a temporary directory:
#   redis-server   --appendonly yes --appendfsync always
#   atpd           --store redis://… --events-stream chaos-events --api-keys (one key, all scopes)
#   the receiver   ChaosRehearsal receive: the channel's webhook endpoint, logging what it gets
#   the client     ChaosRehearsal drive: seeds, defines the channel, loads for --duration s,
#                  then settles, reads back, and prints the checks and the summary
# and, as the load runs, at fixed fractions of --duration:
#   20% and 68%  Redis SIGTERM, restart
#   40%          kill -9 atpd AND Redis (the machine goes down); Redis reloads its append-only file
#   12%-33%      the endpoint answers 500;  50%-63%  the endpoint is stopped (connections refused)
#   --kills N    more kill -9 of atpd (default 30), evenly between 3% and 75%, each restarted at once
# Every wait is bounded and the whole run (after the build) is bounded by --duration + 120 s;
# everything started is stopped on exit. Exit status: the client's (0 every check passed,
# 1 a check failed), or non-zero when the rehearsal itself could not run.
# shellcheck disable=SC2317  # cleanup and the fault functions are called indirectly (trap, SCHEDULE)
set -euo pipefail
STOP_TIMEOUT=5  # read by lib.sh's stop_process
# shellcheck source=../lib.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=60
WORKERS=6
KILLS=30
SEED=""
OUT_DIR=""
BUILD=1
SCRATCH=${SCRATCH_PATH:-.build}
STREAM=chaos-events

usage() {
  cat <<EOF
Usage: Benchmarks/Chaos/run.sh [options]

Options:
  --duration SECONDS   load time; faults are spread over it (default $DURATION, at least 20).
                       The whole rehearsal, build excluded, ends within SECONDS + 120 s.
  --kills N            kill -9 and restart atpd N times besides the crash at 40% (default $KILLS)
  --workers N          HTTP client threads (default $WORKERS)
  --seed N             the client's random seed (default: random)
  --out DIR            keep the logs in DIR: atpd, redis, the receiver's webhook.log, faults.log
                       and the client's ledger.tsv (every request re-sent or wrongly answered)
  --no-build           use the binaries as they are (else: swift build -c release, incremental)
  -h, --help           this text

Environment:
  SCRATCH_PATH   swift build --scratch-path (default .build)
  ATPD_BIN       atpd binary (default \$SCRATCH_PATH/release/atpd)
  CHAOS_BIN      ChaosRehearsal binary (default \$SCRATCH_PATH/release/ChaosRehearsal)
EOF
}

while (( $# > 0 )); do
  case $1 in
    --duration) DURATION=$(value "$1" "$@"); shift 2 ;;
    --workers) WORKERS=$(value "$1" "$@"); shift 2 ;;
    --kills) KILLS=$(value "$1" "$@"); shift 2 ;;
    --seed) SEED=$(value "$1" "$@"); shift 2 ;;
    --out) OUT_DIR=$(value "$1" "$@"); shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done
need_int --duration "$DURATION" 20
need_int --workers "$WORKERS" 1
need_int --kills "$KILLS" 0
[[ -z $SEED ]] || need_int --seed "$SEED" 0

for tool in redis-server redis-cli curl timeout; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y redis-server curl coreutils)"
done
ATPD=${ATPD_BIN:-$ROOT/$SCRATCH/release/atpd}
CHAOS=${CHAOS_BIN:-$ROOT/$SCRATCH/release/ChaosRehearsal}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/atpd-chaos.XXXXXX")
if (( BUILD )); then
  for product in atpd ChaosRehearsal; do
    log "swift build -c release --scratch-path $SCRATCH --product $product"
    (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product "$product") >"$TMP/build.log" 2>&1 \
      || { tail -n 25 "$TMP/build.log" >&2; rm -rf "$TMP"; die "swift build of $product failed"; }
  done
fi
[[ -x $ATPD ]] || { rm -rf "$TMP"; die "atpd not found at $ATPD"; }
[[ -x $CHAOS ]] || { rm -rf "$TMP"; die "ChaosRehearsal not found at $CHAOS"; }

# ---------------------------------------------------------------------------------------------
# Processes, clean-up, the bound
# ---------------------------------------------------------------------------------------------
BOUND=$(( DURATION + 120 ))
START=$SECONDS
REDIS_PID="" ATPD_PID="" HOOK_PID="" DRIVER_PID=""
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "$DRIVER_PID" "$HOOK_PID" "$ATPD_PID" "$REDIS_PID"; do
    [[ -n $pid ]] && stop_process "$pid"
  done
  keep_outputs "$OUT_DIR"
  rm -rf "$TMP"
  exit "$rc"
}
install_cleanup

left() { echo $(( BOUND - (SECONDS - START) )); }  # seconds left of the bound

REDIS_PORT=$(pick_port)
ATPD_PORT=$(pick_port "$REDIS_PORT")
HOOK_PORT=$(pick_port "$ATPD_PORT")
[[ $HOOK_PORT != "$REDIS_PORT" ]] || HOOK_PORT=$(pick_port "$REDIS_PORT")
TOKEN=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
SECRET="whsec_$(head -c 24 /dev/urandom | base64)"
printf 'chaos read,reserve,ingest,admin %s\n' "$TOKEN" >"$TMP/api-keys"
mkdir -p "$TMP/redis"
FAULTS=$TMP/faults.log
: >"$FAULTS"

start_redis() {  # appendfsync always; the AOF in $TMP/redis survives restarts
  local i
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes --appendfsync always \
    --dir "$TMP/redis" --daemonize no --logfile "$TMP/redis.log" >>"$TMP/redis.out" 2>&1 &
  REDIS_PID=$!
  for (( i = 0; i < 100; i++ )); do
    alive "$REDIS_PID" || { tail -n 20 "$TMP/redis.log" >&2; die "redis-server exited at start"; }
    [[ $(timeout 2 redis-cli -p "$REDIS_PORT" PING 2>/dev/null) == PONG ]] && return 0
    sleep 0.1
  done
  die "redis-server did not answer PING within 10 s"
}

start_atpd() {  # same port, same Redis, same stream every time; waits for /readyz
  "$ATPD" --listen "127.0.0.1:$ATPD_PORT" --threads 2 --store "redis://127.0.0.1:$REDIS_PORT" \
    --events-stream "$STREAM" --api-keys "$TMP/api-keys" --shutdown-grace 2s >>"$TMP/atpd.log" 2>&1 &
  ATPD_PID=$!
  wait_http atpd "http://127.0.0.1:$ATPD_PORT/readyz" "$ATPD_PID" "$TMP/atpd.log" 30
}

start_receiver() {
  local i
  "$CHAOS" receive --port "$HOOK_PORT" --log "$TMP/webhook.log" --fail-flag "$TMP/hook-fails" \
    --secret "$SECRET" >>"$TMP/receiver.out" 2>&1 &
  HOOK_PID=$!
  for (( i = 0; i < 100; i++ )); do
    alive "$HOOK_PID" || { cat "$TMP/receiver.out" >&2; die "the webhook receiver exited at start"; }
    port_answers "$HOOK_PORT" && return 0
    sleep 0.1
  done
  die "the webhook receiver did not listen within 10 s"
}

fault() {  # fault KIND: one line in the fault log, which the client reads
  printf '%s %s\n' "$(date +%s%3N)" "$1" >>"$FAULTS"
  log "[$(( SECONDS - LOAD_START ))s] $1"
}

kill9() {  # kill9 PID: SIGKILL and reap
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# The faults
# ---------------------------------------------------------------------------------------------
atpd_kill() { kill9 "$ATPD_PID"; fault atpd-kill; start_atpd; }
redis_term() { fault redis-term; stop_process "$REDIS_PID"; sleep 1.5; start_redis; }
crash_both() {  # the machine goes down: both SIGKILLed, Redis reloads its append-only file
  kill9 "$ATPD_PID"; fault atpd-kill
  kill9 "$REDIS_PID"; fault redis-kill
  sleep 1; start_redis; start_atpd
}
hook_fail() { touch "$TMP/hook-fails"; fault hook-500; }
hook_down() { stop_process "$HOOK_PID"; HOOK_PID=""; fault hook-down; }
hook_up() {
  rm -f "$TMP/hook-fails"
  [[ -n $HOOK_PID ]] || start_receiver
  fault hook-up
}
# "PER-MILLE-OF-DURATION FAULT" pairs, in time order.
schedule() {
  local k
  printf '%s\n' "120 hook_fail" "200 redis_term" "330 hook_up" "400 crash_both" "500 hook_down" "630 hook_up" \
    "680 redis_term"
  for (( k = 0; k < KILLS; k++ )); do
    printf '%s atpd_kill\n' $(( 30 + k * 720 / (KILLS > 1 ? KILLS - 1 : 1) ))
  done
}
mapfile -t SCHEDULE < <(schedule | sort -n -s -k1,1)

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------
log "redis :$REDIS_PORT, atpd :$ATPD_PORT, webhook receiver :$HOOK_PORT, in $TMP; bound $BOUND s"
start_redis
start_atpd
start_receiver
driver_args=(drive --target "http://127.0.0.1:$ATPD_PORT" --redis "redis://127.0.0.1:$REDIS_PORT"
  --stream "$STREAM" --webhook "http://127.0.0.1:$HOOK_PORT/hook" --secret "$SECRET"
  --fault-log "$FAULTS" --started-file "$TMP/started" --receiver-log "$TMP/webhook.log"
  --ledger-out "$TMP/ledger.tsv"
  --duration "$DURATION" --workers "$WORKERS")
[[ -z $SEED ]] || driver_args+=(--seed "$SEED")
# The client gets what is left of the bound, less 15 s for the clean-up.
client_limit=$(( $(left) - 15 ))
(( client_limit > 0 )) || die "starting the servers used up the bound of $BOUND s"
ATP_CHAOS_TOKEN=$TOKEN timeout -k 5 "$client_limit" "$CHAOS" "${driver_args[@]}" &
DRIVER_PID=$!
for (( i = 0; i < 400; i++ )); do
  [[ -e $TMP/started ]] && break
  alive "$DRIVER_PID" || break
  sleep 0.1
done
[[ -e $TMP/started ]] || die "the client did not start its load within 40 s"
LOAD_START=$SECONDS
LOAD_START_NS=$(date +%s%N)
for entry in "${SCHEDULE[@]}"; do
  read -r permille action <<<"$entry"
  at_ns=$(( LOAD_START_NS + permille * DURATION * 1000000 ))
  now_ns=$(date +%s%N)
  (( at_ns <= now_ns )) || sleep "$(awk -v d=$(( at_ns - now_ns )) 'BEGIN { printf "%.3f", d / 1e9 }')"
  alive "$DRIVER_PID" || die "the client exited during the fault schedule"
  "$action"
done
fault end
status=0
wait "$DRIVER_PID" || status=$?
DRIVER_PID=""
(( status != 124 && status != 137 )) || warn "the client was stopped at the bound of $BOUND s"
log "rehearsal took $(( SECONDS - START )) s (bound $BOUND s, build excluded); client exit status $status"
exit "$status"
