#!/usr/bin/env bash
# Regenerates go.mod/go.sum of this wrapper module for a given Kubernetes version.
# Only needed when bumping the version; build-tools.sh uses the committed files.
#
#   ./update-gomod.sh 1.36.3
#
# k8s.io/kubernetes requires every staging module (k8s.io/api, k8s.io/client-go, ...)
# at v0.0.0 and maps it to ./staging/src/... with a replace directive. Replace
# directives of dependencies are ignored, so this main module must replace each
# of them with the published tag v0.<minor>.<patch>. The list changes between
# releases, so it is derived from the upstream go.mod: modules that are both
# required at v0.0.0 and replaced with ./staging/ (v1.36.3: 31 modules).
set -euo pipefail
V=${1:?usage: $0 <kubernetes version without v, e.g. 1.36.3>}
SV=v0.${V#1.}
cd "$(dirname "$0")"

MOD=$(go mod download -json "k8s.io/kubernetes@v$V" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')
req=$(awk '/^require \(/{r=1;next} r&&/^\)/{r=0} r&&$2=="v0.0.0"{print $1}' "$MOD" | sort -u)
rep=$(grep -E '^\s+k8s\.io/[A-Za-z0-9.-]+ => \./staging/' "$MOD" | awk '{print $1}' | sort -u)
staging=$(comm -12 <(echo "$req") <(echo "$rep"))

rm -f go.mod go.sum
cat > go.mod <<EOF
module mcpregistry-hook.invalid/test/e2e/tools/kube

go 1.26.0
EOF
for m in $staging; do go mod edit -replace "$m=$m@$SV"; done
# The replaces must exist before go get, or resolving k8s.io/api@v0.0.0 fails.
go get -tool \
  "k8s.io/kubernetes/cmd/kube-apiserver@v$V" \
  "k8s.io/kubernetes/cmd/kube-controller-manager@v$V" \
  "k8s.io/kubernetes/cmd/kube-scheduler@v$V" \
  "k8s.io/kubernetes/cmd/kubectl@v$V"
go mod tidy
echo "staging modules replaced: $(echo "$staging" | wc -l)"
echo "etcd required by k8s.io/kubernetes@v$V: $(go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3 2>/dev/null || true)"
