# shellcheck shell=bash disable=SC2034  # STOP_STATUS is read by the sourcing scripts
# Shell helpers shared by the benchmark scripts (Benchmarks/*/run.sh); source it, do not run it.
# Messages name the calling script.

STOP_TIMEOUT=${STOP_TIMEOUT:-10}

log() { printf '==> %s\n' "$*" >&2; }

warn() { printf '%s: warning: %s\n' "${0##*/}" "$*" >&2; }

die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# Process state: a process that has exited but not been reaped is a zombie, and `kill -0`
# still succeeds on it, so read its state from /proc.
alive() {
  local pid=$1 state
  [[ -n $pid && -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# Stop a child process of this shell: SIGTERM, wait up to STOP_TIMEOUT s, then SIGKILL.
# Sets STOP_STATUS to its exit status (128+N if a signal N ended it). Call it directly, not in
# $(...): only this shell, the parent, can collect the status.
stop_process() {
  local pid=$1 i
  STOP_STATUS=0
  if alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
  for (( i = 0; i < STOP_TIMEOUT * 10; i++ )); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    warn "pid $pid still running ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || STOP_STATUS=$?
}

# Median of numbers (one per argument); mean of the middle two for an even count.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2];
          else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------
need_int() {  # need_int NAME VALUE MIN
  if ! [[ $2 =~ ^[0-9]+$ ]] || (( $2 < $3 )); then die "$1 must be an integer >= $3 (got '$2')"; fi
}

value() {  # value OPTION "$@": the option's argument, or a clear error
  if (( $# < 3 )) || [[ $3 == --* ]]; then die "$1 needs a value (see --help)"; fi
  printf '%s' "$3"
}

# The options every wrk benchmark (HTTP, Stores, Push) takes, each with a value: sets DURATION,
# CONNECTIONS, WRK_THREADS, SKUS, RUNS, WARMUP or OUT_DIR from "$1 $2" (the caller then shifts
# 2); returns 1 for any other option.
load_option() {  # load_option "$@"
  local name given
  # A script that reads only some of them lists those in LOAD_OPTIONS; the rest are unknown.
  [[ -z ${LOAD_OPTIONS:-} || " $LOAD_OPTIONS " == *" $1 "* ]] || return 1
  case $1 in
    --duration) name=DURATION ;;
    --connections) name=CONNECTIONS ;;
    --threads) name=WRK_THREADS ;;
    --skus) name=SKUS ;;
    --runs) name=RUNS ;;
    --warmup) name=WARMUP ;;
    --out) name=OUT_DIR ;;
    *) return 1 ;;
  esac
  given=$(value "$1" "$@") || exit 1
  printf -v "$name" '%s' "$given"
}

