#!/usr/bin/env bash
# Provides promtool (Prometheus's rule checker and rule unit-test runner) for the observability
# tests and prints the path of the binary, so callers can do
#
#   PROMTOOL="$(hack/setup-promtool.sh)"
#
# Only that path goes to stdout; progress goes to stderr.
#
# Pinned version: github.com/prometheus/prometheus v0.316.0 (the Go module version of Prometheus
# v3.16.0; newest that the Go proxy serves and go-partial.tsv lists as accepted on Go 1.26).
#
# Resolution order, first hit wins:
#   1. $PROMTOOL, when it is an executable file.
#   2. The cache ${XDG_CACHE_HOME:-$HOME/.cache}/alert-history/promtool-<version>/promtool, when a
#      VERSION file beside it names the pinned version.
#   3. A build from the Go module with the local Go toolchain (no release download, no registry):
#      a throwaway wrapper module requires github.com/prometheus/prometheus <version>, `go get`
#      resolves cmd/promtool's dependencies (from $GOPROXY, checked against the checksum database
#      as usual), and `go build -trimpath` builds it with CGO_ENABLED=0 and the version ldflags
#      Prometheus's own Makefile sets. It builds under `nice` into a staging dir beside the cache
#      dir and moves into place with one rename, so an interrupted build leaves no half cache.
#
# Time and disk (measured 2026-12-01, cold, 2 cores, other work running): about 11 minutes, of
# which about 1.5 fetching modules (Prometheus pulls every service-discovery SDK) and 9.5
# building. While it runs, Go's module cache (1.8 GB) and build cache (1.8 GB) fill
# ${XDG_CACHE_HOME:-~/.cache}/alert-history/promtool-go; once promtool is installed (84 MB in
# promtool-<version>/) that dir is deleted, as the binary does not need it
# (PROMTOOL_KEEP_GO_CACHE=1 keeps it). Go's own caches (~/.cache/go-build, ~/go) are not touched.
# While it builds, and while it waits for another run holding the lock, it logs what it does and
# the time elapsed every PROMTOOL_PROGRESS_SECONDS (20).
#
# Environment: PROMTOOL (step 1), XDG_CACHE_HOME (step 2), GOPROXY (step 3),
# PROMTOOL_NO_BUILD=1 fails instead of doing step 3, PROMTOOL_KEEP_GO_CACHE=1,
# PROMTOOL_PROGRESS_SECONDS.
set -euo pipefail

PROM_VERSION="v0.316.0"

COLD_BUILD_NOTE="a cold build from the Go module took about 11 minutes on 2 cores (plan for up to 20 on a loaded machine) and needs about 3.6 GB of disk while it runs, 84 MB once installed"
SETUP_NAME="setup-promtool"
PROGRESS_SECONDS="${PROMTOOL_PROGRESS_SECONDS:-20}"
# Logging, progress, the install lock and staging (fd 3 becomes the real stdout).
# shellcheck source=hack/lib/setup-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/setup-tool.sh"

# --- 1. $PROMTOOL -------------------------------------------------------------------------------
if [ -n "${PROMTOOL:-}" ]; then
  if [ -x "$PROMTOOL" ] && [ -f "$PROMTOOL" ]; then
    log "using PROMTOOL=$PROMTOOL"
    done_with "$PROMTOOL"
  fi
  log "PROMTOOL=$PROMTOOL is not an executable file; ignoring it"
fi

# --- 2. cache -----------------------------------------------------------------------------------
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/alert-history"
dest="$cache_root/promtool-$PROM_VERSION"
cache_complete() { [ -x "$dest/promtool" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$PROM_VERSION" ]; }
if cache_complete; then
  log "using cached $dest/promtool"
  done_with "$dest/promtool"
fi

mkdir -p "$cache_root"
log "no promtool in $dest yet: building it; $COLD_BUILD_NOTE"
take_install_lock "$cache_root/.lock-promtool-$PROM_VERSION" "$cache_root/.stage-promtool-$PROM_VERSION" \
  "another setup-promtool run is building $PROM_VERSION; waiting for it, which may take as long as a cold build"
if [ -n "$holding_lock" ] && cache_complete; then
  log "using $dest/promtool (built by the other run)"
  done_with "$dest/promtool"
fi
[ -n "$holding_lock" ] || log "flock not found: running without a lock"

# --- 3. build from the Go module ----------------------------------------------------------------
[ "${PROMTOOL_NO_BUILD:-}" != "1" ] || die "no promtool found and PROMTOOL_NO_BUILD=1"

GO="go"
if ! command -v "$GO" >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then GO=/usr/local/go/bin/go; else die "no Go toolchain on PATH"; fi
fi

new_stage "$cache_root/.stage-promtool-$PROM_VERSION"
work="$(mktemp -d "${TMPDIR:-/tmp}/setup-promtool.XXXXXX")"

export GOPATH="$cache_root/promtool-go/path"
export GOMODCACHE="$GOPATH/pkg/mod"
export GOCACHE="$cache_root/promtool-go/build-cache"
export GOFLAGS="-mod=mod -modcacherw"
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GO111MODULE=on
log "building from the Go module with $("$GO" env GOVERSION) (GOPROXY=$("$GO" env GOPROXY)); each step logs its progress every ${PROGRESS_SECONDS}s"

mod="github.com/prometheus/prometheus"
# Prometheus tags its Go module v0.3MM.P for release v3.MM.P: v0.316.0 is 3.16.0.
minor="${PROM_VERSION#v0.}"
release="3.$((${minor%%.*} - 300)).${minor#*.}"
printf 'module setup-promtool\n\ngo 1.25\n\nrequire %s %s\n' "$mod" "$PROM_VERSION" >"$work/go.mod"
# shellcheck disable=SC2016
with_progress "resolving promtool $PROM_VERSION dependencies" \
  sh -c 'cd "$0" && exec "$1" get "$2"' "$work" "$GO" "$mod/cmd/promtool@$PROM_VERSION" ||
  die "resolving $mod/cmd/promtool@$PROM_VERSION failed"
ldflags="-s -w -X github.com/prometheus/common/version.Version=$release -X github.com/prometheus/common/version.Branch=HEAD -X github.com/prometheus/common/version.BuildUser=setup-promtool"
# shellcheck disable=SC2016
with_progress "building promtool $PROM_VERSION" \
  bash -c 'cd "$0" && exec nice -n 10 "$1" build "${@:2}"' "$work" "$GO" -trimpath -ldflags "$ldflags" \
  -o "$stage/promtool" "$mod/cmd/promtool" || die "building promtool failed"

log "$("$stage/promtool" --version 2>&1 | head -n 1)"
printf '%s\n' "$PROM_VERSION" >"$stage/VERSION"
install_stage "$dest"
log "installed $dest/promtool in $(minutes $((SECONDS - script_start))) ($(du -sh "$dest" | cut -f1); the build used $(du -sh "$cache_root/promtool-go" 2>/dev/null | cut -f1) of Go caches in $cache_root/promtool-go)"
if [ "${PROMTOOL_KEEP_GO_CACHE:-}" != "1" ]; then
  rm -rf "$cache_root/promtool-go"
  log "deleted the Go caches in $cache_root/promtool-go (PROMTOOL_KEEP_GO_CACHE=1 keeps them)"
fi
done_with "$dest/promtool"
