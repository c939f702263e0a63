#!/usr/bin/env bash
# Schemathesis against a real atpd: property-based and stateful tests of every operation in the
# server's own OpenAPI document (GET /openapi.json), then a check that atpd survived them and
# that a restart on the same data directory recovers cleanly.
#
#   Tests/Schemathesis/run.sh [--max-examples N] [--duration SECONDS] [--all-checks]
#                             [--checks LIST] [--seed N] [--workers N] [--no-build]
#                             [--atpd PATH] [-- SCHEMATHESIS_OPTION…]
#
#   --max-examples N   test cases per operation and phase (default 25: well under a minute on 2 cores)
#   --duration S       time budget for Schemathesis: fuzzing and stateful testing repeat until it
#                      is spent (Schemathesis' --max-time; default: none, --max-examples bounds it)
#   --all-checks       keep going after failures (--continue-on-failure) to list them all
#                      (every check runs in any case; see CHECKS)
#   --checks LIST      exactly these checks (comma list, as Schemathesis names them)
#   --seed N           Schemathesis' random seed (default 1, so a run is repeatable; "random": none)
#   --workers N        concurrent Schemathesis workers (default 1)
#   --no-build         use the existing .build/release/atpd
#   --atpd PATH        run this atpd binary (implies --no-build)
#   -- …               everything after -- goes to `schemathesis run` as it is
#
# Needs python3 (with venv), curl and swift. Schemathesis 4.32.5 lives in .build-venv/.
# Reports (JUnit, NDJSON events, and a pytest file that replays each failure) and atpd's logs go
# to .build-schemathesis/ and are kept. Exits non-zero if a check fails, atpd dies or does not
# answer /healthz afterwards, does not stop cleanly on SIGTERM, does not become ready again
# within 30 s after a restart, or logs a crash. The last line is "schemathesis: N passed, M failed": N and M
# count the API operations (the stateful phase as one) that passed or failed every check, plus
# the five server checks (alive, /healthz, clean SIGTERM, ready after restart, no crash logged).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=Benchmarks/lib.sh
source Benchmarks/lib.sh

SCHEMATHESIS_VERSION=4.32.5
# Every Schemathesis check runs. Three contract rules JSON Schema cannot state are declared to
# Schemathesis as expected refusals of otherwise schema-valid requests (positive_data_acceptance),
# in the config written below, for exactly these operations:
# - GET /v1/availability: `location` and `channel` together are a 400 (API.md; a body can say
#   it with `not`, query parameters cannot);
# - PUT /v1/channels/{name}: an endpoint whose host is not an IPv4 address or localhost is a 400
#   (atpd does no DNS); the URL grammar is in the description, not a pattern;
# - POST /v1/reservations: an Idempotency-Key reused with another body is a 422 (state, not
#   shape), and two lines of one (sku, location) are a 400 `duplicate_line` (uniqueness by a key
#   of the items).
CHECKS=all

max_examples=25
duration=""
checks=$CHECKS
continue_on_failure=0
seed=1
workers=1
build=1
atpd=.build/release/atpd
extra=()
while (($#)); do
    case "$1" in
    --max-examples) max_examples=$(value "$1" "$@"); need_int --max-examples "$max_examples" 1; shift 2 ;;
    --duration) duration=$(value "$1" "$@"); need_int --duration "$duration" 1; shift 2 ;;
    --all-checks) continue_on_failure=1; shift ;;
    --checks) checks=$(value "$1" "$@"); shift 2 ;;
    --seed) seed=$(value "$1" "$@"); [[ $seed == random ]] || need_int --seed "$seed" 0; shift 2 ;;
    --workers) workers=$(value "$1" "$@"); need_int --workers "$workers" 1; shift 2 ;;
    --no-build) build=0; shift ;;
    --atpd) atpd=$(value "$1" "$@"); build=0; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
    esac
done

