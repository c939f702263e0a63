#!/usr/bin/env bash
# Deploy/check.sh: every check of Deploy/ that a tool on this machine can run.
#
#   bash Deploy/check.sh
#
# Runs from any directory; needs root only to apt-get install a missing tool (it says so when it
# does). A check that cannot run here is reported as SKIP with the reason, never left out
# silently. Exits 1 if any check failed. CI runs it after the test suite (.ci/run).
#
# What it runs, in order:
#   scripts     bash -n and shellcheck on Deploy/*.sh
#   systemd     systemd-analyze verify and security --offline on atpd.service; the unit against
#               the env example (stop timeout above the shutdown grace, file limit above the
#               connection cap)
#   prometheus  promtool check config / check rules / test rules; every metric in alerts.yml is
#               one atpd exports; every alert has a runbook section and a firing and a quiet test
#   config      every ATP_* variable and atpd flag used in Deploy/ exists in ConfigurationParser
#   container   Containerfile packages exist in bookworm and cover the binary's libraries;
#               compose.yaml parses, passes docker-compose's schema and matches the set-up
#   install     install.sh into a scratch root, twice (idempotence), with and without --redis
#   redis       redis-server loads redis/redis.conf; CONFIG GET shows its durability settings
#   live        the static release build (as install.sh and the Containerfile build it) runs
#               with the env example: healthcheck.sh, /readyz, /metrics names, a hold that
#               survives SIGTERM and a restart (file store and Redis), reconcile with `set`,
#               stream dead letters and their replay, Redis backup and restore (RUNBOOK.md's
#               procedures); under strace, its syscalls, socket families and written paths
#               against the unit's SystemCallFilter, RestrictAddressFamilies and ReadWritePaths
set -uo pipefail
trap 'exit 130' INT TERM

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo" || exit 1
deploy="$repo/Deploy"
parser="$repo/Sources/ATPService/Config/ConfigurationParser.swift"
# Every module writes its own /metrics families: the files that implement `writeMetrics(to:)`.
metrics_sources="$repo/Sources"
work="$(mktemp -d /tmp/atpd-deploy-check.XXXXXX)"
started_pids=()

