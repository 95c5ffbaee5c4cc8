#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL cluster on 127.0.0.1 (a free port), then stops it.
# The command sees CXM_TEST_DATABASE_URL. Works as root (the server runs as user postgres).
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
D=$(mktemp -d /tmp/cxm-pg-data.XXXX); S=$(mktemp -d /tmp/cxm-pg-sock.XXXX); L=$(mktemp -d /tmp/cxm-pg-log.XXXX)
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[[ $(id -u) -eq 0 ]] && chown postgres: "$D" "$S" "$L"
stop() {
  as_pg "$BIN/pg_ctl" -D "$D" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$D" "$S" "$L"
}
trap stop EXIT
as_pg "$BIN/initdb" -D "$D" -U postgres -A trust -E UTF8 --no-locale >/dev/null
as_pg "$BIN/pg_ctl" -D "$D" -l "$L/pg.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$S -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres cxm_test
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
CXM_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/cxm_test" "$@"
