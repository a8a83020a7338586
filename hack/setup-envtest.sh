#!/usr/bin/env bash
# Provides a real kube-apiserver, etcd and kubectl for operator tests (what controller-runtime's
# envtest calls "assets") and prints the directory holding them, so callers can do
#
#   KUBEBUILDER_ASSETS="$(hack/setup-envtest.sh)"
#
# Only that directory goes to stdout; progress goes to stderr.
#
# Pinned versions (edit both together; etcd is the one kubeadm pairs with this Kubernetes minor,
# see cmd/kubeadm/app/constants SupportedEtcdVersion in k8s.io/kubernetes):
#   Kubernetes  v1.34.10  (kube-apiserver, kubectl)  - newest 1.34 patch the Go proxy + sumdb serve
#   etcd        v3.6.5    (go.etcd.io/etcd/server/v3)
#
# Resolution order, first hit wins:
#   1. $KUBEBUILDER_ASSETS, when it holds executable kube-apiserver and etcd.
#   2. The cache dir ${XDG_CACHE_HOME:-$HOME/.cache}/alert-history/envtest/k8s-<version>, when it
#      holds all three binaries and a VERSIONS file naming the pinned versions.
#   3. The official envtest release tarball from controller-tools (index envtest-releases.yaml,
#      SHA-512 checked), tried with short timeouts: it lives on GitHub, which some machines
#      cannot reach.
#   4. A build from Go modules with the local Go toolchain (>= the go line of k8s.io/kubernetes's
#      go.mod; modules come from $GOPROXY, checked against the checksum database as usual):
#      a. `go mod download -json k8s.io/kubernetes@<v>` gives its go.mod and .info (release
#         time, and the commit where the proxy recorded one).
#         That go.mod replaces every k8s.io/<staging> module with ./staging/src/..., which
#         module zips do not contain, so a throwaway wrapper module (in a temp dir) requires
#         k8s.io/kubernetes <v> and replaces each staging module listed there with its published
#         v0.<minor>.<patch>. It copies k8s's `go` and `godebug` lines so runtime defaults match
#         an upstream build.
#      b. `go build` k8s.io/kubernetes/cmd/kube-apiserver and .../cmd/kubectl with
#         CGO_ENABLED=0, -trimpath and -ldflags "-s -w -X .../version.gitVersion=<v> ..." (the
#         same variables as hack/lib/version.sh sets), so `kube-apiserver --version` prints the
#         real version.
#      c. etcd: go.etcd.io/etcd/server/v3's go.mod replaces its sibling modules with ../ paths,
#         so it is built the same way from a second wrapper module that requires
#         go.etcd.io/etcd/server/v3 <v> (its requirements name real sibling versions).
#      Everything builds under `nice` into a temp dir beside the cache dir, then moves into
#      place with one rename, so an interrupted build never leaves a half-complete cache.
#
# Time and disk (measured 2026-12-01, cold, 2 cores, other work running): about 21 minutes, of
# which about 16 for kube-apiserver, 2.5 for kubectl, 2 for etcd, 1 fetching modules; plan for up
# to 40 on a loaded machine. It fills ${XDG_CACHE_HOME:-~/.cache}/alert-history/envtest with about
# 3.4 GB: Go's build cache (.go/build-cache, 2.5 GB) and module cache (.go/path/pkg/mod, 0.7 GB),
# and the installed binaries (k8s-<version>, 180 MB). Delete .go to reclaim 3.2 GB: the binaries
# do not need it (a later version bump then builds cold again). Go's own caches (~/.cache/go-build,
# ~/go) are not touched. While it builds, and while it waits for another run holding the lock,
# it logs what it is doing and the time elapsed every ENVTEST_PROGRESS_SECONDS (20).
#
# Environment: KUBEBUILDER_ASSETS (step 1), XDG_CACHE_HOME (step 2), GOPROXY (step 4),
# ENVTEST_SKIP_DOWNLOAD=1 skips step 3, ENVTEST_NO_BUILD=1 fails instead of doing step 4,
# ENVTEST_PROGRESS_SECONDS sets how often a long step logs that it is still running.
set -euo pipefail

