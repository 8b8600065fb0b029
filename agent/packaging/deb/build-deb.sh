#!/usr/bin/env bash
# Builds the Debian packages of the agent with dpkg-deb (docs/deployment.md), one per row of
# ./runtimes: agent/dist-deb/bbb-agent_<version><suffix>_<arch>.deb.
#   build-deb.sh [--arch armhf|amd64] [--out DIR] [--bundle DIR]
# Needs the bundle (npm run bundle), npm (to fetch the runtimes once), dpkg-deb, strip.
# Prints the size of each .deb and of its installed files. DEB_XZ_LEVEL (default 6) sets the
# xz preset: the test suite builds with 1 (same contents, ~3x faster, ~15 % larger).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
agent=$(cd "$here/../.." && pwd)
out=$agent/dist-deb
only=""
bundle_dir=$agent/dist-bundle
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) only=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --bundle) bundle_dir=$2; shift 2 ;;
    *) echo "build-deb.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
bundle=$bundle_dir/bbb-agent.cjs
[ -f "$bundle" ] || { echo "build-deb.sh: $bundle not found: run 'npm run bundle -w @bbb/agent'" >&2; exit 1; }
version=$(node -p 'require(process.argv[1]).version' "$agent/package.json")
mkdir -p "$out"
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

build_one() {
  local arch=$1 suffix=$2 npm_pkg=$3 node_version=$4 debian=$5 glibc=$6
  local node stage deb installed_kib
  node=$("$here/fetch-node.sh" "$npm_pkg" "$node_version" "$arch")
  stage=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$stage'" RETURN
  install -d -m 0755 "$stage/DEBIAN" "$stage/opt/bbb-agent" "$stage/usr/bin" "$stage/lib/systemd/system" \
    "$stage/etc/bbb-agent" "$stage/usr/share/doc/bbb-agent"
  install -m 0755 "$node" "$stage/opt/bbb-agent/node"
  install -m 0644 "$bundle" "$stage/opt/bbb-agent/bbb-agent.cjs"
  install -m 0644 "$bundle.map" "$stage/opt/bbb-agent/bbb-agent.cjs.map"
  install -m 0644 "$bundle.LEGAL.txt" "$stage/usr/share/doc/bbb-agent/bbb-agent.cjs.LEGAL.txt"
  echo "$node_version" >"$stage/opt/bbb-agent/node.version"
  install -m 0755 "$here/bbb-agent.sh" "$stage/usr/bin/bbb-agent"
  sed -e "s#@NODE@#/opt/bbb-agent/node#g" -e "s#@PREFIX@#/opt/bbb-agent#g" "$agent/packaging/bbb-agent.service.in" \
    >"$stage/lib/systemd/system/bbb-agent.service"
  chmod 0644 "$stage/lib/systemd/system/bbb-agent.service"
  # The conffile: dpkg never replaces a config the operator (or bbbctl rollout) changed.
  install -m 0600 "$agent/packaging/config.example.json" "$stage/etc/bbb-agent/config.json"
  install -m 0644 "$here/copyright" "$stage/usr/share/doc/bbb-agent/copyright"
  for s in postinst prerm postrm; do install -m 0755 "$here/$s" "$stage/DEBIAN/$s"; done
  echo /etc/bbb-agent/config.json >"$stage/DEBIAN/conffiles"
  installed_kib=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
  cat >"$stage/DEBIAN/control" <<CONTROL
Package: bbb-agent
Version: $version$suffix
Architecture: $arch
Maintainer: BBB fleet maintainers <root@localhost>
Section: admin
Priority: optional
Installed-Size: $installed_kib
Depends: libc6 (>= $glibc), libstdc++6, libatomic1, libgcc-s1 | libgcc1
Description: BeagleBone Black fleet monitor agent
 Reports the board to the fleet manager over MQTT and runs its commands.
 Carries its own Node.js $node_version runtime (official build) for Debian $debian and newer.
CONTROL
  deb="$out/bbb-agent_${version}${suffix}_${arch}.deb"
  dpkg-deb --root-owner-group -Zxz "-z${DEB_XZ_LEVEL:-6}" --build "$stage" "$deb" >/dev/null
  echo "$(basename "$deb"): $(mib "$(stat -c %s "$deb")"), installed $(mib $((installed_kib * 1024))), Node $node_version, Debian $debian+"
}

while read -r arch suffix npm_pkg node_version debian glibc _glibcxx; do
  case "$arch" in '#'* | '') continue ;; esac
  [ -z "$only" ] || [ "$only" = "$arch" ] || continue
  [ "$suffix" = "-" ] && suffix=""
  build_one "$arch" "$suffix" "$npm_pkg" "$node_version" "$debian" "$glibc"
done <"$here/runtimes"
