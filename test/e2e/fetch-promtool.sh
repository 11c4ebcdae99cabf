#!/usr/bin/env bash
# Prints the path of a promtool (Prometheus's rule checker and rule unit-test runner), for e2e scenario 16.
# PROMTOOL if set; else one on PATH; else the one in Debian's `prometheus` package, taken with
# `apt-get download` and unpacked with `dpkg-deb -x` into test/e2e/.work/promtool (nothing is installed, no
# service starts; only usr/bin/promtool is kept). Needs apt's package lists (it runs `apt-get update` once if
# the package is not found), as root, as on the project's machines and CI.
set -euo pipefail

if [[ -n "${PROMTOOL:-}" ]]; then echo "$PROMTOOL"; exit 0; fi
if command -v promtool >/dev/null 2>&1; then command -v promtool; exit 0; fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEST=${PROMTOOL_DIR:-$HERE/.work/promtool}
if [[ -x "$DEST/usr/bin/promtool" ]]; then echo "$DEST/usr/bin/promtool"; exit 0; fi

for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || { echo "fetch-promtool: $tool is needed (or set PROMTOOL)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"   # apt's _apt user writes the download here
if ! (cd "$tmp" && apt-get download -qq prometheus) >&2 2>/dev/null; then
  apt-get update -qq >&2
  (cd "$tmp" && apt-get download -qq prometheus) >&2
fi
dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x"
mkdir -p "$DEST/usr/bin"
mv "$tmp/x/usr/bin/promtool" "$DEST/usr/bin/promtool"
echo "fetch-promtool: $("$DEST/usr/bin/promtool" --version 2>&1 | head -n 1)" >&2
echo "$DEST/usr/bin/promtool"
