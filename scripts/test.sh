#!/usr/bin/env bash
# The whole suite on SQLite, then again on a real PostgreSQL server.
# PostgreSQL: CXM_TEST_POSTGRES_URL if set; else a throw-away local cluster when the server binaries
# are installed (Debian package `postgresql`); else the PostgreSQL run is skipped with a warning
# (CI installs the package, so it never skips there).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

echo "== cxm tests on SQLite =="
CXM_TEST_DATABASE_URL= "$PY" -m pytest "$@"

echo "== cxm tests on PostgreSQL (browser tests run once, above) =="
if [[ -n "${CXM_TEST_POSTGRES_URL:-}" ]]; then
  CXM_TEST_DATABASE_URL="$CXM_TEST_POSTGRES_URL" "$PY" -m pytest -m "not browser" "$@"
elif compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  scripts/with-postgres.sh "$PY" -m pytest -m "not browser" "$@"
else
  echo "WARNING: PostgreSQL is not installed (apt-get install postgresql); skipped the PostgreSQL run" >&2
  [[ "${CI:-}" == "true" ]] && exit 1
fi