K8S_VERSION="v1.34.10"
ETCD_VERSION="v3.6.5"

# controller-tools publishes envtest tarballs for selected Kubernetes releases only.
ENVTEST_INDEX_URL="https://raw.githubusercontent.com/kubernetes-sigs/controller-tools/HEAD/envtest-releases.yaml"

# How long and how big a cold build is (the header has the measurement).
COLD_BUILD_NOTE="a cold build from Go modules took about 21 minutes on 2 cores (plan for up to 40 on a loaded machine) and fills about 3.4 GB of disk"
SETUP_NAME="setup-envtest"
PROGRESS_SECONDS="${ENVTEST_PROGRESS_SECONDS:-20}"
# Logging, progress, the install lock and staging (fd 3 becomes the real stdout).
# shellcheck source=hack/lib/setup-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup-tool.sh"

has_assets() { # dir -> 0 when kube-apiserver and etcd are executable there
  [ -n "$1" ] && [ -x "$1/kube-apiserver" ] && [ -x "$1/etcd" ]
}

cache_complete() { # dir -> 0 when a previous run of this script fully installed it
  has_assets "$1" && [ -x "$1/kubectl" ] && [ -f "$1/VERSIONS" ] &&
    [ "$(cat "$1/VERSIONS")" = "$(versions_stamp)" ]
}

versions_stamp() {
  printf 'kubernetes=%s\netcd=%s\n' "$K8S_VERSION" "$ETCD_VERSION"
}

# --- 1. $KUBEBUILDER_ASSETS -------------------------------------------------------------------
if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  if has_assets "$KUBEBUILDER_ASSETS"; then
    log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
    done_with "$KUBEBUILDER_ASSETS"
  fi
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks an executable kube-apiserver or etcd; ignoring it"
fi

# --- 2. cache ---------------------------------------------------------------------------------
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/alert-history/envtest"
assets="$cache_root/k8s-$K8S_VERSION"
if cache_complete "$assets"; then
  log "using cached assets in $assets"
  done_with "$assets"
fi

mkdir -p "$cache_root"
# What the lock holder is doing, for runs waiting on the lock: "<step> since <time> (pid <pid>)".
status_file="$cache_root/.status-k8s-$K8S_VERSION"
log "no complete assets in $assets yet: downloading or building them; $COLD_BUILD_NOTE"
# One installer per version at a time (parallel test runs all call this script).
take_install_lock "$cache_root/.lock-k8s-$K8S_VERSION" "$cache_root/.stage-k8s-$K8S_VERSION" \
  "another setup-envtest run is installing $K8S_VERSION ($(cat "$status_file" 2>/dev/null || echo 'step unknown')); waiting for it, which may take as long as a cold build"
if [ -n "$holding_lock" ] && cache_complete "$assets"; then
  log "using cached assets in $assets (installed by the other run)"
  done_with "$assets"
fi

new_stage "$cache_root/.stage-k8s-$K8S_VERSION"

finish_install() { # the complete staging dir becomes the cache
  versions_stamp >"$stage/VERSIONS"
  install_stage "$assets"
  log "installed kube-apiserver, etcd and kubectl into $assets in $(minutes $((SECONDS - script_start))) ($(du -sh "$cache_root" 2>/dev/null | cut -f1) in $cache_root)"
  done_with "$assets"
}

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) os="$(uname -s | tr '[:upper:]' '[:lower:]')" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac

# --- 3. official envtest tarball ----------------------------------------------------------------
try_download() {
  local index tarball name want url got
  command -v curl >/dev/null 2>&1 || { log "curl not found; skipping the envtest download"; return 1; }
  index="$stage/envtest-releases.yaml"
  if ! curl -fsSL --connect-timeout 5 --max-time 20 -o "$index" "$ENVTEST_INDEX_URL" 2>/dev/null; then
    log "envtest release index unreachable (GitHub not reachable from here?); skipping the download"
    return 1
  fi
  name="envtest-$K8S_VERSION-$os-$arch.tar.gz"
  want="$(awk -v n="$name:" '$1 == n { f = 1; next } f && $1 == "hash:" { print $2; exit }' "$index")"
  url="$(awk -v n="$name:" '$1 == n { f = 1; next } f && $1 == "selfLink:" { print $2; exit }' "$index")"
  rm -f "$index"
  if [ -z "$want" ] || [ -z "$url" ]; then
    log "controller-tools publishes no $name; skipping the download"
    return 1
  fi
  tarball="$stage/$name"
  log "downloading $url"
  set_status "downloading $name"
  if ! curl -fsSL --connect-timeout 5 --speed-limit 10240 --speed-time 30 -o "$tarball" "$url"; then
    log "download of $name failed; skipping it"
    return 1
  fi
  got="$(sha512sum "$tarball" | awk '{ print $1 }')"
  if [ "$got" != "$want" ]; then
    log "$name has SHA-512 $got, the index says $want; discarding it"
    return 1
  fi
  # Layout: controller-tools/envtest/{etcd,kube-apiserver,kubectl}
  tar -xzf "$tarball" -C "$stage"
  rm -f "$tarball"
  local bin
  for bin in etcd kube-apiserver kubectl; do
    [ -x "$stage/controller-tools/envtest/$bin" ] || { log "$name lacks $bin"; return 1; }
    mv "$stage/controller-tools/envtest/$bin" "$stage/$bin"
  done
  rm -rf "$stage/controller-tools"
}

if [ "${ENVTEST_SKIP_DOWNLOAD:-}" != "1" ]; then
  if try_download; then
    finish_install
  fi
  # Leave nothing from a failed attempt in the staging dir.
  find "$stage" -mindepth 1 -delete
fi

# --- 4. build from Go modules -------------------------------------------------------------------
[ "${ENVTEST_NO_BUILD:-}" != "1" ] || die "no assets found and ENVTEST_NO_BUILD=1"

GO="go"
if ! command -v "$GO" >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; else die "no Go toolchain on PATH (need Go >= 1.24 to build $K8S_VERSION)"; fi
fi
log "building from Go modules with $("$GO" env GOVERSION) (GOPROXY=$("$GO" env GOPROXY)); each step logs its progress every ${PROGRESS_SECONDS}s"

export GOPATH="$cache_root/.go/path"
export GOMODCACHE="$GOPATH/pkg/mod"
export GOCACHE="$cache_root/.go/build-cache"
# -modcacherw keeps the module cache deletable with plain rm -rf.
export GOFLAGS="-mod=mod -modcacherw"
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GO111MODULE=on
export GOOS="$os" GOARCH="$arch"

work="$(mktemp -d "${TMPDIR:-/tmp}/setup-envtest.XXXXXX")"

json_field() { # field file -> first string value of "field" in go's -json output
  sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p" "$2" | head -n 1
}

info_field() { # field file -> string value of "field" in a one-line .info JSON file, if any
  sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$2" | head -n 1
}

download_module() { # module@version json-out -> fetch into the module cache, fail on errors
  with_progress "fetching $1" sh -c 'exec "$0" mod download -json "$1" >"$2"' "$GO" "$1" "$2" || true
  if grep -q '"Error"' "$2"; then
    die "go mod download $1 failed: $(json_field Error "$2")"
  fi
}

timed_build() { # label dir args... -> go build in dir, reporting progress and the duration
  local label="$1" dir="$2"
  shift 2
  # shellcheck disable=SC2016 # $0.. are the inner shell's arguments
  with_progress "building $label" bash -c 'cd "$0" && exec nice -n 10 "$1" build "${@:2}"' "$dir" "$GO" "$@" ||
    die "building $label failed"
}

# 4a. Kubernetes wrapper module
minor_patch="${K8S_VERSION#v1.}" # 34.10
staging_version="v0.$minor_patch"
download_module "k8s.io/kubernetes@$K8S_VERSION" "$work/kubernetes.json"
k8s_gomod="$(json_field GoMod "$work/kubernetes.json")"
k8s_info="$(json_field Info "$work/kubernetes.json")"
# The proxy's .info always has the release time; the commit (Origin.Hash) only for some versions.
k8s_time="$(info_field Time "$k8s_info")"
k8s_commit="$(info_field Hash "$k8s_info")"
[ -f "$k8s_gomod" ] || die "go mod download gave no go.mod for k8s.io/kubernetes@$K8S_VERSION"

