#!/usr/bin/env bash
# Makes podman usable for the image tier on a host with no registry access.
# - installs podman, runc and debootstrap with apt when running as root and they are missing;
# - writes a containers.conf under .tools/podman/ (runc, cgroupfs, file events, explicit ulimits:
#   crun fails on hybrid cgroups, and the default nofile exceeds some hosts' hard limit);
# - builds a Debian bookworm minbase root filesystem with debootstrap once, caches it as a tarball
#   in ~/.cache/alert-history/ and imports it as the podman image localhost/alert-history-base:bookworm.
# Progress lines go to stderr with the elapsed time; stdout prints `export CONTAINERS_CONF=...` so
# callers can `eval "$(hack/setup-podman.sh)"`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/alert-history"
suite="${ALERT_HISTORY_BASE_SUITE:-bookworm}"
base_image="localhost/alert-history-base:$suite"
base_tar="$cache/debian-$suite-minbase.tar"
conf_dir="$root/.tools/podman"
conf="$conf_dir/containers.conf"
start=$SECONDS

log() { echo "setup-podman [$((SECONDS - start))s]: $*" >&2; }

install_tools() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing ${missing[*]}; install them (apt-get install podman runc debootstrap) or run as root"; exit 1
  fi
  log "installing ${missing[*]} with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends podman runc debootstrap >&2
}

write_conf() {
  local nofile nproc=32768
  nofile="$(ulimit -Hn)"
  [ "$nofile" = unlimited ] && nofile=1048576
  [ "$nofile" -gt 65536 ] && nofile=65536
  mkdir -p "$conf_dir"
  cat >"$conf.tmp" <<CONF
# Written by hack/setup-podman.sh; used through CONTAINERS_CONF by make image / make test-image.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  mv "$conf.tmp" "$conf"
}

build_base() {
  export CONTAINERS_CONF="$conf"
  if podman image exists "$base_image"; then return 0; fi
  mkdir -p "$cache"
  exec 9>"$cache/base.lock"
  flock 9
  if [ ! -s "$base_tar" ]; then
    local rootfs="$cache/rootfs-$suite.tmp"
    rm -rf "$rootfs"
    log "debootstrap --variant=minbase $suite (about 4-5 min, once; cached in $base_tar)"
    debootstrap --variant=minbase "$suite" "$rootfs" >"$cache/debootstrap.log" 2>&1 &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null; do sleep 20; kill -0 "$pid" 2>/dev/null && log "debootstrap still running"; done
    wait "$pid" || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"
    rm -rf "$rootfs"
  fi
  log "importing $base_tar as $base_image"
  podman import --quiet "$base_tar" "$base_image" >/dev/null
}

install_tools
write_conf
build_base
log "ready: CONTAINERS_CONF=$conf, base image $base_image"
echo "export CONTAINERS_CONF=$conf"
