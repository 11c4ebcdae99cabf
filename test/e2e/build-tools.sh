#!/usr/bin/env bash
# Builds the e2e control-plane binaries from the Go module proxy into test/e2e/.bin/:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (k8s.io/kubernetes v1.36.3)
#   etcd                                                              (go.etcd.io/etcd/server/v3 v3.6.8)
#   kwok                                                              (sigs.k8s.io/kwok v0.8.0)
#   thv-operator                                                      (github.com/stacklok/toolhive v0.47.0)
# Two groups, each with its own stamp, so changing one rebuilds only that one:
#   control plane (the first six): skipped when they exist and .bin/.stamp records the same inputs
#     (sha256 of the three go.mod/go.sum files + SCRIPT_VERSION below);
#   operator: skipped when .bin/thv-operator exists and .bin/.stamp-operator records the same inputs
#     (sha256 of tools/operator/go.mod/go.sum + OPERATOR_SCRIPT_VERSION).
#
# Env: BIN_DIR (default test/e2e/.bin), FORCE=1 to rebuild regardless of the stamp.
set -euo pipefail

# Bump when this script's build flags change, so the stamp is invalidated.
SCRIPT_VERSION=1
OPERATOR_SCRIPT_VERSION=1
KUBE_VERSION=v1.36.3

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOLS=$HERE/tools
BIN_DIR=${BIN_DIR:-$HERE/.bin}
STAMP=$BIN_DIR/.stamp
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)

export CGO_ENABLED=0
# Make the wrapper go.mod files authoritative: fail instead of silently editing them.
export GOFLAGS="${GOFLAGS:-} -mod=readonly"

now() { date +%s; }
step() { # step <label> <command...>: runs the command and prints its duration
  local label=$1; shift
  local t0; t0=$(now)
  echo "==> $label"
  "$@"
  echo "==> $label: $(( $(now) - t0 ))s"
}

inputs_hash() {
  {
    echo "script=$SCRIPT_VERSION"
    for m in kube etcd kwok; do
      sha256sum "$TOOLS/$m/go.mod" "$TOOLS/$m/go.sum" | sed "s|  $TOOLS/|  |"
    done
    go env GOVERSION GOOS GOARCH
  } | sha256sum | cut -d' ' -f1
}

operator_inputs_hash() {
  {
    echo "script=$OPERATOR_SCRIPT_VERSION"
    sha256sum "$TOOLS/operator/go.mod" "$TOOLS/operator/go.sum" | sed "s|  $TOOLS/|  |"
    go env GOVERSION GOOS GOARCH
  } | sha256sum | cut -d' ' -f1
}

# The ToolHive operator (thv-operator), for the takeover and fidelity scenarios (test/e2e/operator.test.ts).
# Its module has no replace directives, so the wrapper's go.mod/go.sum pin the whole graph.
build_operator() {
  local want_op; want_op=$(operator_inputs_hash)
  if [[ -z "${FORCE:-}" && -x "$BIN_DIR/thv-operator" && -f "$BIN_DIR/.stamp-operator" \
        && "$(cat "$BIN_DIR/.stamp-operator")" == "$want_op" ]]; then
    echo "build-tools: thv-operator up to date (stamp $want_op)"
    return 0
  fi
  mkdir -p "$BIN_DIR"
  rm -f "$BIN_DIR/.stamp-operator"
  local t0; t0=$(now)
  step "download modules (operator)" bash -c "cd '$TOOLS/operator' && go mod download"
  step "build thv-operator" bash -c "cd '$TOOLS/operator' && go build -trimpath -ldflags '-s -w' \
    -o '$BIN_DIR/thv-operator' github.com/stacklok/toolhive/cmd/thv-operator"
  [[ -x "$BIN_DIR/thv-operator" ]] || { echo "missing $BIN_DIR/thv-operator" >&2; exit 1; }
  echo "$want_op" > "$BIN_DIR/.stamp-operator"
  echo "build-tools: thv-operator done in $(( $(now) - t0 ))s"
}

want=$(inputs_hash)
if [[ -z "${FORCE:-}" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
  missing=0
  for b in "${BINARIES[@]}"; do [[ -x "$BIN_DIR/$b" ]] || missing=1; done
  if [[ $missing == 0 ]]; then
    echo "build-tools: up to date ($BIN_DIR, stamp $want)"
    build_operator
    exit 0
  fi
fi

mkdir -p "$BIN_DIR"
rm -f "$STAMP"
T0=$(now)

minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
K=k8s.io/component-base/version
C=k8s.io/client-go/pkg/version
LDF="-s -w"
for p in $K $C; do
  LDF+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  LDF+=" -X $p.buildDate=1970-01-01T00:00:00Z"
done

step "download modules" bash -c "
  for m in kube etcd kwok; do (cd '$TOOLS/'\$m && go mod download); done"

# One go build call for all four kube binaries so compiled packages are shared.
step "build kube-apiserver kube-controller-manager kube-scheduler kubectl" \
  bash -c "cd '$TOOLS/kube' && go build -trimpath -ldflags '$LDF' -o '$BIN_DIR/' \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubectl"

# Always pass -o: the main package is go.etcd.io/etcd/server/v3, which would be named "v3"/"server".
step "build etcd" bash -c "cd '$TOOLS/etcd' && go build -trimpath -ldflags '-s -w' -o '$BIN_DIR/etcd' go.etcd.io/etcd/server/v3"

step "build kwok" bash -c "cd '$TOOLS/kwok' && go build -trimpath -ldflags '-s -w' -o '$BIN_DIR/kwok' sigs.k8s.io/kwok/cmd/kwok"

for b in "${BINARIES[@]}"; do [[ -x "$BIN_DIR/$b" ]] || { echo "missing $BIN_DIR/$b" >&2; exit 1; }; done
"$BIN_DIR/kube-apiserver" --version
"$BIN_DIR/kubectl" version --client
etcd_version=$("$BIN_DIR/etcd" --version)   # no "| head": SIGPIPE + pipefail would abort the script
echo "${etcd_version%%$'\n'*}"

echo "$want" > "$STAMP"
echo "build-tools: control plane built in $(( $(now) - T0 ))s"
build_operator
echo "build-tools: done in $(( $(now) - T0 ))s"