# ---------------------------------------------------------------------------------------------
# Tools: wrk, nginx, curl (and perf for --profile), installed from Debian when we are root.
# ---------------------------------------------------------------------------------------------
apt_install() {  # apt_install PACKAGE... ; refreshes the package lists once if the first try fails
  (( EUID == 0 )) || return 1
  command -v apt-get >/dev/null || return 1
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 && return 0
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

# ---------------------------------------------------------------------------------------------
# Ports: a random loopback port below the kernel's ephemeral range (so no outgoing connection,
# wrk's included, can be holding it) on which nothing answers.
# ---------------------------------------------------------------------------------------------
port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {  # pick_port [PORT_TO_AVOID…]
  local low=20000 high=32767 p tries
  if [[ -r /proc/sys/net/ipv4/ip_local_port_range ]]; then
    read -r high _ </proc/sys/net/ipv4/ip_local_port_range
    (( high -= 1 ))
    (( high > low + 1000 )) || { low=10000; }
  fi
  for (( tries = 0; tries < 200; tries++ )); do
    p=$(( low + (RANDOM * 32768 + RANDOM) % (high - low) ))
    [[ " $* " == *" $p "* ]] && continue
    port_answers "$p" && continue
    if command -v ss >/dev/null && [[ -n $(ss -Htln "sport = :$p" 2>/dev/null) ]]; then continue; fi
    echo "$p"; return 0
  done
  die "found no free loopback port"
}

# Wait until URL answers 2xx, while PID stays alive; on failure show LOG's tail and stop.
wait_http() {  # wait_http NAME URL PID LOG TIMEOUT_SECONDS
  local name=$1 url=$2 pid=$3 logfile=$4 limit=$5 i status
  for (( i = 0; i < limit * 10; i++ )); do
    if ! alive "$pid"; then
      status=0; wait "$pid" 2>/dev/null || status=$?
      printf '%s exited (status %s) before answering %s; last lines of %s:\n' \
        "$name" "$status" "$url" "$logfile" >&2
      tail -n 30 "$logfile" >&2 2>/dev/null || true
      die "$name did not start"
    fi
    if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  printf '%s did not answer %s within %s s; last lines of %s:\n' "$name" "$url" "$limit" "$logfile" >&2
  tail -n 30 "$logfile" >&2 2>/dev/null || true
  die "$name did not become healthy"
}

# Reads wrk --latency output; prints "REQ_PER_S P50_US P99_US NON_2XX SOCKET_ERRORS REQUESTS".
# wrk writes latencies as e.g. 812.00us, 1.25ms, 2.01s (and m/h for absurd values).
parse_wrk() {
  awk '
    function to_us(v,   n, unit) {
      n = v + 0; unit = v; sub(/^[0-9.]+/, "", unit)
      if (unit == "us") return n
      if (unit == "ms") return n * 1000
      if (unit == "s")  return n * 1000000
      if (unit == "m")  return n * 60000000
      if (unit == "h")  return n * 3600000000
      return -1
    }
    /^Requests\/sec:/           { rps = $2 }
    $1 == "50%"                 { p50 = to_us($2) }
    $1 == "99%"                 { p99 = to_us($2) }
    / requests in /             { requests = $1 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ {
      # Socket errors: connect 0, read 0, write 0, timeout 0
      for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { x = $i; sub(/,/, "", x); sockerr += x }
    }
    END {
      if (rps == "" || p50 == "" || p99 == "") exit 1
      printf "%s %.1f %.1f %d %d %d\n", rps, p50, p99, non2xx, sockerr, requests
    }' "$1"
}

# ---------------------------------------------------------------------------------------------
# nginx: the comparison server of the HTTP and Push benchmarks
# ---------------------------------------------------------------------------------------------
# Writes $TMP/nginx.conf: WORKERS worker processes, keep-alive without limits, no access log,
# temp files under $TMP/nginx, one server on 127.0.0.1:PORT whose body is LOCATIONS.
write_nginx_conf() {  # write_nginx_conf WORKERS PORT LOCATIONS
  local user_line=""
  # As root, nginx's workers would switch to user 'nobody'; keep them as the current user.
  (( EUID == 0 )) && user_line="user $(id -un) $(id -gn);"
  mkdir -p "$TMP/nginx"
  cat >"$TMP/nginx.conf" <<EOF
$user_line
worker_processes $1;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    server_tokens off;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    client_body_temp_path $TMP/nginx/client_body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    server {
        listen 127.0.0.1:$2;
$3
    }
}
EOF
}

# ---------------------------------------------------------------------------------------------
# Clean-up: every script defines `cleanup` (stop what it started, remove $TMP) and installs it
# with this; INT and TERM exit with the shell's usual status, which runs the EXIT trap.
# ---------------------------------------------------------------------------------------------
install_cleanup() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# Copy everything in $TMP to DIR (if DIR is set), so the raw outputs outlive the run.
keep_outputs() {  # keep_outputs DIR
  [[ -n $1 ]] || return 0
  if mkdir -p "$1" && cp -r "$TMP"/. "$1"/ 2>/dev/null; then
    log "raw outputs kept in $1"
  else
    warn "could not copy outputs to $1"
  fi
}

# ---------------------------------------------------------------------------------------------
# perf, for --profile
# ---------------------------------------------------------------------------------------------
ensure_perf() {  # returns non-zero (with a warning) if perf cannot be had
  command -v perf >/dev/null && return 0
  log "installing perf (linux-perf)"
  apt_install linux-perf && command -v perf >/dev/null && return 0
  warn "perf is not available (apt-get install -y linux-perf); skipping --profile"
  return 1
}

# ---------------------------------------------------------------------------------------------
# atpd: seeding and liveness
# ---------------------------------------------------------------------------------------------
# POST 'set' events to BASE, BATCH per request: SKU-000001..SKU-nnnnnn (COUNT of them) at DC1,
# UNITS each; dies naming WHO when a request fails or applies fewer events than it carries.
seed_skus() {  # seed_skus BASE COUNT BATCH UNITS WHO
  local base=$1 count=$2 batch=$3 units=$4 who=$5 first last code applied
  for (( first = 1; first <= count; first += batch )); do
    last=$(( first + batch - 1 ))
    (( last <= count )) || last=$count
    awk -v s="$first" -v e="$last" -v u="$units" 'BEGIN {
      printf "{\"events\":["
      for (i = s; i <= e; i++) {
        if (i > s) printf ","
        printf "{\"id\":\"seed-%d\",\"type\":\"set\",\"sku\":\"SKU-%06d\",\"location\":\"DC1\",\"qty\":%d}", i, i, u
      }
      printf "]}"
    }' >"$TMP/seed.json"
    code=$(curl -sS --max-time 60 -o "$TMP/seed.out" -w '%{http_code}' \
      -H 'Content-Type: application/json' --data-binary @"$TMP/seed.json" "$base/v1/events") \
      || die "POST /v1/events to $who failed (curl error)"
    if [[ $code != 200 ]]; then
      head -c 600 "$TMP/seed.out" >&2; echo >&2
      die "seeding $who SKU $first..$last: POST /v1/events answered HTTP $code"
    fi
    applied=$(grep -o '"applied":[0-9]*' "$TMP/seed.out" | head -n1 | cut -d: -f2 || true)
    [[ $applied == $(( last - first + 1 )) ]] \
      || die "seeding $who SKU $first..$last: expected $(( last - first + 1 )) applied, got '${applied:-?}'"
  done
}