cleanup() {
    local pid child children=()
    # Children too: an atpd started under strace is strace's child.
    for pid in "${started_pids[@]}"; do
        for child in /proc/"$pid"/task/*/children; do
            [[ -r "$child" ]] && read -r -a children <"$child" && started_pids+=("${children[@]}")
        done
    done
    # Only processes that are still what this script started (a pid can be reused).
    ours() { grep -qaE 'redis-server|strace|atpd' "/proc/$1/cmdline" 2>/dev/null; }
    for pid in "${started_pids[@]}"; do
        ours "$pid" && kill "$pid" 2>/dev/null
    done
    sleep 0.2
    for pid in "${started_pids[@]}"; do
        ours "$pid" && kill -9 "$pid" 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT

# ---- reporting ---------------------------------------------------------------------------------
rows=()
passed=0
failed=0
skipped=0
record() { rows+=("$1|$2|$3"); }
pass() { record PASS "$1" "$2"; passed=$((passed + 1)); echo "    PASS  $1: $2"; }
fail() { record FAIL "$1" "$2"; failed=$((failed + 1)); echo "    FAIL  $1: $2"; }
skip() { record SKIP "$1" "$2"; skipped=$((skipped + 1)); echo "    SKIP  $1: $2"; }
section() { printf '\n--- %s\n' "$1"; }
# run NAME DETAIL COMMAND...: runs the command, shows its output indented, records the outcome,
# and returns the command's success.
run() {
    local name="$1" detail="$2"
    shift 2
    if "$@" >"$work/run.out" 2>&1; then
        sed 's/^/      /' "$work/run.out" | tail -n 15
        pass "$name" "$detail"
    else
        sed 's/^/      /' "$work/run.out" | tail -n 40
        fail "$name" "$detail"
        return 1
    fi
}

# have TOOL PACKAGE: true if TOOL is in PATH, installing PACKAGE with apt-get first if it is not
# and we are root. Says what it does.
have() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "    ($1 missing: apt-get install $2)"
    apt_install "$2"
    command -v "$1" >/dev/null 2>&1
}
apt_install() {
    ((EUID == 0)) && command -v apt-get >/dev/null 2>&1 || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1; }
}

# A free TCP port on loopback (the kernel picks it).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for SECONDS COMMAND...: polls every 0.1 s until the command succeeds.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS >= deadline)) && return 1
        sleep 0.1
    done
}

# A python3 with PyYAML (Debian's python3-yaml, which docker-compose pulls in, or any other).
find_python() {
    local candidate
    for candidate in python3 /usr/bin/python3; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import yaml' >/dev/null 2>&1; then
            python="$candidate"
            return 0
        fi
    done
    return 1
}
python=""
if ! find_python; then
    echo "    (no python3 with PyYAML: apt-get install python3-yaml)"
    apt_install python3 python3-yaml
    find_python
fi

# The values the tested set-up uses, read from the files themselves.
env_example="$deploy/atpd.env.example"
unit="$deploy/atpd.service"
env_value() { sed -n "s/^$1=//p" "$env_example" | tail -n 1; }
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
# duration_ms 20s|500ms|2m -> milliseconds (the forms atpd and systemd share here)
duration_ms() {
    local value="$1"
    case "$value" in
        *ms) echo "${value%ms}" ;;
        *s) echo $(("${value%s}" * 1000)) ;;
        *m) echo $(("${value%m}" * 60000)) ;;
        *) echo $((value * 1000)) ;;
    esac
}

# ================================================================================================
section "scripts: bash -n and shellcheck"
scripts=("$deploy"/*.sh)
for script in "${scripts[@]}"; do
    run "bash -n ${script#"$repo"/}" "parses" bash -n "$script"
done
if have shellcheck shellcheck; then
    run "shellcheck" "$(shellcheck --version | sed -n 's/^version: //p'): ${#scripts[@]} scripts, no findings" \
        shellcheck -x "${scripts[@]}"
else
    skip "shellcheck" "not installed and could not be installed (needs root and apt)"
fi

# ================================================================================================
section "systemd: atpd.service"
if have systemd-analyze systemd; then
    # verify insists that ExecStart's binary exists. Where atpd is not installed, verify a copy
    # whose ExecStart points at an executable stand-in; that line is the only difference.
    unit_copy="$work/systemd/atpd.service"
    mkdir -p "$work/systemd"
    if [[ -x /usr/local/bin/atpd ]]; then
        cp "$unit" "$unit_copy"
        note="the unit as written"
    else
        sed 's#^ExecStart=/usr/local/bin/atpd#ExecStart=/bin/true#' "$unit" >"$unit_copy"
        note="a copy with ExecStart=/bin/true, since /usr/local/bin/atpd is not installed here"
    fi
    run "systemd-analyze verify" "$(systemd-analyze --version | head -n 1 | cut -d' ' -f1-2): $note" \
        systemd-analyze verify "$unit_copy"
    if systemd-analyze security --offline=true "$unit_copy" >"$work/security.out" 2>&1; then
        level="$(sed -n 's/.*Overall exposure level for [^:]*: //p' "$work/security.out")"
        run "systemd-analyze security" "offline review: exposure $level (must be at most 2.0)" \
            systemd-analyze security --offline=true --threshold=20 "$unit_copy"
    else
        skip "systemd-analyze security" "--offline review not supported by this systemd: $(tail -n 1 "$work/security.out")"
    fi
    if [[ -d /run/systemd/system ]]; then
        note="systemd runs here, but starting the unit would install atpd system-wide: not done"
    else
        note="no systemd runs in this container (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown))"
    fi
    skip "systemd start/stop of the unit" "$note; the hardening options were not exercised at runtime (the live checks below run the same binary, settings and SIGTERM stop, and compare what it does under strace with the unit's sandbox)"
else
    skip "systemd-analyze" "systemd-analyze is not installed and could not be installed"
fi
grace_ms="$(duration_ms "$(env_value ATP_SHUTDOWN_GRACE)")"
stop_ms="$(duration_ms "$(unit_value TimeoutStopSec)")"
nofile="$(unit_value LimitNOFILE)"
max_connections="$(env_value ATP_MAX_CONNECTIONS)"
check_unit_values() {
    local ok=0
    ((stop_ms > grace_ms + 5000)) || { echo "TimeoutStopSec ${stop_ms}ms is not 5 s above ATP_SHUTDOWN_GRACE ${grace_ms}ms"; ok=1; }
    ((nofile > max_connections + 1000)) || { echo "LimitNOFILE $nofile leaves too little above ATP_MAX_CONNECTIONS $max_connections"; ok=1; }
    grep -qx 'ExecStart=/usr/local/bin/atpd' "$unit" || { echo "ExecStart is not /usr/local/bin/atpd"; ok=1; }
    grep -qx 'EnvironmentFile=/etc/atpd/atpd.env' "$unit" || { echo "EnvironmentFile is not /etc/atpd/atpd.env"; ok=1; }
    grep -qx 'User=atpd' "$unit" || { echo "User is not atpd"; ok=1; }
    grep -qx 'StateDirectory=atpd' "$unit" || { echo "StateDirectory is not atpd"; ok=1; }
    grep -qx 'ReadWritePaths=/var/lib/atpd' "$unit" || { echo "ReadWritePaths is not /var/lib/atpd"; ok=1; }
    grep -qx 'ATP_STORE=file:/var/lib/atpd' "$env_example" || { echo "the env example's store is not file:/var/lib/atpd"; ok=1; }
    grep -qx 'ATP_API_KEYS_FILE=/etc/atpd/api-keys' "$env_example" || { echo "the env example's key file is not /etc/atpd/api-keys"; ok=1; }
    return "$ok"
}
run "unit vs env example" "TimeoutStopSec ${stop_ms}ms > grace ${grace_ms}ms + 5 s; LimitNOFILE $nofile > connections $max_connections; paths /usr/local/bin/atpd, /etc/atpd, /var/lib/atpd" \
    check_unit_values

# ================================================================================================
section "prometheus: promtool"
if have promtool prometheus; then
    version="promtool $(promtool --version 2>&1 | sed -n 's/^promtool, version \([^ ]*\).*/\1/p')"
    run "promtool check config" "$version: prometheus/prometheus.yml (loads alerts.yml)" \
        promtool check config "$deploy/prometheus/prometheus.yml"
    run "promtool check rules" "prometheus/alerts.yml" promtool check rules "$deploy/prometheus/alerts.yml"
    run "promtool test rules" "prometheus/alerts_test.yml" \
        bash -c "cd '$deploy/prometheus' && promtool test rules alerts_test.yml"
else
    skip "promtool" "not installed and could not be installed (Debian package prometheus)"
fi
if [[ -n "$python" ]]; then
    run "alerts: metrics, runbook, tests" "every atpd_* metric is exported by a metrics source (writeMetrics); every runbook anchor is a RUNBOOK.md heading (and every link in RUNBOOK.md and README.md resolves); every alert fires in one test and stays quiet in another" \
        "$python" - "$deploy" "$metrics_sources" <<'PY'
import os, re, sys, yaml
deploy, sources = sys.argv[1], sys.argv[2]
rules = yaml.safe_load(open(f"{deploy}/prometheus/alerts.yml"))
tests = yaml.safe_load(open(f"{deploy}/prometheus/alerts_test.yml"))
exported = set()
for folder, _, files in os.walk(sources):
    for name in files:
        text = open(os.path.join(folder, name)).read() if name.endswith(".swift") else ""
        if "func writeMetrics(to" in text:
            exported |= set(re.findall(r'"(atpd_[a-z_]+)"', text))
pending = set()  # every metric an alert names is exported now
headings = set()
for line in open(f"{deploy}/RUNBOOK.md"):
    if line.startswith("#"):
        text = line.lstrip("#").strip().lower()
        headings.add(re.sub(r"[^a-z0-9 _-]", "", text).replace(" ", "-"))
fired, quiet = set(), set()
for case in tests["tests"]:
    for t in case.get("alert_rule_test", []):
        (fired if t.get("exp_alerts") else quiet).add(t["alertname"])
problems, waiting = [], set()
alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
for r in alerts:
    name = r["alert"]
    for metric in set(re.findall(r"\b(atpd_[a-z_]+)", r["expr"])):
        base = re.sub(r"_(bucket|sum|count)$", "", metric)
        if base in exported or metric in exported:
            continue
        if base in pending:
            waiting.add(base)
        else:
            problems.append(f"{name}: {metric} is not exported by atpd")
    runbook = r.get("annotations", {}).get("runbook", "")
    if not runbook.startswith("Deploy/RUNBOOK.md#"):
        problems.append(f"{name}: no runbook annotation pointing into Deploy/RUNBOOK.md")
    elif runbook.split("#", 1)[1] not in headings:
        problems.append(f"{name}: RUNBOOK.md has no section #{runbook.split('#', 1)[1]}")
    for key in ("summary", "description"):
        if not r.get("annotations", {}).get(key):
            problems.append(f"{name}: no {key}")
    if name not in fired:
        problems.append(f"{name}: no test where it fires")
    if name not in quiet:
        problems.append(f"{name}: no test where it stays quiet")
for doc in ("RUNBOOK.md", "README.md"):
    text = open(f"{deploy}/{doc}").read()
    anchors = {re.sub(r"[^a-z0-9 _-]", "", l.lstrip("#").strip().lower()).replace(" ", "-")
               for l in text.splitlines() if l.startswith("#")}
    for link in re.findall(r"\]\(#([^)]+)\)", text):
        if link not in anchors:
            problems.append(f"{doc}: link #{link} has no heading")
    for link in re.findall(r"\]\(([A-Za-z0-9_./-]+\.md)(?:#[^)]*)?\)", text):
        if not os.path.exists(os.path.join(deploy, link)):
            problems.append(f"{doc}: link {link} does not exist")
print(f"{len(alerts)} alerts; metrics exported: {len(exported)}")
if waiting:
    print("pending (channel push, issue 5, will export them): " + ", ".join(sorted(waiting)))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
else
    skip "alerts: metrics, runbook, tests" "no python3 with PyYAML (python3-yaml)"
fi

# ================================================================================================
section "config: ATP_* variables and flags against ConfigurationParser.swift"
mapfile -t known_vars < <(grep -o 'variable: "ATP_[A-Z_]*"' "$parser" | sed 's/.*"\(ATP_[A-Z_]*\)"/\1/' | sort -u)
mapfile -t known_flags < <(grep -o 'flag: "--[a-z-]*"' "$parser" | sed 's/.*"\(--[a-z-]*\)"/\1/' | sort -u)
check_variables() {
    local ok=0 var file
    ((${#known_vars[@]} >= 10)) || { echo "could not read the variables from $parser"; return 1; }
    while IFS=: read -r file var; do
        if ! printf '%s\n' "${known_vars[@]}" | grep -qx "$var"; then
            echo "${file#"$repo"/}: $var is not an atpd variable"
            ok=1
        fi
    done < <(grep -o -r --exclude=check.sh 'ATP_[A-Z][A-Z_]*[A-Z]' "$deploy" | sort -u)
    echo "${#known_vars[@]} variables known; every ATP_* in Deploy/ is one of them"
    return "$ok"
}
run "ATP_* variables" "every ATP_* name in Deploy/ is read by ConfigurationParser" check_variables
check_env_example() {
    local ok=0 line n=0
    while IFS= read -r line; do
        n=$((n + 1))
        [[ -z "$line" || "$line" == "#"* ]] || [[ "$line" =~ ^ATP_[A-Z_]+=[^[:space:]]+$ ]] || {
            echo "atpd.env.example:$n: not NAME=value: $line"
            ok=1
        }
    done <"$env_example"
    return "$ok"
}
run "env example syntax" "every line is a comment, empty or ATP_NAME=value without spaces" check_env_example
check_flags() {
    local ok=0 flag n=0
    ((${#known_flags[@]} >= 10)) || { echo "could not read the flags from $parser"; return 1; }
    # Flags right after "atpd" (not curl's, redis-cli's or promtool's).
    while read -r flag; do
        n=$((n + 1))
        if ! printf '%s\n' "${known_flags[@]}" --help | grep -qx -- "$flag"; then
            echo "$flag is given to atpd in Deploy/ but is not an atpd flag"
            ok=1
        fi
    done < <(grep -rhoE --exclude=check.sh '(/usr/local/bin/atpd|release/atpd|^[[:space:]]*atpd|"atpd",?)( +"?--[a-z-]+"?(=[^ ]*| +[^ -][^ ]*)?)+' "$deploy" \
        | grep -oE -- '--[a-z-]+' | sort -u)
    echo "${#known_flags[@]} flags known; $n distinct flags given to atpd in Deploy/ checked"
    return "$ok"
}
run "atpd flags" "every --flag passed to atpd in Deploy/ exists" check_flags

# ================================================================================================
section "container: Containerfile and compose.yaml (no container engine here)"
containerfile="$deploy/Containerfile"
runtime_stage="$(awk '/^FROM /{stage++} stage==2' "$containerfile")"
# The package names on a stage's `apt-get install` line (options dropped).
install_line_packages() {
    grep -oE 'apt-get install [^\\&]*' | tr ' ' '\n' | grep -vE '^(apt-get|install|-.*|)$' | sort -u
}
mapfile -t runtime_packages < <(printf '%s\n' "$runtime_stage" | install_line_packages)
mapfile -t build_packages < <(awk '/^FROM /{stage++} stage==1' "$containerfile" | install_line_packages)
check_packages() {
    local ok=0 package candidate
    for package in "${runtime_packages[@]}" "${build_packages[@]}"; do
        candidate="$(apt-cache policy "$package" 2>/dev/null | sed -n 's/^ *Candidate: //p')"
        if [[ -z "$candidate" || "$candidate" == "(none)" ]]; then
            echo "$package: no candidate in the apt sources here"
            ok=1
        else
            echo "$package $candidate"
        fi
    done
    ((${#runtime_packages[@]} > 0)) || { echo "no runtime packages found in the Containerfile"; ok=1; }
    return "$ok"
}
if grep -q 'bookworm' /etc/os-release 2>/dev/null && command -v apt-cache >/dev/null; then
    run "Containerfile packages" "${runtime_packages[*]} (runtime), ${build_packages[*]} (build) exist in Debian bookworm (apt-cache policy)" check_packages
else
    skip "Containerfile packages" "this machine is not Debian bookworm, so apt-cache cannot answer for bookworm"
fi
check_containerfile() {
    local ok=0 source
    grep -qE '^FROM swift:6\.[0-9]+-bookworm|^ARG SWIFT_IMAGE=swift:6\.[0-9]+-bookworm' "$containerfile" || { echo "build stage is not a swift:6.x-bookworm image"; ok=1; }
    grep -q '^FROM debian:bookworm-slim' "$containerfile" || { echo "runtime stage is not debian:bookworm-slim"; ok=1; }
    grep -q -- '--static-swift-stdlib' "$containerfile" || { echo "the build is not the static one install.sh makes"; ok=1; }
    grep -q -- '--static-swift-stdlib' "$deploy/install.sh" || { echo "install.sh does not build statically"; ok=1; }
    grep -qE '^USER atpd' "$containerfile" || { echo "no USER atpd (non-root)"; ok=1; }
    if ! grep -q '^HEALTHCHECK ' "$containerfile" || ! grep -q 'CMD \["/usr/local/bin/atpd-healthcheck"\]' "$containerfile"; then
        echo "no HEALTHCHECK running atpd-healthcheck"
        ok=1
    fi
    grep -q 'COPY .*Deploy/healthcheck.sh /usr/local/bin/atpd-healthcheck' "$containerfile" || { echo "healthcheck.sh is not copied"; ok=1; }
    while read -r source; do
        [[ -e "$repo/$source" ]] || { echo "COPY source $source does not exist"; ok=1; }
    done < <(grep -E '^COPY ' "$containerfile" | grep -v -- '--from=' | awk '{for (i=2;i<NF;i++) if ($i !~ /^--/) print $i}' | grep -v '^\.$')
    grep -q 'ATP_API_KEYS_FILE=/etc/atpd/api-keys' "$containerfile" || { echo "image does not use /etc/atpd/api-keys"; ok=1; }
    grep -q 'ATP_STORE=file:/var/lib/atpd' "$containerfile" || { echo "image does not use /var/lib/atpd"; ok=1; }
    return "$ok"
}
run "Containerfile content" "swift:6.x-bookworm build, bookworm-slim runtime, static build as install.sh, USER atpd, HEALTHCHECK = Deploy/healthcheck.sh, COPY sources exist, same paths" \
    check_containerfile
skip "container image build" "no container engine runs here (docker is only a client without a daemon); the image was never built or started: its base images, build and HEALTHCHECK timing are unchecked"
if [[ -n "$python" ]]; then
    run "compose.yaml content" "parses as YAML; atpd + redis with healthchecks, volumes, the checked redis.conf, ATP_* known, stop_grace_period above the grace" \
        "$python" - "$deploy/compose.yaml" "$deploy" "$grace_ms" <<'PY'
import os, re, sys, yaml
path, deploy, grace_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
doc = yaml.safe_load(open(path))
services = doc.get("services", {})
problems = []
for name in ("atpd", "redis"):
    s = services.get(name)
    if not s:
        problems.append(f"no service {name}")
        continue
    if "healthcheck" not in s:
        problems.append(f"{name}: no healthcheck")
    if not s.get("volumes"):
        problems.append(f"{name}: no volumes")
redis, atpd = services.get("redis", {}), services.get("atpd", {})
mounts = [v for v in redis.get("volumes", []) if isinstance(v, str)]
if not any(v.startswith("./redis/redis.conf:") for v in mounts):
    problems.append("redis does not mount ./redis/redis.conf")
if "/usr/local/etc/redis/redis.conf" not in redis.get("command", []):
    problems.append("redis does not run with the mounted redis.conf")
build = atpd.get("build", {})
dockerfile = os.path.normpath(os.path.join(deploy, build.get("context", "."), build.get("dockerfile", "Dockerfile")))
if not os.path.exists(dockerfile):
    problems.append(f"atpd build file {dockerfile} does not exist")
env = atpd.get("environment", {})
if not str(env.get("ATP_STORE", "")).startswith("redis://127.0.0.1:"):
    problems.append("atpd does not use the Redis on 127.0.0.1 of its shared network namespace")
if atpd.get("network_mode") != "service:redis":
    problems.append("atpd does not share redis's network namespace (redis binds 127.0.0.1)")
if atpd.get("healthcheck", {}).get("test") != ["CMD", "/usr/local/bin/atpd-healthcheck"]:
    problems.append("atpd's healthcheck is not atpd-healthcheck")
def seconds(text):
    m = re.fullmatch(r"(\d+)(ms|s|m)?", str(text))
    n, unit = int(m.group(1)), m.group(2) or "s"
    return n / 1000 if unit == "ms" else n * 60 if unit == "m" else n
grace = seconds(env.get("ATP_SHUTDOWN_GRACE", "10s"))
if seconds(atpd.get("stop_grace_period", "10s")) <= grace:
    problems.append("atpd's stop_grace_period is not above ATP_SHUTDOWN_GRACE")
for p in problems:
    print(p)
print(f"services: {', '.join(services)}")
sys.exit(1 if problems else 0)
PY
else
    skip "compose.yaml content" "no python3 with PyYAML (python3-yaml)"
fi
if have docker-compose docker-compose; then
    run "docker-compose config" "$(docker-compose version --short 2>/dev/null || echo '?'): compose.yaml valid against Compose's schema (parsing only; nothing started)" \
        docker-compose -f "$deploy/compose.yaml" config -q
else
    skip "docker-compose config" "docker-compose is not installed and could not be installed"
fi

# ================================================================================================
section "build: atpd as install.sh and the Containerfile build it"
binary=""
if command -v swift >/dev/null 2>&1; then
    echo "    swift build -c release --product atpd --static-swift-stdlib --scratch-path .build-static"
    if swift build -c release --product atpd --static-swift-stdlib --scratch-path .build-static >"$work/build.out" 2>&1; then
        binary="$repo/.build-static/release/atpd"
        pass "static release build" "$(tail -n 1 "$work/build.out")"
    else
        tail -n 30 "$work/build.out" | sed 's/^/      /'
        fail "static release build" "swift build failed"
    fi
else
    skip "static release build" "swift is not in PATH; the install and live checks below are skipped too"
fi
if [[ -n "$binary" ]]; then
    check_libraries() {
        local ok=0 library package slim
        # What debian:bookworm-slim has without installing anything: the required packages and
        # what apt itself needs.
        slim="$( (dpkg-query -W -f='${Package} ${Priority}\n' | awk '$2 == "required" {print $1}'
            apt-cache depends apt 2>/dev/null | sed -n 's/^ *Depends: //p') | sort -u)"
        while read -r library; do
            package="$(dpkg -S "$(readlink -f "$library")" 2>/dev/null | head -n 1 | cut -d: -f1)"
            [[ -n "$package" ]] || package="$(dpkg -S "$library" 2>/dev/null | head -n 1 | cut -d: -f1)"
            if [[ -z "$package" ]]; then
                echo "$library: no Debian package owns it"
                ok=1
            elif printf '%s\n' "${runtime_packages[@]}" | grep -qx "$package"; then
                echo "$library: $package (installed by the Containerfile)"
            elif printf '%s\n' "$slim" | grep -qx "$package"; then
                echo "$library: $package (in bookworm-slim)"
            else
                echo "$library: $package is neither installed by the Containerfile nor in bookworm-slim"
                ok=1
            fi
        done < <(ldd "$binary" | awk '$3 ~ /^\// {print $3}')
        return "$ok"
    }
    run "runtime libraries" "every shared library of the static build comes from a package the runtime image has" check_libraries
fi

# ================================================================================================
section "install.sh into a scratch root"
if [[ -n "$binary" ]]; then
    check_install() {
        local root="$work/root" out
        bash "$deploy/install.sh" --destdir "$root" --binary "$binary" || return 1
        for path in usr/local/bin/atpd etc/atpd/atpd.env etc/atpd/api-keys etc/atpd/ops.token \
            etc/systemd/system/atpd.service usr/local/share/doc/atpd/RUNBOOK.md var/lib/atpd; do
            [[ -e "$root/$path" ]] || { echo "missing: $path"; return 1; }
        done
        cmp -s "$root/etc/systemd/system/atpd.service" "$unit" || { echo "unit differs"; return 1; }
        cmp -s "$root/etc/atpd/atpd.env" "$env_example" || { echo "env differs from the example"; return 1; }
        [[ "$(stat -c %a "$root/etc/atpd/api-keys")" == 640 ]] || { echo "api-keys is not 0640"; return 1; }
        [[ "$(stat -c %a "$root/etc/atpd/ops.token")" == 600 ]] || { echo "ops.token is not 0600"; return 1; }
        local token digest
        token="$(cat "$root/etc/atpd/ops.token")"
        digest="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
        grep -q "^ops admin,read,reserve,ingest sha256:$digest$" "$root/etc/atpd/api-keys" \
            || { echo "api-keys does not hold the token's sha256"; return 1; }
        # Second run: nothing configured is overwritten.
        echo "ATP_THREADS=4" >>"$root/etc/atpd/atpd.env"
        cp "$root/etc/atpd/api-keys" "$work/keys.before"
        out="$(bash "$deploy/install.sh" --destdir "$root" --binary "$binary")" || return 1
        echo "$out"
        grep -q 'keeping existing .*/etc/atpd/atpd.env' <<<"$out" || { echo "second run did not keep atpd.env"; return 1; }
        grep -q '^ATP_THREADS=4$' "$root/etc/atpd/atpd.env" || { echo "second run overwrote atpd.env"; return 1; }
        cmp -s "$work/keys.before" "$root/etc/atpd/api-keys" || { echo "second run changed api-keys"; return 1; }
        grep -q 'atpd.service is up to date' <<<"$out" || { echo "second run reinstalled an unchanged unit"; return 1; }
        # --redis: redis.conf, the drop-in, and a new env pointing at Redis.
        bash "$deploy/install.sh" --destdir "$work/root-redis" --binary "$binary" --redis >/dev/null || return 1
        grep -qx 'ATP_STORE=redis://127.0.0.1:6379' "$work/root-redis/etc/atpd/atpd.env" || { echo "--redis: env not pointed at Redis"; return 1; }
        cmp -s "$work/root-redis/etc/redis/redis.conf" "$deploy/redis/redis.conf" || { echo "--redis: redis.conf not installed"; return 1; }
        grep -qx 'Wants=redis-server.service' "$work/root-redis/etc/systemd/system/atpd.service.d/redis.conf" || { echo "--redis: no drop-in"; return 1; }
        bash "$deploy/install.sh" --destdir "$work/root-x" --bogus >/dev/null 2>&1 && { echo "an unknown option was accepted"; return 1; }
        return 0
    }
    run "install.sh --destdir" "installs binary, env (0640), api-keys with a sha256 token (0640), unit, RUNBOOK, data dir; a second run keeps env and keys; --redis adds redis.conf and Wants=" \
        check_install
    skip "install.sh on the real system" "useradd, chown, apt-get and systemctl steps were skipped by --destdir (installing system-wide here would change the machine)"
else
    skip "install.sh --destdir" "no atpd binary (see the build check)"
fi

# ================================================================================================
section "redis: redis-server with Deploy/redis/redis.conf"
redis_port=""
if have redis-server redis-server && have redis-cli redis-tools; then
    redis_dir="$work/redis"
    mkdir -p "$redis_dir"
    redis_port="$(free_port)"
    start_redis() {
        redis-server "$deploy/redis/redis.conf" --port "$redis_port" --dir "$redis_dir" \
            --pidfile "$redis_dir/redis.pid" "$@" >>"$work/redis.log" 2>&1 &
        started_pids+=($!)
        wait_for 10 redis-cli -p "$redis_port" ping
    }
    rcli() { redis-cli -p "$redis_port" "$@"; }
    if start_redis; then
        pass "redis-server loads redis.conf" "$(redis-server --version | cut -d' ' -f1-3), port $redis_port and dir overridden for the test"
        check_redis_config() {
            local ok=0 key want got
            while read -r key want; do
                got="$(rcli CONFIG GET "$key" | sed -n 2p)"
                [[ "$want" == '""' ]] && want=""
                if [[ "$got" == "$want" ]]; then echo "$key = ${got:-\"\"}"; else echo "$key = $got, expected $want"; ok=1; fi
            done <<'EOF'
appendonly yes
appendfsync always
maxmemory-policy noeviction
no-appendfsync-on-rewrite no
save ""
bind 127.0.0.1 -::1
protected-mode yes
aof-use-rdb-preamble yes
aof-load-truncated yes
maxmemory 2147483648
EOF
            rcli SET atpd-check 1 >/dev/null
            [[ -f "$redis_dir/appendonlydir/appendonly.aof.manifest" ]] || { echo "no AOF manifest in appendonlydir"; ok=1; }
            rcli DEL atpd-check >/dev/null
            [[ "$(rcli FLUSHALL 2>&1)" == *"unknown command"* ]] || { echo "FLUSHALL is not disabled"; ok=1; }
            return "$ok"
        }
        run "redis CONFIG GET" "appendonly yes, appendfsync always, noeviction, no RDB saves, loopback + protected mode; the AOF is written" \
            check_redis_config
    else
        tail -n 20 "$work/redis.log" | sed 's/^/      /'
        fail "redis-server loads redis.conf" "redis-server did not start with it"
        redis_port=""
    fi
else
    skip "redis-server" "redis-server is not installed and could not be installed"
fi

# ================================================================================================
section "live: atpd with the env example, RUNBOOK procedures, syscalls"
if [[ -n "$binary" ]] && command -v curl >/dev/null 2>&1; then
    live="$work/live"
    mkdir -p "$live"
    token="check-token-0123456789abcdef"
    printf 'ops admin,read,reserve,ingest %s\n' "$token" >"$live/api-keys"
    auth="Authorization: Bearer $token"
    atpd_port="$(free_port)"
    use_strace=false
    if have strace strace && strace -f -o /dev/null true >/dev/null 2>&1; then use_strace=true; fi
    grep -E '^ATP_[A-Z_]+=' "$env_example" >"$live/env"
    # atpd_child PID: the pid of the atpd that strace PID started, once it runs atpd.
    atpd_child() {
        local child children=()
        read -r -a children <"/proc/$1/task/$1/children" 2>/dev/null
        for child in "${children[@]}"; do
            if [[ "$(readlink "/proc/$child/exe" 2>/dev/null)" == "$(readlink -f "$binary")" ]]; then
                echo "$child"
                return 0
            fi
        done
        return 1
    }
    # start_atpd STORE [VAR=value...]: the env example's settings, with listen, store and key file
    # pointed at this test's scratch directory.
    start_atpd() {
        local store="$1"
        shift
        (
            set -a
            # shellcheck disable=SC1091
            source "$live/env"
            export ATP_LISTEN="127.0.0.1:$atpd_port"
            export ATP_STORE="$store"
            export ATP_API_KEYS_FILE="$live/api-keys"
            set +a
            for assignment in "$@"; do export "${assignment?}"; done
            if $use_strace; then
                exec strace -f -qq -o "$live/strace.$BASHPID" -e trace=all "$binary"
            else
                exec "$binary"
            fi
        ) 2>>"$live/atpd.log" &
        atpd_pid=$!
        started_pids+=("$atpd_pid")
        # Under strace, atpd is strace's child: signals go to it, strace exits with its status.
        target_pid="$atpd_pid"
        if $use_strace; then
            wait_for 10 atpd_child "$atpd_pid" || { echo "strace did not start atpd"; return 1; }
            target_pid="$(atpd_child "$atpd_pid")"
            started_pids+=("$target_pid")
        fi
        wait_for 20 bash "$deploy/healthcheck.sh" --ready "127.0.0.1:$atpd_port"
    }
    # stop_atpd: SIGTERM, as systemd's KillSignal; must exit 0 within TimeoutStopSec.
    stop_atpd() {
        local limit=$((stop_ms / 1000)) waited=0
        kill -0 "$atpd_pid" 2>/dev/null || return 0
        kill -TERM "$target_pid"
        while kill -0 "$atpd_pid" 2>/dev/null; do
            sleep 0.1
            waited=$((waited + 1))
            ((waited > limit * 10)) && { echo "atpd did not stop within TimeoutStopSec ${limit}s"; return 1; }
        done
        wait "$atpd_pid"
    }
    api() { curl -sS --max-time 10 -H "$auth" "$@"; }
    base="http://127.0.0.1:$atpd_port"
    hold_survives_restart() {
        local store="$1" hold id
        shift
        start_atpd "$store" "$@" || { echo "atpd did not become ready"; return 1; }
        bash "$deploy/healthcheck.sh" "127.0.0.1:$atpd_port" || return 1
        ATP_LISTEN="127.0.0.1:$atpd_port" bash "$deploy/healthcheck.sh" || { echo "healthcheck.sh via ATP_LISTEN failed"; return 1; }
        api "$base/v1/events" --json '{"events":[{"id":"check-'"$RANDOM"'","source":"ops-count","seq":1000,"type":"set","sku":"A","location":"DC1","qty":10}]}' | grep -q '"applied":1' \
            || { echo "set event not applied"; return 1; }
        hold="$(api "$base/v1/reservations" -H 'Idempotency-Key: check-1' --json '{"lines":[{"sku":"A","location":"DC1","qty":2}],"ttlSeconds":900}')"
        id="$(sed -n 's/.*"id":"\(r_[0-9a-f]*\)".*/\1/p' <<<"$hold")"
        [[ -n "$id" ]] || { echo "no hold: $hold"; return 1; }
        last_hold_id="$id"
        stop_atpd || return 1
        grep -q '"event":"stopped"' "$live/atpd.log" || { echo "no stopped log line"; return 1; }
        start_atpd "$store" "$@" || { echo "atpd did not become ready after the restart"; return 1; }
        api "$base/v1/reservations/$id" | grep -q '"status":"held"' || { echo "hold $id lost over the restart"; return 1; }
        api "$base/v1/stock/A" | grep -q '"location":"DC1","onHand":10,"reserved":2' || { echo "stock after restart: $(api "$base/v1/stock/A")"; return 1; }
        # RUNBOOK "Reconcile a location": a count as a `set` from the ops-count source.
        api "$base/v1/events" --json '{"events":[{"id":"count-'"$RANDOM"'","source":"ops-count","seq":2000,"type":"set","sku":"A","location":"DC1","qty":7}]}' | grep -q '"applied":1' \
            || { echo "reconcile set not applied"; return 1; }
        api "$base/v1/events" --json '{"events":[{"id":"count-old-'"$RANDOM"'","source":"ops-count","seq":1500,"type":"set","sku":"A","location":"DC1","qty":99}]}' | grep -q '"stale":1' \
            || { echo "an older count was not stale"; return 1; }
        api "$base/v1/stock/A" | grep -q '"onHand":7,"reserved":2,"safetyStock":0,"available":5' || { echo "after reconcile: $(api "$base/v1/stock/A")"; return 1; }
        echo "hold $id held over SIGTERM and restart; reconcile applied, older count stale"
    }
    check_metrics() {
        local names missing=0 metric
        names="$(curl -sS --max-time 5 "$base/metrics" | sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p')"
        while read -r metric; do
            case "$metric" in atpd_push_*) continue ;; esac  # per channel: none is defined here
            grep -qx "$metric" <<<"$names" || { echo "/metrics lacks $metric"; missing=1; }
        done < <(grep -oE '\batpd_[a-z_]+' "$deploy/prometheus/alerts.yml" | sed -E 's/_(bucket|sum|count)$//' | sort -u)
        return "$missing"
    }
    rm -rf "$live/data"
    run "file store: hold survives SIGTERM + restart" "env example, store file:, healthcheck.sh (healthz, readyz, ATP_LISTEN), exit 0 within TimeoutStopSec, hold and reserved kept, reconcile by set" \
        hold_survives_restart "file:$live/data"
    stop_atpd >/dev/null 2>&1
    closed_port="$(free_port)"
    if bash "$deploy/healthcheck.sh" "127.0.0.1:$closed_port" 2>/dev/null; then
        fail "healthcheck.sh, nothing listening" "exited 0 against a closed port"
    else
        pass "healthcheck.sh, nothing listening" "exits non-zero against a closed port"
    fi

    if [[ -n "$redis_port" ]]; then
        redis_store="redis://127.0.0.1:$redis_port"
        if run "redis store: hold survives SIGTERM + restart" "same, with the Redis above and ATP_EVENTS_STREAM" \
            hold_survives_restart "$redis_store" ATP_EVENTS_STREAM=check-events; then
            run "/metrics has every alert metric" "every atpd_* metric in alerts.yml but the per-channel atpd_push_* ones (no channel is defined there) is in a live /metrics" check_metrics
            stream_dead_letters() {
                rcli XADD check-events '*' id wms-9-1 source wms-9 seq 1 type sett sku B location DC1 qty 5 >/dev/null
                wait_for 10 bash -c "[[ \$(redis-cli -p $redis_port XLEN check-events:dead) == 1 ]]" || { echo "malformed entry not dead-lettered"; return 1; }
                rcli XRANGE check-events:dead - + | grep -qx invalid_event || { echo "dead letter has no dead-code invalid_event"; return 1; }
                # RUNBOOK "Replay stream dead letters": add the corrected entry, delete the dead one.
                local dead_id
                dead_id="$(rcli XRANGE check-events:dead - + COUNT 1 | head -n 1)"
                rcli XADD check-events '*' id wms-9-1 source wms-9 seq 1 type set sku B location DC1 qty 5 >/dev/null
                wait_for 10 bash -c "curl -sS -H '$auth' $base/v1/stock/B | grep -q '\"onHand\":5'" || { echo "replayed entry not applied"; return 1; }
                rcli XDEL check-events:dead "$dead_id" >/dev/null
                curl -sS "$base/metrics" | grep -qx 'atpd_stream_entries_total{outcome="dead_lettered"} 1' || { echo "dead_lettered not counted"; return 1; }
                echo "malformed entry went to check-events:dead; the corrected one applied"
            }
            run "stream dead letters and replay" "RUNBOOK procedure: XADD the corrected entry, XDEL the dead letter" stream_dead_letters
            stop_atpd >/dev/null 2>&1
            backup_and_restore() {
                local reservation="${last_hold_id:-}"
                [[ -n "$reservation" ]] || { echo "no hold was made on Redis"; return 1; }
                [[ "$(rcli HGET atp:meta layout)" == 2 ]] || { echo "Redis does not hold layout 2"; return 1; }
                # RUNBOOK "Back up and restore Redis".
                rcli --rdb "$work/backup.rdb" >/dev/null 2>&1 || { echo "redis-cli --rdb failed"; return 1; }
                rcli SHUTDOWN >/dev/null 2>&1
                wait_for 10 bash -c "! redis-cli -p $redis_port ping" || { echo "redis did not shut down"; return 1; }
                rm -rf "$redis_dir/appendonlydir" "$redis_dir/dump.rdb"
                cp "$work/backup.rdb" "$redis_dir/dump.rdb"
                start_redis --appendonly no || { echo "redis did not start from the backup"; return 1; }
                rcli CONFIG SET appendonly yes >/dev/null
                wait_for 30 bash -c "redis-cli -p $redis_port INFO persistence | tr -d '\r' | grep -qx aof_rewrite_in_progress:0 && redis-cli -p $redis_port INFO persistence | tr -d '\r' | grep -qx aof_rewrite_scheduled:0 && redis-cli -p $redis_port INFO persistence | tr -d '\r' | grep -qx aof_last_bgrewrite_status:ok" \
                    || { echo "AOF rewrite did not finish"; return 1; }
                rcli SHUTDOWN >/dev/null 2>&1
                wait_for 10 bash -c "! redis-cli -p $redis_port ping" || { echo "redis did not shut down"; return 1; }
                start_redis || { echo "redis did not start from the rebuilt AOF"; return 1; }
                start_atpd "$redis_store" || { echo "atpd did not recover from the restored Redis"; return 1; }
                api "$base/v1/reservations/$reservation" | grep -q '"status":"held"' || { echo "hold not back after restore"; return 1; }
                stop_atpd
                echo "backup with redis-cli --rdb, wipe, restore through appendonly no -> CONFIG SET appendonly yes; $reservation held again"
            }
            run "Redis backup and restore" "RUNBOOK procedure, end to end, with atpd recovering the hold" backup_and_restore
        fi
        stop_atpd >/dev/null 2>&1
    else
        skip "redis store live checks" "no Redis with the checked conf (see the redis check)"
    fi

    if $use_strace; then
        check_syscalls() {
            local allowed used
            allowed="$("$python" - "$unit" <<'PY' 2>/dev/null || true
import subprocess, sys
out = subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True).stdout
groups, current = {}, None
for line in out.splitlines():
    if line.startswith("@"):
        current = line.split()[0]; groups[current] = []
    elif current and line.strip() and not line.strip().startswith("#"):
        groups[current].append(line.strip())
def expand(name, seen=()):
    result = set()
    for item in groups.get(name, []):
        result |= expand(item, seen + (name,)) if item.startswith("@") and item not in seen else {item}
    return result
def names(items):
    result = set()
    for item in items:
        result |= expand(item) if item.startswith("@") else {item}
    return result
# The unit's SystemCallFilter= lines in order (systemd.exec): the first is the allow list, each
# later "~" line removes from it and each later plain line adds to it.
allowed = None
for line in open(sys.argv[1]):
    if not line.startswith("SystemCallFilter="):
        continue
    value = line.split("=", 1)[1].strip()
    deny = value.startswith("~")
    items = names(value.lstrip("~").split())
    if allowed is None:
        if deny:
            sys.exit("the first SystemCallFilter= is a deny list; this check expects an allow list")
        allowed = items
    elif deny:
        allowed -= items
    else:
        allowed |= items
print("\n".join(sorted(allowed or ())))
PY
)"
            [[ -n "$allowed" ]] || { echo "could not list systemd's syscall groups"; return 1; }
            used="$(cat "$live"/strace.* | sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p' | sort -u)"
            [[ -n "$used" ]] || { echo "strace recorded nothing"; return 1; }
            local denied
            denied="$(comm -23 <(printf '%s\n' "$used") <(printf '%s\n' "$allowed" | sort -u))"
            echo "syscalls made: $(wc -l <<<"$used")"
            if [[ -n "$denied" ]]; then
                echo "not allowed by the unit's SystemCallFilter= lines: $(tr '\n' ' ' <<<"$denied")"
                return 1
            fi
            # RestrictAddressFamilies=: the socket families atpd opened.
            local families allowed_families family bad=0
            families="$(cat "$live"/strace.* | sed -nE 's/^[0-9]+ +socket\((AF_[A-Z0-9]+),.*/\1/p' | sort -u)"
            allowed_families="$(unit_value RestrictAddressFamilies)"
            for family in $families; do
                [[ " $allowed_families " == *" $family "* ]] || { echo "socket family $family is not in RestrictAddressFamilies=$allowed_families"; bad=1; }
            done
            echo "socket families: $(tr '\n' ' ' <<<"$families")"
            # ProtectSystem=strict: every successful write-open, mkdir, rename and unlink is in the
            # store directory (in the unit: ReadWritePaths=/var/lib/atpd). Relative names are
            # resolved through the directory descriptors strace saw being opened.
            if ! "$python" - "$live/data" "$repo" "$live"/strace.* <<'PY'; then
import os, re, sys
store, cwd, files = sys.argv[1], sys.argv[2], sys.argv[3:]
call = re.compile(r'^\d+ +(open|openat|creat|mkdir|mkdirat|rename|renameat|renameat2|unlink|unlinkat)\((.*)\) += (-?\d+)')
written, outside = set(), set()
for name in files:
    fds = {}
    for line in open(name, errors="replace"):
        m = call.match(line)
        if not m:
            continue
        fn, args, result = m.group(1), m.group(2), int(m.group(3))
        if result < 0:
            continue
        parts = re.findall(r'AT_FDCWD|"[^"]*"|\b\d+\b|[A-Z_|]+', args)
        def resolve(base, path):
            if path.startswith("/"):
                return os.path.normpath(path)
            root = cwd if base in (None, "AT_FDCWD") else fds.get(base, "<fd %s>" % base)
            return os.path.normpath(os.path.join(root, path))
        paths, base = [], None
        for part in parts:
            if part == "AT_FDCWD" or part.isdigit():
                base = part
            elif part.startswith('"'):
                paths.append(resolve(base if fn.endswith("at") or fn == "renameat2" else None, part[1:-1]))
                base = None
        writes = fn not in ("open", "openat") or re.search(r"O_WRONLY|O_RDWR|O_CREAT", args)
        if fn in ("open", "openat") and paths:
            fds[str(result)] = paths[0]
        if writes:
            for path in paths:
                written.add(path)
                # /proc stays writable under ProtectSystem=strict; atpd names its threads there.
                thread_name = re.fullmatch(r"/proc/(thread-self|self/task/\d+|\d+/task/\d+)/comm", path)
                if not (path == store or path.startswith(store + "/")) and path not in ("/dev/null",) \
                        and not thread_name:
                    outside.add(path)
print(f"paths written: {len(written)}; outside the store directory: {len(outside)}")
for path in sorted(outside):
    print("  written outside the store directory:", path)
sys.exit(1 if outside or not written else 0)
PY
                bad=1
            fi
            return "$bad"
        }
        if command -v systemd-analyze >/dev/null 2>&1 && [[ -n "$python" ]]; then
            run "syscalls vs the unit's sandbox" "under strace in the runs above: every syscall is allowed by SystemCallFilter=, every socket family by RestrictAddressFamilies=, every write is in the store directory (ProtectSystem=strict + ReadWritePaths)" check_syscalls
        else
            skip "syscalls vs the unit's sandbox" "needs systemd-analyze and python3"
        fi
    else
        skip "syscalls vs the unit's sandbox" "strace is missing or ptrace is not permitted here"
    fi
else
    skip "live checks" "no atpd binary or no curl"
fi

# ================================================================================================
printf '\n=== Deploy/check.sh summary\n'
printf '%-6s %-46s %s\n' RESULT CHECK DETAIL
for row in "${rows[@]}"; do
    IFS='|' read -r status name detail <<<"$row"
    printf '%-6s %-46s %s\n' "$status" "$name" "$detail"
done
printf '\ncheck.sh: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
((failed == 0))
