#!/usr/bin/env bash
# Refreshes test/fixtures/upstream/ from a ToolHive operator release on the Go module proxy:
# the MCPRegistry CRD and the six example MCPRegistries, copied unchanged (Apache-2.0).
#
#   scripts/refresh-upstream-fixtures.sh [VERSION]     (default: the version in test/fixtures/upstream/VERSION)
#
# Then run `npm test`: test/crd.test.ts checks that our CRD admits everything upstream's admits and that every
# upstream example is admitted; review `git diff test/fixtures/upstream` before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=test/fixtures/upstream
VERSION=${1:-$(cat "$OUT/VERSION")}
MODULE=github.com/stacklok/toolhive

dir=$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json "$MODULE@$VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[[ -d "$dir" ]] || { echo "could not download $MODULE@$VERSION" >&2; exit 1; }

cp "$dir/deploy/charts/operator-crds/files/crds/toolhive.stacklok.dev_mcpregistries.yaml" "$OUT/"
for f in "$dir"/examples/operator/mcp-registries/mcpregistry-configyaml-*.yaml; do cp "$f" "$OUT/"; done
chmod 644 "$OUT"/*.yaml
echo "$VERSION" > "$OUT/VERSION"
echo "refreshed $OUT from $MODULE@$VERSION"
