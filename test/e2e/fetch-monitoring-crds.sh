#!/usr/bin/env bash
# Prints the folder that holds the prometheus-operator's monitoring.coreos.com CRDs (ServiceMonitor,
# PrometheusRule, ...), taken from its Go module through the Go module proxy: the module's zip carries
# example/prometheus-operator-crd/*.yaml. Nothing is committed; Go's module cache keeps the download, and the
# module's hash is checked against the checksum database and against the pin below.
#   bash test/e2e/fetch-monitoring-crds.sh    # -> .../prometheus-operator@v0.85.0/example/prometheus-operator-crd
# Env: PROMETHEUS_OPERATOR_VERSION and PROMETHEUS_OPERATOR_SUM to try another release (both, from
# `go mod download -json github.com/prometheus-operator/prometheus-operator@VERSION`).
set -euo pipefail

MODULE=github.com/prometheus-operator/prometheus-operator
VERSION=${PROMETHEUS_OPERATOR_VERSION:-v0.85.0}
SUM=${PROMETHEUS_OPERATOR_SUM:-h1:M5xLCLEoaW2IJfnuCwFzzpL+jSVQu3KGT84Pye+fW8s=}

command -v go >/dev/null 2>&1 || { echo "fetch-monitoring-crds: Go is needed (go mod download)" >&2; exit 1; }
# outside any module, so that no go.mod is read or written
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
json=$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$MODULE@$VERSION")
field() { sed -nE "s/^[[:space:]]*\"$1\": \"(.*)\",?$/\1/p" <<<"$json"; }
if [[ -n "$(field Error)" ]]; then echo "fetch-monitoring-crds: $(field Error)" >&2; exit 1; fi
if [[ "$(field Sum)" != "$SUM" ]]; then
  echo "fetch-monitoring-crds: $MODULE@$VERSION has hash $(field Sum), expected $SUM" >&2
  exit 1
fi
dir="$(field Dir)/example/prometheus-operator-crd"
for kind in servicemonitors prometheusrules; do
  [[ -f "$dir/monitoring.coreos.com_$kind.yaml" ]] || { echo "fetch-monitoring-crds: no $kind CRD in $dir" >&2; exit 1; }
done
echo "$dir"
