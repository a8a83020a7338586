#!/usr/bin/env bash
# Provides a helm binary for the chart tests and prints its path, so callers can do
#
#   HELM="$(hack/setup-helm.sh)"
#
# Only that path goes to stdout; progress goes to stderr.
#
# Pinned version: helm.sh/helm/v3 v3.22.0 (served by the Go module proxy and checksum database).
#
# Resolution order, first hit wins:
#   1. $HELM_BIN, when it is executable (no version check: the caller chose it).
#   2. The cache ${XDG_CACHE_HOME:-$HOME/.cache}/alert-history/helm-<version>/helm, when a
#      VERSION file beside it names the pinned version and Kubernetes stamp.
#   3. A build from the Go module with the local Go toolchain (>= 1.26, the go line of helm's
#      go.mod; GOTOOLCHAIN=local, so an older Go fails instead of downloading one): `go install
#      helm.sh/helm/v3/cmd/helm@<version>` (CGO_ENABLED=0, -trimpath, the version stamped as
#      upstream's Makefile does), with Go's module and build caches under the cache dir, into a
#      temp dir that moves into place with one rename.
#
# Time and disk: see COLD_BUILD_NOTE below (measured cold on this project's machine). While it
# builds, and while it waits for another run holding the lock, it logs what it is doing and the
# time elapsed every HELM_PROGRESS_SECONDS (20).
#
# Environment: HELM_BIN (step 1), XDG_CACHE_HOME (step 2), GOPROXY (step 3), HELM_NO_BUILD=1
# fails instead of doing step 3, HELM_PROGRESS_SECONDS.
set -euo pipefail

HELM_VERSION="v3.22.0"
# The Kubernetes version `helm template` and `helm lint` assume without a cluster: helm's Makefile
# stamps 1.<minor of k8s.io/client-go in helm's go.mod> (v0.37.0 for v3.22.0); unstamped it is 1.20.
HELM_K8S_MINOR="37"
STAMP="$HELM_VERSION k8s=1.$HELM_K8S_MINOR"

COLD_BUILD_NOTE="a cold build from the Go module took 5 min 25 s on 2 cores with other builds running (plan for up to 15 on a loaded machine) and fills about 1.3 GB of disk"
SETUP_NAME="setup-helm"
PROGRESS_SECONDS="${HELM_PROGRESS_SECONDS:-20}"
# Logging, progress, the install lock and staging (fd 3 becomes the real stdout).
# shellcheck source=hack/lib/setup-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup-tool.sh"

# --- 1. $HELM_BIN -------------------------------------------------------------------------------
if [ -n "${HELM_BIN:-}" ]; then
  if [ -x "$HELM_BIN" ]; then log "using HELM_BIN=$HELM_BIN"; done_with "$HELM_BIN"; fi
  log "HELM_BIN=$HELM_BIN is not executable; ignoring it"
fi

# --- 2. cache -----------------------------------------------------------------------------------
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/alert-history"
dest="$cache_root/helm-$HELM_VERSION"
cache_complete() { [ -x "$dest/helm" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$STAMP" ]; }
if cache_complete; then log "using cached $dest/helm"; done_with "$dest/helm"; fi

# --- 3. build -----------------------------------------------------------------------------------
[ "${HELM_NO_BUILD:-}" = 1 ] && die "no helm in $dest and HELM_NO_BUILD=1"
command -v go >/dev/null 2>&1 || die "no helm in $dest and no Go toolchain to build one (helm v3.22.0 needs Go >= 1.26)"
mkdir -p "$cache_root"
log "no helm $HELM_VERSION in $dest yet: building it; $COLD_BUILD_NOTE"

status_file="$cache_root/.status-helm-$HELM_VERSION"
take_install_lock "$cache_root/.lock-helm-$HELM_VERSION" "$cache_root/.stage-helm-$HELM_VERSION" \
  "another setup-helm run is building $HELM_VERSION ($(cat "$status_file" 2>/dev/null || echo 'step unknown')); waiting for it"
if [ -n "$holding_lock" ] && cache_complete; then log "using $dest/helm (built by the other run)"; done_with "$dest/helm"; fi

new_stage "$cache_root/.stage-helm-$HELM_VERSION"

gocache="$cache_root/helm-go"
export GOMODCACHE="$gocache/path/pkg/mod" GOCACHE="$gocache/build-cache" GOPATH="$gocache/path"
export GOFLAGS="-modcacherw -buildvcs=false" CGO_ENABLED=0 GOTOOLCHAIN=local GOBIN="$stage"
k8s_flags=""
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  k8s_flags="$k8s_flags -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$HELM_K8S_MINOR"
done
set_status "building helm $HELM_VERSION"
start_ticker "building helm $HELM_VERSION (go install helm.sh/helm/v3/cmd/helm)"
run_step nice go install -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.metadata= -X helm.sh/helm/v3/internal/version.gitTreeState=clean $k8s_flags" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" || die "go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION failed"
stop_ticker
"$stage/helm" version --short >/dev/null || die "the built helm does not run"
printf '%s\n' "$STAMP" >"$stage/VERSION"
install_stage "$dest"
log "installed $dest/helm ($("$dest/helm" version --short)) in $(minutes $((SECONDS - script_start))) ($(du -sh "$cache_root/helm-go" "$dest" 2>/dev/null | cut -f1 | paste -sd+ -) in $cache_root/helm-go and $dest)"
done_with "$dest/helm"