# A server that died under load would otherwise show up only as socket errors in the load
# generator's output: dies with the exit status and LOG's tail. PID_VAR, if given, names the
# caller's variable holding PID, emptied so that `cleanup` does not stop it again.
check_alive() {  # check_alive NAME PID LOG [PID_VAR]
  alive "$2" && return 0
  local status=0
  wait "$2" 2>/dev/null || status=$?
  [[ -z ${4:-} ]] || printf -v "$4" '%s' ""
  printf '%s died during the benchmark (exit status %s); last lines of %s:\n' "$1" "$status" "$3" >&2
  tail -n 30 "$3" >&2 2>/dev/null || true
  die "$1 is gone"
}

# ---------------------------------------------------------------------------------------------
# /proc figures
# ---------------------------------------------------------------------------------------------
# utime+stime of a whole process, in clock ticks (fields 14 and 15 of /proc/PID/stat, counted
# after the command name, which may hold spaces).
proc_ticks() {  # proc_ticks PID
  sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# A redis-server on CPU 0 (the server side), saving nothing, its data and log in DIR; the other
# arguments are its own options (e.g. --appendonly yes). Sets REDIS_PID and REDIS_PORT and adds the
# pid to the caller's PIDS array (which its trap stops); waits at most 10 s for PING.
start_pinned_redis() {  # start_pinned_redis DIR [REDIS_OPTION…]
  local dir=$1 i
  shift
  REDIS_PORT=$(pick_port)
  mkdir -p "$dir"
  taskset -c 0 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --dir "$dir" "$@" \
    >"$dir/redis.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for (( i = 0; i < 100; i++ )); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return; sleep 0.1; done
  die "redis-server did not start (see $dir/redis.log)"
}

# utime+stime of every thread of PID, summed by thread name (`comm`, field 2 of
# /proc/PID/task/TID/stat): "NAME<TAB>TICKS" lines. A thread that exits between two readings
# drops out of the second one; proc_ticks still counts it.
comm_ticks() {  # comm_ticks PID
  local f
  for f in /proc/"$1"/task/*/stat; do
    cat "$f" 2>/dev/null || true
    echo
  done | awk '
    NF {
      c = $0; sub(/^[0-9]+ \(/, "", c); sub(/\) [A-Za-z] .*/, "", c)
      r = $0; sub(/.*\) /, "", r); split(r, a, " ")
      t[c] += a[12] + a[13]
    }
    END { for (k in t) printf "%s\t%d\n", k, t[k] }'
}
