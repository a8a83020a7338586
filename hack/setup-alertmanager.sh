#!/usr/bin/env bash
# Provides a real Prometheus Alertmanager for the end-to-end tests (test/e2e) and the
# event-recorder capture (hack/capture-am-events.ts) and prints the directory holding the
# `alertmanager` binary, so callers can do
#
#   ALERTMANAGER_DIR="$(hack/setup-alertmanager.sh)"
#
# Only that directory goes to stdout; progress goes to stderr.
#
# Pinned version: github.com/prometheus/alertmanager v0.35.0 (served by the Go proxy, accepted on
# Go 1.26 per go-partial.tsv; its go.mod says `go 1.26.0`). The event recorder
# (--enable-feature=event-recorder) needs >= 0.33.
#
# Resolution order, first hit wins:
#   1. $ALERTMANAGER_DIR, when it holds an executable `alertmanager`.
#   2. The cache dir ${XDG_CACHE_HOME:-$HOME/.cache}/alert-history/alertmanager-<version>/, when it
#      holds `alertmanager` and a VERSIONS file naming the pinned version.
#   3. A build from the Go module with the local Go toolchain (GOTOOLCHAIN=local: an older Go
#      fails instead of downloading one; no release download, no GitHub):
#      a. `go mod download -json github.com/prometheus/alertmanager@<v>` gives the module's source
#         dir (read-only, in a private module cache) and its .info (release time).
#      b. The source is copied into a writable temp dir. ui/web.go embeds `app/dist` (the web UI's
#         built assets: app/dist/elm and app/dist/mantine, served as <file>.gz), which the module
#         zip lacks and an empty embed dir would fail to compile, so a one-page index.html (and
#         its .gz) saying the UI is not built goes into both. The API (/api/v2) is unaffected.
#      c. `go build -trimpath` ./cmd/alertmanager with CGO_ENABLED=0 and the version ldflags of
#         Alertmanager's .promu.yml (github.com/prometheus/common/version.Version etc.), so
#         `alertmanager --version` prints the real version. Its own go.mod and go.sum pin every
#         dependency (from $GOPROXY, checked against the checksum database as usual).
#      It builds under `nice` into a staging dir beside the cache dir and moves into place with
#      one rename, so an interrupted build leaves no half cache.
#
# Time and disk (measured 2026-12-01, cold, 2 cores, with a kube-apiserver build running beside
# it, load average 16): 16 min 5 s wall, of which 1 s fetching the module and 16 min building
# (module downloads included); 4.4 min user + 1.4 min system CPU, so a quiet 2-core machine should
# take about 4-5 minutes (not measured). While it builds, Go's module cache and build cache fill
# ${XDG_CACHE_HOME:-~/.cache}/alert-history/alertmanager-go (892 MB); the installed binary is 36 MB
# (alertmanager-<version>/). Once alertmanager is installed the Go caches are deleted, as the
# binary does not need them (ALERTMANAGER_KEEP_GO_CACHE=1 keeps them). Go's own
# caches (~/.cache/go-build, ~/go) are not touched. While it builds, and while it waits for
# another run holding the lock, it logs what it does and the time elapsed every
# ALERTMANAGER_PROGRESS_SECONDS (20).
#
# Environment: ALERTMANAGER_DIR (step 1), XDG_CACHE_HOME (step 2), GOPROXY (step 3),
# ALERTMANAGER_NO_BUILD=1 fails instead of doing step 3, ALERTMANAGER_KEEP_GO_CACHE=1,
# ALERTMANAGER_PROGRESS_SECONDS.
set -euo pipefail

AM_VERSION="v0.35.0"

COLD_BUILD_NOTE="a cold build from the Go module took 16 minutes on 2 cores beside another Go build (about 6 CPU-minutes; plan for up to 20 on a loaded machine) and needs about 0.9 GB of disk while it runs, 36 MB once installed"
SETUP_NAME="setup-alertmanager"
PROGRESS_SECONDS="${ALERTMANAGER_PROGRESS_SECONDS:-20}"
# Logging, progress, the install lock and staging (fd 3 becomes the real stdout).
# shellcheck source=hack/lib/setup-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup-tool.sh"

versions_stamp() {
  printf 'alertmanager=%s\n' "$AM_VERSION"
}

# --- 1. $ALERTMANAGER_DIR -----------------------------------------------------------------------
if [ -n "${ALERTMANAGER_DIR:-}" ]; then
  if [ -x "$ALERTMANAGER_DIR/alertmanager" ] && [ -f "$ALERTMANAGER_DIR/alertmanager" ]; then
    log "using ALERTMANAGER_DIR=$ALERTMANAGER_DIR"
    done_with "$ALERTMANAGER_DIR"
  fi
  log "ALERTMANAGER_DIR=$ALERTMANAGER_DIR holds no executable alertmanager; ignoring it"
fi

# --- 2. cache -----------------------------------------------------------------------------------
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/alert-history"
dest="$cache_root/alertmanager-$AM_VERSION"
cache_complete() {
  [ -x "$dest/alertmanager" ] && [ -f "$dest/VERSIONS" ] && [ "$(cat "$dest/VERSIONS")" = "$(versions_stamp)" ]
}
if cache_complete; then
  log "using cached $dest/alertmanager"
  done_with "$dest"
fi

mkdir -p "$cache_root"
status_file="$cache_root/.status-alertmanager-$AM_VERSION"
log "no alertmanager in $dest yet: building it; $COLD_BUILD_NOTE"
take_install_lock "$cache_root/.lock-alertmanager-$AM_VERSION" "$cache_root/.stage-alertmanager-$AM_VERSION" \
  "another setup-alertmanager run is building $AM_VERSION ($(cat "$status_file" 2>/dev/null || echo 'step unknown')); waiting for it, which may take as long as a cold build"
