#!/usr/bin/env bash
# End-to-end check of the Kubernetes manifests on a throwaway kind cluster:
#   build the image -> load it into kind -> CRDs -> manifests/overlays/dev -> config/samples ->
#   every PublishingTarget Ready -> a webhook through /webhook/proxy -> GET /publishing/targets.
#
# Needs Docker, kind (https://kind.sigs.k8s.io), kubectl and curl. Usage:
#   hack/kind-e2e.sh             # deletes the cluster at the end, pass or fail
#   KEEP=1 hack/kind-e2e.sh      # keeps it (prints how to reach it)
# Settings: CLUSTER_NAME (alert-history-e2e), KIND_NODE_IMAGE (kind's default), LOCAL_PORT (18080),
# TIMEOUT (300s, per wait).
#
# The samples carry fake credentials, so deliveries to Slack, PagerDuty and Rootly fail and are
# retried or dead-lettered; what this checks is the path up to them: the operator resolves every
# target from its Secrets, and the proxy records, classifies and routes the alerts.
#
# It uses its own kubeconfig file, so your current kubectl context is left alone.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CLUSTER_NAME="${CLUSTER_NAME:-alert-history-e2e}"
KEEP="${KEEP:-0}"
LOCAL_PORT="${LOCAL_PORT:-18080}"
TIMEOUT="${TIMEOUT:-300s}"
NAMESPACE=alert-history
# The image manifests/overlays/dev runs (its `images:` entry); imagePullPolicy is IfNotPresent,
# so the copy loaded into the kind nodes is used.
IMAGE=alert-history:dev
FIXTURE=test/fixtures/am-v4-firing.json

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'kind-e2e: %s\n' "$*" >&2; exit 1; }

for tool in docker kind kubectl curl; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required (this script is for machines with Docker)"
done
docker info >/dev/null 2>&1 || die "the Docker engine is not reachable (docker info failed)"

work="$(mktemp -d)"
export KUBECONFIG="$work/kubeconfig"
created=0
pf_pid=""

diagnostics() {
  log "diagnostics"
  kubectl get nodes -o wide || true
  kubectl -n "$NAMESPACE" get all,pt,ep,lease,events -o wide || true
  kubectl -n "$NAMESPACE" describe pods -l app.kubernetes.io/name=alert-history || true
  kubectl -n "$NAMESPACE" logs -l app.kubernetes.io/name=alert-history --all-containers --tail=200 --prefix || true
  kubectl -n "$NAMESPACE" get pt -o yaml || true
  if [ -f "$work/port-forward.log" ]; then cat "$work/port-forward.log" >&2; fi
}

cleanup() {
  local rc=$?
  if [ -n "$pf_pid" ]; then kill "$pf_pid" 2>/dev/null || true; wait "$pf_pid" 2>/dev/null || true; fi
  if [ "$rc" != 0 ] && [ -s "$KUBECONFIG" ]; then diagnostics; fi
  if [ "$KEEP" = 1 ]; then
    log "keeping cluster $CLUSTER_NAME (KEEP=1)"
    echo "  export KUBECONFIG=$KUBECONFIG   # or: kind export kubeconfig --name $CLUSTER_NAME" >&2
    echo "  kubectl -n $NAMESPACE port-forward svc/alert-history $LOCAL_PORT:8080" >&2
    echo "  kind delete cluster --name $CLUSTER_NAME   # when done" >&2
  elif [ "$created" = 1 ]; then
    log "deleting cluster $CLUSTER_NAME"
    kind delete cluster --name "$CLUSTER_NAME" --kubeconfig "$KUBECONFIG" || true
  fi
  [ "$KEEP" = 1 ] || rm -rf "$work"
  if [ "$rc" = 0 ]; then log "PASS"; else log "FAIL (exit $rc)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- cluster ------------------------------------------------------------------------------------
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; then
  log "reusing the existing kind cluster $CLUSTER_NAME (it is not deleted at the end)"
  kind export kubeconfig --name "$CLUSTER_NAME" --kubeconfig "$KUBECONFIG"
else
  log "creating kind cluster $CLUSTER_NAME"
  created=1
  kind create cluster --name "$CLUSTER_NAME" --kubeconfig "$KUBECONFIG" --wait 120s \
    ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"}
fi
kubectl cluster-info

# --- image --------------------------------------------------------------------------------------
log "building $IMAGE"
docker build -t "$IMAGE" "$root"
log "loading $IMAGE into the kind nodes"
kind load docker-image "$IMAGE" --name "$CLUSTER_NAME"

# --- CRDs, then the operator --------------------------------------------------------------------
log "applying the CRDs"
kubectl apply -f crds/
kubectl wait --for=condition=Established --timeout="$TIMEOUT" \
  crd/publishingtargets.alerthistory.io crd/enrichmentpolicies.alerthistory.io

log "applying manifests/overlays/dev"
kubectl apply -k manifests/overlays/dev
kubectl -n "$NAMESPACE" rollout status deployment/alert-history --timeout="$TIMEOUT"

# --- samples ------------------------------------------------------------------------------------
log "applying config/samples"
kubectl apply -k config/samples
expected="$(kubectl -n "$NAMESPACE" get pt -o name | wc -l | tr -d ' ')"
[ "$expected" -gt 0 ] || die "no PublishingTargets after applying config/samples"

log "waiting until all $expected PublishingTargets and the EnrichmentPolicies are Ready"
kubectl -n "$NAMESPACE" wait --for=condition=Ready pt --all --timeout="$TIMEOUT"
kubectl -n "$NAMESPACE" wait --for=condition=Ready ep --all --timeout="$TIMEOUT"
kubectl -n "$NAMESPACE" get pt,ep -o wide

# --- through the Service ------------------------------------------------------------------------
log "port-forwarding svc/alert-history to localhost:$LOCAL_PORT"
kubectl -n "$NAMESPACE" port-forward svc/alert-history "$LOCAL_PORT:8080" >"$work/port-forward.log" 2>&1 &
pf_pid=$!
base="http://127.0.0.1:$LOCAL_PORT"
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "$base/readyz" 2>/dev/null && break
  kill -0 "$pf_pid" 2>/dev/null || die "kubectl port-forward exited"
  sleep 1
done
curl -fsS -o /dev/null "$base/readyz" || die "$base/readyz did not answer 2xx"

log "POST $FIXTURE to /webhook/proxy"
curl -fsS -X POST "$base/webhook/proxy" -H 'Content-Type: application/json' --data-binary "@$FIXTURE"
echo

log "GET /publishing/targets"
targets="$(curl -fsS "$base/publishing/targets")"
if command -v jq >/dev/null 2>&1; then jq . <<<"$targets"; else echo "$targets"; fi

# Every PublishingTarget must have reached the publisher registry (source "crd").
seen="$({ grep -o '"source": *"crd"' <<<"$targets" || true; } | wc -l | tr -d ' ')"
[ "$seen" -eq "$expected" ] || die "expected $expected targets with source \"crd\" in /publishing/targets, saw $seen"

