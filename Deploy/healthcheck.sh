#!/usr/bin/env bash
# atpd-healthcheck: exits 0 when atpd answers 200 on /healthz (or /readyz with --ready).
#
# The container image has no curl: this speaks HTTP/1.1 over bash's /dev/tcp. It connects to
# 127.0.0.1 on the port of ATP_LISTEN (default 127.0.0.1:8080), or to HOST:PORT given as an
# argument. Used as the Containerfile's HEALTHCHECK and compose's healthcheck; Deploy/check.sh runs
# it against a real atpd.
#
# usage: atpd-healthcheck [--ready] [HOST:PORT]
set -euo pipefail

path=/healthz
if [[ "${1:-}" == "--ready" ]]; then
    path=/readyz
    shift
fi
listen="${ATP_LISTEN:-127.0.0.1:8080}"
target="${1:-127.0.0.1:${listen##*:}}"
host="${target%:*}"
port="${target##*:}"

# A refused connection fails here (exit 1); the read below waits at most 3 s for the status line,
# and the HEALTHCHECK --timeout bounds the connect itself.
exec 3<>"/dev/tcp/${host}/${port}"
printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$target" >&3
status_line=""
IFS= read -r -t 3 status_line <&3 || true
exec 3<&-
case "$status_line" in
    "HTTP/1.1 200 "*) exit 0 ;;
    *)
        echo "atpd-healthcheck: ${target}${path} answered: ${status_line:-nothing}" >&2
        exit 1
        ;;
esac
