#!/usr/bin/env bash
# Deploy/install.sh: build atpd and install it as a systemd service on Debian 12, as root.
#
#   bash Deploy/install.sh            build, install binary, user, directories, unit; start nothing
#   bash Deploy/install.sh --start    ... then enable and (re)start atpd
#   bash Deploy/install.sh --redis    ... also install redis-server with Deploy/redis/redis.conf and
#                                     point a new /etc/atpd/atpd.env at it
#
# Options:
#   --binary PATH   install this atpd instead of building one
#   --destdir DIR   install the files under DIR and skip what needs the real system (packages,
#                   the atpd user, ownership, systemctl); Deploy/check.sh tests the script this way
#
# It can run again at any time (an upgrade is this script plus `systemctl restart atpd`, see
# RUNBOOK.md): the binary is replaced atomically, the unit updated, and /etc/atpd/atpd.env,
# /etc/atpd/api-keys and the data in /var/lib/atpd are never overwritten.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
start=false
redis=false
binary=""
destdir=""

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($# > 0)); do
    case "$1" in
        --start) start=true ;;
        --redis) redis=true ;;
        --binary) binary="${2:?--binary needs a path}"; shift ;;
        --destdir) destdir="${2:?--destdir needs a directory}"; shift ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [[ -n "$destdir" ]]; then
    mkdir -p "$destdir"
    destdir="$(cd "$destdir" && pwd)"
    if $start; then echo "install.sh: --start cannot be used with --destdir" >&2; exit 2; fi
elif ((EUID != 0)); then
    echo "install.sh: run as root (or use --destdir DIR)" >&2
    exit 2
fi

say() { printf '==> %s\n' "$*"; }
skip() { printf '    skipped (--destdir): %s\n' "$*"; }
real_system() { [[ -z "$destdir" ]]; }