mapfile -t staging < <(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#\1#p' "$k8s_gomod")
[ "${#staging[@]}" -gt 0 ] || die "found no ./staging replacements in k8s.io/kubernetes's go.mod"
log "wrapper module replaces ${#staging[@]} staging modules with $staging_version"

mkdir -p "$work/kubernetes"
{
  echo "module setup-envtest/kubernetes"
  echo
  grep -E '^(go|godebug) ' "$k8s_gomod"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  echo "replace ("
  for m in "${staging[@]}"; do
    printf '\t%s => %s %s\n' "$m" "$m" "$staging_version"
  done
  echo ")"
} >"$work/kubernetes/go.mod"

k8s_major="${K8S_VERSION#v}"
k8s_major="${k8s_major%%.*}"
k8s_minor="${minor_patch%%.*}"
k8s_ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  k8s_ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$k8s_major -X $pkg.gitMinor=$k8s_minor"
  k8s_ldflags+=" -X $pkg.gitTreeState=clean"
  if [ -n "$k8s_time" ]; then k8s_ldflags+=" -X $pkg.buildDate=$k8s_time"; fi
  if [ -n "$k8s_commit" ]; then k8s_ldflags+=" -X $pkg.gitCommit=$k8s_commit"; fi
done

# shellcheck disable=SC2016 # $0.. are the inner shell's arguments
with_progress "resolving kube-apiserver and kubectl dependencies" \
  sh -c 'cd "$0" && exec "$1" get "$2" "$3"' "$work/kubernetes" "$GO" "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" "k8s.io/kubernetes/cmd/kubectl@$K8S_VERSION" ||
  die "resolving k8s.io/kubernetes@$K8S_VERSION dependencies failed"

# 4b. kube-apiserver and kubectl (the second build reuses most of the first's packages)
timed_build "kube-apiserver $K8S_VERSION" "$work/kubernetes" -trimpath -ldflags "$k8s_ldflags" \
  -o "$stage/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
timed_build "kubectl $K8S_VERSION" "$work/kubernetes" -trimpath -ldflags "$k8s_ldflags" \
  -o "$stage/kubectl" k8s.io/kubernetes/cmd/kubectl

# 4c. etcd wrapper module
download_module "go.etcd.io/etcd/server/v3@$ETCD_VERSION" "$work/etcd.json"
etcd_commit="$(info_field Hash "$(json_field Info "$work/etcd.json")")"
mkdir -p "$work/etcd"
{
  echo "module setup-envtest/etcd"
  echo
  grep -E '^(go|godebug) ' "$(json_field GoMod "$work/etcd.json")"
  echo
  echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
} >"$work/etcd/go.mod"
# shellcheck disable=SC2016 # $0.. are the inner shell's arguments
with_progress "resolving etcd dependencies" sh -c 'cd "$0" && exec "$1" get "$2"' "$work/etcd" "$GO" "go.etcd.io/etcd/server/v3@$ETCD_VERSION" ||
  die "resolving go.etcd.io/etcd/server/v3@$ETCD_VERSION dependencies failed"
etcd_ldflags="-s -w"
if [ -n "$etcd_commit" ]; then etcd_ldflags+=" -X go.etcd.io/etcd/api/v3/version.GitSHA=${etcd_commit:0:7}"; fi
timed_build "etcd $ETCD_VERSION" "$work/etcd" -trimpath -ldflags "$etcd_ldflags" \
  -o "$stage/etcd" go.etcd.io/etcd/server/v3

# Sanity-check what was built before it becomes the cache.
log "$("$stage/kube-apiserver" --version 2>&1 | head -n 1)"
log "$("$stage/kubectl" version --client 2>&1 | head -n 1)"
log "$("$stage/etcd" --version 2>&1 | head -n 1)"
"$stage/kube-apiserver" --version 2>&1 | grep -qF "$K8S_VERSION" ||
  die "kube-apiserver --version does not report $K8S_VERSION"

finish_install