out=.build-schemathesis
mkdir -p "$out"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/atpd-schemathesis.XXXXXX")
ATPD_PID=""
cleanup() {
    if [[ -n $ATPD_PID ]]; then
        STOP_TIMEOUT=5 stop_process "$ATPD_PID"
        ATPD_PID=""
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Schemathesis in .build-venv/
# ---------------------------------------------------------------------------------------------
venv=.build-venv
installed() {
    "$venv/bin/python" -c 'import importlib.metadata as m, sys
sys.exit(m.version("schemathesis") != sys.argv[1])' "$SCHEMATHESIS_VERSION" 2>/dev/null
}
if ! installed; then
    if [[ ! -x $venv/bin/python ]]; then
        log "creating $venv"
        # Debian's python3 has no venv module until python3-venv is installed.
        if ! timeout 120 python3 -m venv "$venv" 2>/dev/null; then
            rm -rf "$venv"
            apt_install python3-venv || die "python3 -m venv failed and python3-venv could not be installed"
            timeout 120 python3 -m venv "$venv"
        fi
    fi
    log "installing schemathesis==$SCHEMATHESIS_VERSION into $venv"
    timeout 600 "$venv/bin/python" -m pip install -q --disable-pip-version-check \
        "schemathesis==$SCHEMATHESIS_VERSION" || die "pip install schemathesis==$SCHEMATHESIS_VERSION failed"
    installed || die "schemathesis $SCHEMATHESIS_VERSION is not importable from $venv"
fi

# ---------------------------------------------------------------------------------------------
# atpd: built (incrementally) as release, started on a free loopback port with a fresh file
# store and one key holding every scope.
# ---------------------------------------------------------------------------------------------
if ((build)); then
    log "building atpd (release; SwiftPM waits if another build holds .build)"
    if ! timeout 3600 swift build -c release --product atpd -Xswiftc -warnings-as-errors \
        >"$out/build.log" 2>&1; then
        tail -n 40 "$out/build.log" >&2
        die "swift build failed (log: $out/build.log)"
    fi
fi
[[ -x $atpd ]] || die "$atpd is not an executable (build it, or drop --no-build)"

token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
printf '# Tests/Schemathesis/run.sh\nschemathesis read,reserve,ingest,admin %s\n' "$token" >"$TMP/keys"
chmod 600 "$TMP/keys"
data=$TMP/data
# shellcheck disable=SC2119  # pick_port takes no argument here
port=$(pick_port)
base=http://127.0.0.1:$port
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
# A crash prints the runtime's message and a quick backtrace, and exits without waiting on a tty.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=yes,interactive=no,symbolicate=fast}

start_atpd() {  # start_atpd LOG: starts atpd in the background and sets ATPD_PID
    "${pin[@]}" "$atpd" --listen "127.0.0.1:$port" --store "file:$data" --api-keys "$TMP/keys" \
        --shutdown-grace 5s 2>"$1" >/dev/null &
    ATPD_PID=$!
}

crash_report() {  # crash_report LOG: the lines of LOG that look like a crash, if any
    grep -aE 'Fatal error|SIGILL|SIGTRAP|SIGSEGV|SIGBUS|SIGABRT|Crash|crashed|Illegal instruction|Trace/breakpoint' \
        "$1" 2>/dev/null | head -n 20 || true
}

log1=$out/atpd.log
log2=$out/atpd-restart.log
start_atpd "$log1"
wait_http atpd "$base/readyz" "$ATPD_PID" "$log1" 30
log "atpd $ATPD_PID on $base, store file:$data"

# ---------------------------------------------------------------------------------------------
# Schemathesis
# ---------------------------------------------------------------------------------------------
report=$out/report
rm -rf "$report"
mkdir -p "$report"
# No cache (Schemathesis would keep one in ./.schemathesis/ and replay earlier failures first):
# with the fixed seed, a run does the same whatever ran before it.
cat >"$TMP/schemathesis.toml" <<'TOML'
[cache]
enabled = false

[[operations]]
include-name = "GET /v1/availability"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]

[[operations]]
include-name = "PUT /v1/channels/{name}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]

[[operations]]
include-name = "POST /v1/reservations"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429", "5xx"]
TOML
args=(--config-file "$TMP/schemathesis.toml" run "$base/openapi.json" --url "$base"
    --header "Authorization: Bearer $token"
    --phases "examples,coverage,fuzzing,stateful"
    --checks "$checks"
    --max-examples "$max_examples"
    --request-timeout 5
    --workers "$workers"
    --generation-database none
    --suppress-health-check "too_slow,filter_too_much"
    --report "junit,ndjson,pytest" --report-dir "$report"
    --no-color)
[[ $seed == random ]] || args+=(--seed "$seed")
((continue_on_failure)) && args+=(--continue-on-failure)
# About 0.6 s per example on 2 cores (all operations and phases); a generous bound.
limit=$((max_examples * 4 > 240 ? max_examples * 4 : 240))
if [[ -n $duration ]]; then
    args+=(--max-time "$duration")
    limit=$((duration + 120))
fi
args+=("${extra[@]}")
log "schemathesis ${checks/#all/all checks} (--max-examples $max_examples${duration:+, --max-time $duration}, seed $seed); output: $out/schemathesis.log"
status=0
timeout --kill-after 10 "$limit" "$venv/bin/schemathesis" "${args[@]}" 2>&1 | tee "$out/schemathesis.log" || status=$?
# `timeout` answers 124 (or 137 after --kill-after) when the run overstays.
if ((status == 124 || status == 137)); then
    warn "schemathesis did not finish within $limit s"
