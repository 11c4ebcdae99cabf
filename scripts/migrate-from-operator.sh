#!/usr/bin/env bash
# Hands the MCPRegistries of one namespace from the ToolHive operator to Metacontroller and this hook,
# without recreating their Deployments. Run it after scaling the operator to zero and before (or right
# after) `kubectl apply -f metacontroller/`. Usage: scripts/migrate-from-operator.sh NAMESPACE [NAME...]
#
# Why: with generateSelector, Metacontroller claims only children labelled controller-uid=<parent uid>.
# The operator's children carry a controller ownerReference to the same MCPRegistry but not that label,
# so Metacontroller would release them and fail to create its own ("already exists"). Labelling them
# first lets Metacontroller claim them and update them in place (the hook keeps upstream's names, labels
# and Deployment selector). The operator's finalizer is removed so deletion no longer waits for it.
set -euo pipefail
ns=${1:?usage: $0 NAMESPACE [NAME...]}
shift
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  mapfile -t names < <(kubectl -n "$ns" get mcpregistries -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}')
fi
for name in "${names[@]}"; do
  uid=$(kubectl -n "$ns" get mcpregistry "$name" -o jsonpath='{.metadata.uid}')
  echo "mcpregistry/$name (uid $uid)"
  kubectl -n "$ns" label --overwrite configmap "$name-registry-server-config" "controller-uid=$uid"
  kubectl -n "$ns" label --overwrite serviceaccount,role,rolebinding "$name-registry-api" "controller-uid=$uid"
  kubectl -n "$ns" label --overwrite deployment,service "$name-api" "controller-uid=$uid"
  if kubectl -n "$ns" get mcpregistry "$name" -o jsonpath='{.metadata.finalizers}' | grep -q 'mcpregistry.toolhive.stacklok.dev/finalizer'; then
    kubectl -n "$ns" patch mcpregistry "$name" --type=json \
      -p '[{"op":"remove","path":"/metadata/finalizers/'"$(kubectl -n "$ns" get mcpregistry "$name" -o json | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).metadata.finalizers.indexOf('mcpregistry.toolhive.stacklok.dev/finalizer')))")"'"}]'
  fi
done
