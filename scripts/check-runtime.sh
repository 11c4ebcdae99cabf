#!/usr/bin/env bash
# Proves the Dockerfile's runtime stage without a Docker engine: the built output, installed with
# production dependencies only in a clean folder (as the image's second stage does), starts, answers
# /healthz and a real sync request, and stops on SIGTERM. Prints "runtime: ok" or fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$repo" && npm run build --silent)
cp "$repo/package.json" "$repo/package-lock.json" "$work/"
cp -r "$repo/dist" "$repo/bin" "$work/"
(cd "$work" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
if [ -d "$work/node_modules/kubernetes-types" ] || [ -d "$work/node_modules/tap" ]; then
  echo "runtime: dev dependencies leaked into the production install" >&2
  exit 1
fi

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
(cd "$work" && PORT="$port" HOST=127.0.0.1 LOG_LEVEL=warn exec node dist/server.js) &
pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthz" | grep -q '"ok"'
phase=$(curl -fsS -H 'content-type: application/json' --data-binary @"$repo/examples/sync-request.json" \
  "http://127.0.0.1:$port/sync" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).status.phase))")
[ "$phase" = "Ready" ] || { echo "runtime: /sync answered phase $phase, expected Ready" >&2; exit 1; }
(cd "$work" && node bin/mcpregistry-hook.js render -f "$repo/examples/minimal.yaml" | grep -q 'kind: Deployment')
kill -TERM "$pid"
wait "$pid"
pid=""
echo "runtime: ok (production install of $(ls "$work/node_modules" | wc -l) packages answers /healthz and /sync, CLI renders, SIGTERM exits 0)"