fi

# Operations: Schemathesis' NDJSON event stream has one ScenarioFinished per operation and
# phase (the stateful phase's are all labelled "Stateful tests", counted here as one), each with
# a status. An operation failed if any of its scenarios failed or errored, else it passed if
# any of them ran.
ops=$("$venv/bin/python" - "$report" <<'PY'
import json, pathlib, sys
status = {}
for path in pathlib.Path(sys.argv[1]).glob("*.ndjson"):
    for line in path.read_text().splitlines():
        try:
            finished = json.loads(line).get("ScenarioFinished")
        except ValueError:
            continue
        if not finished:
            continue
        label = (finished.get("recorder") or {}).get("label") or "?"
        outcome = finished.get("status")
        if outcome in ("failure", "error"):
            status[label] = "failed"
        elif outcome == "success" and status.get(label) != "failed":
            status[label] = "passed"
print(sum(s == "passed" for s in status.values()), sum(s == "failed" for s in status.values()))
PY
) || ops="0 0"
read -r ops_passed ops_failed <<<"$ops"
if ((status != 0 && ops_failed == 0)); then
    ops_failed=1  # Schemathesis failed (an error, a timeout) without a failed operation to show
fi

# ---------------------------------------------------------------------------------------------
# atpd survived, stops cleanly, and recovers its data directory
# ---------------------------------------------------------------------------------------------
server_passed=0
server_failed=0
pass() { server_passed=$((server_passed + 1)); log "ok: $*"; }
fail() { server_failed=$((server_failed + 1)); printf '%s: FAIL: %s\n' "${0##*/}" "$*" >&2; }
show_log() {  # show_log LOG
    printf -- '--- last lines of %s\n' "$1" >&2
    tail -n 40 "$1" >&2 2>/dev/null || true
    local crash
    crash=$(crash_report "$1")
    [[ -z $crash ]] || printf -- '--- crash lines of %s\n%s\n' "$1" "$crash" >&2
}

# Collects the exit status of an atpd that ended by itself into STOP_STATUS.
reap_atpd() {
    STOP_STATUS=0
    wait "$ATPD_PID" 2>/dev/null || STOP_STATUS=$?
    ATPD_PID=""
}

if alive "$ATPD_PID"; then
    pass "atpd is still running after the Schemathesis run"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/healthz" || true)
    if [[ $code == 200 ]]; then pass "GET /healthz answers 200"; else fail "GET /healthz answered '$code', not 200"; show_log "$log1"; fi
    STOP_TIMEOUT=15 stop_process "$ATPD_PID"
    ATPD_PID=""
    if ((STOP_STATUS == 0)); then pass "atpd stopped on SIGTERM with status 0"; else fail "atpd exited with status $STOP_STATUS on SIGTERM"; show_log "$log1"; fi
else
    reap_atpd
    fail "atpd died during the Schemathesis run (exit status $STOP_STATUS)"
    fail "GET /healthz: atpd is not running"
    show_log "$log1"
fi

# Restart on the same data directory: recovery replays everything Schemathesis wrote.
start_atpd "$log2"
ready=0
for ((i = 0; i < 300; i++)); do
    alive "$ATPD_PID" || break
    if curl -fsS -o /dev/null --max-time 1 "$base/readyz" 2>/dev/null; then ready=1; break; fi
    sleep 0.1
done
if ((ready)); then
    pass "atpd restarted on the same data directory and /readyz answers 200 (after $((i / 10)).$((i % 10)) s)"
    STOP_TIMEOUT=15 stop_process "$ATPD_PID"
    ATPD_PID=""
elif alive "$ATPD_PID"; then
    fail "atpd restarted but /readyz did not answer 200 within 30 s"
    show_log "$log2"
else
    reap_atpd
    fail "atpd exited (status $STOP_STATUS) while recovering the data directory"
    show_log "$log2"
fi

errors=$(grep -ah '"level":"error"' "$log1" "$log2" 2>/dev/null | sort | uniq -c || true)
if [[ -n $errors ]]; then
    printf -- '--- note: atpd logged errors (not counted as failures):\n%s\n' "$errors" >&2
fi
# A trap or fatal error on some thread: Swift's backtracer writes "Program crashed" to stderr.
crash=$(crash_report "$log1"; crash_report "$log2")
if [[ -n $crash ]]; then
    fail "atpd logged a crash:"
    printf '%s\n' "$crash" >&2
else
    pass "atpd logged no crash (Fatal error, SIGILL, trap, ...)"
fi
log "reports: $report (JUnit, NDJSON, pytest replay); atpd logs: $log1, $log2"
passed=$((ops_passed + server_passed))
failed=$((ops_failed + server_failed))
printf 'schemathesis: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
