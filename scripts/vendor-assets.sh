#!/usr/bin/env bash
# Vendors the browser libraries that cxm serves itself (no CDN): installs the versions pinned in
# package-lock.json with npm and copies their minified builds into src/cxm/static/vendor/.
# Idempotent: npm runs only when a vendored file is missing or older than package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=src/cxm/static/vendor
FILES=(
  "node_modules/echarts/dist/echarts.min.js"
  "node_modules/htmx.org/dist/htmx.min.js"
)

fresh=1
for src in "${FILES[@]}"; do
  dest="$VENDOR/$(basename "$src")"
  if [[ ! -s "$dest" || package-lock.json -nt "$dest" ]]; then
    fresh=0
  fi
done
if (( fresh )); then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "vendor-assets: npm is needed to vendor the chart libraries (apt-get install npm)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
mkdir -p "$VENDOR"
for src in "${FILES[@]}"; do
  # copy then rename, so a running server never serves a half-written file (cp sets a new mtime)
  cp "$src" "$VENDOR/.$(basename "$src").tmp"
  mv "$VENDOR/.$(basename "$src").tmp" "$VENDOR/$(basename "$src")"
done
echo "vendor-assets: $(cd "$VENDOR" && ls *.js | tr '\n' ' ')into $VENDOR"