# ---- packages ----------------------------------------------------------------------------------
missing_packages() {
    local package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$' \
            || printf '%s\n' "$package"
    done
}
packages=(libhiredis0.14)
[[ -z "$binary" ]] && packages+=(libhiredis-dev pkg-config)
$redis && packages+=(redis-server)
if real_system; then
    mapfile -t needed < <(missing_packages "${packages[@]}")
    if ((${#needed[@]} > 0)); then
        say "installing ${needed[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
    else
        say "packages present: ${packages[*]}"
    fi
else
    skip "apt-get install ${packages[*]}"
fi

# ---- build -------------------------------------------------------------------------------------
if [[ -z "$binary" ]]; then
    command -v swift >/dev/null || { echo "install.sh: swift is not in PATH (or pass --binary)" >&2; exit 1; }
    say "building atpd (release, Swift runtime linked statically, as in Deploy/Containerfile)"
    (cd "$repo" && swift build -c release --product atpd --static-swift-stdlib --scratch-path .build-static)
    binary="$repo/.build-static/release/atpd"
fi
[[ -x "$binary" ]] || { echo "install.sh: $binary is not an executable" >&2; exit 1; }

# ---- user and directories ----------------------------------------------------------------------
if real_system; then
    if id -u atpd >/dev/null 2>&1; then
        say "user atpd exists"
    else
        say "creating system user atpd"
        useradd --system --user-group --home-dir /var/lib/atpd --no-create-home \
            --shell /usr/sbin/nologin --comment "atpd inventory service" atpd
    fi
else
    skip "useradd atpd"
fi
owner=(-o root -g atpd)
data_owner=(-o atpd -g atpd)
real_system || { owner=(); data_owner=(); }
install -d -m 0755 "$destdir/usr/local/bin" "$destdir/etc/systemd/system" "$destdir/usr/local/share/doc/atpd"
install -d -m 0750 "${owner[@]}" "$destdir/etc/atpd"
# systemd's StateDirectory= makes it too; made here so the file store can be used at once.
install -d -m 0750 "${data_owner[@]}" "$destdir/var/lib/atpd"

# ---- binary: replaced atomically, so a running atpd keeps its old file until restarted ----------
target="$destdir/usr/local/bin/atpd"
if [[ -e "$target" ]] && cmp -s "$binary" "$target"; then
    say "$target is up to date"
else
    if [[ -e "$target" ]]; then
        say "keeping the running version as $target.previous (for a rollback)"
        cp -p "$target" "$target.previous"
    fi
    say "installing $target"
    install -m 0755 "$binary" "$destdir/usr/local/bin/.atpd.new"
    mv -f "$destdir/usr/local/bin/.atpd.new" "$target"
fi
install -m 0644 "$repo/Deploy/RUNBOOK.md" "$destdir/usr/local/share/doc/atpd/RUNBOOK.md"

# ---- configuration: created once, never overwritten --------------------------------------------
env_file="$destdir/etc/atpd/atpd.env"
if [[ -e "$env_file" ]]; then
    say "keeping existing $env_file"
else
    say "creating $env_file from Deploy/atpd.env.example"
    install -m 0640 "${owner[@]}" "$repo/Deploy/atpd.env.example" "$env_file"
    if $redis; then
        sed -i -e 's|^ATP_STORE=file:/var/lib/atpd$|ATP_STORE=redis://127.0.0.1:6379|' "$env_file"
    fi
fi
keys_file="$destdir/etc/atpd/api-keys"
if [[ -e "$keys_file" ]]; then
    say "keeping existing $keys_file"
else
    token="$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')"
    digest="$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)"
    say "creating $keys_file with one admin key, \"ops\"; its token is in $destdir/etc/atpd/ops.token"
    umask 077
    {
        echo "# NAME SCOPES TOKEN: one key a line; TOKEN is the token or sha256:<hex> of it."
        echo "# Scopes: read, reserve, ingest, admin. Restart atpd after editing."
        echo "ops admin,read,reserve,ingest sha256:$digest"
    } >"$keys_file"
    printf '%s\n' "$token" >"$destdir/etc/atpd/ops.token"
    chmod 0640 "$keys_file"
    chmod 0600 "$destdir/etc/atpd/ops.token"
    real_system && chown root:atpd "$keys_file"
    umask 022
fi

# ---- the unit ----------------------------------------------------------------------------------
unit="$destdir/etc/systemd/system/atpd.service"
if [[ -e "$unit" ]] && cmp -s "$repo/Deploy/atpd.service" "$unit"; then
    say "$unit is up to date"
else
    say "installing $unit"
    install -m 0644 "$repo/Deploy/atpd.service" "$unit"
fi
if $redis; then
    dropin="$destdir/etc/systemd/system/atpd.service.d"
    install -d -m 0755 "$dropin"
    printf '[Unit]\n# installed by Deploy/install.sh --redis\nWants=redis-server.service\n' >"$dropin/redis.conf"
    redis_conf="$destdir/etc/redis/redis.conf"
    install -d -m 0755 "$destdir/etc/redis"
    if [[ -e "$redis_conf" ]] && cmp -s "$repo/Deploy/redis/redis.conf" "$redis_conf"; then
        say "$redis_conf is up to date"
    else
        if [[ -e "$redis_conf" && ! -e "$redis_conf.orig" ]]; then cp -p "$redis_conf" "$redis_conf.orig"; fi
        say "installing $redis_conf (the previous one is kept as redis.conf.orig)"
        if real_system; then
            install -m 0640 -o redis -g redis "$repo/Deploy/redis/redis.conf" "$redis_conf"
        else
            install -m 0640 "$repo/Deploy/redis/redis.conf" "$redis_conf"
        fi
    fi
fi

# ---- systemd -----------------------------------------------------------------------------------
systemd_running() { [[ -d /run/systemd/system ]]; }
if ! real_system; then
    skip "systemctl daemon-reload"
elif systemd_running; then
    systemctl daemon-reload
    if $start; then
        if $redis; then
            say "restarting redis-server with the new configuration"
            systemctl enable redis-server >/dev/null
            systemctl restart redis-server
        fi
        say "enabling and (re)starting atpd"
        systemctl enable atpd >/dev/null
        systemctl restart atpd
        systemctl --no-pager --lines=5 status atpd || true
    fi
else
    echo "install.sh: systemd is not running here; files are installed but nothing was started" >&2
fi

say "done"
if ! $start; then
    echo "    next: review /etc/atpd/atpd.env, then: systemctl enable --now atpd"
    echo "    check: curl -s localhost:8080/readyz   (RUNBOOK.md, \"Start and stop\")"
fi