if [ -n "$holding_lock" ] && cache_complete; then
  log "using $dest/alertmanager (built by the other run)"
  done_with "$dest"
fi
[ -n "$holding_lock" ] || log "flock not found: running without a lock"

# --- 3. build from the Go module ----------------------------------------------------------------
[ "${ALERTMANAGER_NO_BUILD:-}" != "1" ] || die "no alertmanager found and ALERTMANAGER_NO_BUILD=1"

GO="go"
if ! command -v "$GO" >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; else die "no Go toolchain on PATH (need Go >= 1.26 to build alertmanager $AM_VERSION)"; fi
fi

new_stage "$cache_root/.stage-alertmanager-$AM_VERSION"
work="$(mktemp -d "${TMPDIR:-/tmp}/setup-alertmanager.XXXXXX")"

export GOPATH="$cache_root/alertmanager-go/path"
export GOMODCACHE="$GOPATH/pkg/mod"
export GOCACHE="$cache_root/alertmanager-go/build-cache"
# -modcacherw keeps the module cache deletable with plain rm -rf.
export GOFLAGS="-modcacherw"
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GO111MODULE=on
log "building from the Go module with $("$GO" env GOVERSION) (GOPROXY=$("$GO" env GOPROXY)); each step logs its progress every ${PROGRESS_SECONDS}s"

json_field() { # field file -> first string value of "field" in go's -json output
  sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p" "$2" | head -n 1
}

info_field() { # field file -> string value of "field" in a one-line .info JSON file, if any
  sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$2" | head -n 1
}

# 3a. the module source
mod="github.com/prometheus/alertmanager"
# shellcheck disable=SC2016 # $0.. are the inner shell's arguments
with_progress "fetching $mod@$AM_VERSION" sh -c 'exec "$0" mod download -json "$1" >"$2"' "$GO" "$mod@$AM_VERSION" "$work/module.json" || true
if grep -q '"Error"' "$work/module.json"; then
  die "go mod download $mod@$AM_VERSION failed: $(json_field Error "$work/module.json")"
fi
src_dir="$(json_field Dir "$work/module.json")"
[ -f "$src_dir/go.mod" ] || die "go mod download gave no source dir for $mod@$AM_VERSION"
am_time="$(info_field Time "$(json_field Info "$work/module.json")")"
am_commit="$(info_field Hash "$(json_field Info "$work/module.json")")"

# 3b. a writable copy with placeholder UI assets
cp -R "$src_dir" "$work/src"
chmod -R u+w "$work/src"
grep -q '^//go:embed app/dist$' "$work/src/ui/web.go" ||
  die "ui/web.go of $AM_VERSION no longer embeds exactly app/dist; check what its //go:embed needs"
for ui in elm mantine; do
  mkdir -p "$work/src/ui/app/dist/$ui"
  printf '<!doctype html>\n<title>Alertmanager</title>\n<p>The web UI is not built into this Alertmanager (hack/setup-alertmanager.sh builds it from the Go module, which lacks the UI assets). The API under /api/v2 works.</p>\n' \
    >"$work/src/ui/app/dist/$ui/index.html"
  # The UI handler serves index.html from index.html.gz (or .br) only.
  gzip -9 -n -k "$work/src/ui/app/dist/$ui/index.html"
done

# 3c. build
release="${AM_VERSION#v}"
ldflags="-s -w -X github.com/prometheus/common/version.Version=$release -X github.com/prometheus/common/version.Branch=HEAD -X github.com/prometheus/common/version.BuildUser=setup-alertmanager"
if [ -n "$am_commit" ]; then ldflags+=" -X github.com/prometheus/common/version.Revision=$am_commit"; fi
if [ -n "$am_time" ]; then
  # .promu.yml's BuildDate layout is 20060102-15:04:05; the proxy's Time is RFC 3339 UTC.
  build_date="$(printf '%s' "$am_time" | sed -n 's/^\([0-9]\{4\}\)-\([0-9]\{2\}\)-\([0-9]\{2\}\)T\([0-9:]\{8\}\).*/\1\2\3-\4/p')"
  if [ -n "$build_date" ]; then ldflags+=" -X github.com/prometheus/common/version.BuildDate=$build_date"; fi
fi
# shellcheck disable=SC2016 # $0.. are the inner shell's arguments
with_progress "building alertmanager $AM_VERSION" \
  bash -c 'cd "$0" && exec nice -n 10 "$1" build "${@:2}"' "$work/src" "$GO" -trimpath -ldflags "$ldflags" \
  -o "$stage/alertmanager" ./cmd/alertmanager || die "building alertmanager failed"

log "$("$stage/alertmanager" --version 2>&1 | head -n 1)"
"$stage/alertmanager" --version 2>&1 | grep -qF "version $release" ||
  die "alertmanager --version does not report $release"
versions_stamp >"$stage/VERSIONS"
install_stage "$dest"
log "installed $dest/alertmanager in $(minutes $((SECONDS - script_start))) ($(du -sh "$dest" | cut -f1); the build used $(du -sh "$cache_root/alertmanager-go" 2>/dev/null | cut -f1) of Go caches in $cache_root/alertmanager-go)"
if [ "${ALERTMANAGER_KEEP_GO_CACHE:-}" != "1" ]; then
  rm -rf "$cache_root/alertmanager-go"
  log "deleted the Go caches in $cache_root/alertmanager-go (ALERTMANAGER_KEEP_GO_CACHE=1 keeps them)"
fi
done_with "$dest"
