#!/bin/sh
# Installs the bundled agent, its config and its systemd unit (docs/deployment.md §"On a board").
# Run through `make install` in agent/ (or in an unpacked release tarball), as root on the board,
# or with DESTDIR=<staging root> anywhere. Every file and every directory it creates is listed
# in the manifest $PREFIX/install-manifest, so that uninstall.sh removes exactly those.
#
# Settings (environment): DESTDIR PREFIX SYSCONFDIR UNITDIR NODE CONFIG BUNDLE SYSTEMD_VERSION
# (`local` is not POSIX but dash, bash and busybox sh all have it.)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/opt/bbb-agent}
SYSCONFDIR=${SYSCONFDIR:-/etc/bbb-agent}
UNITDIR=${UNITDIR:-/etc/systemd/system}
BUNDLE=${BUNDLE:-$top/dist-bundle/bbb-agent.cjs}
CONFIG=${CONFIG:-$here/config.example.json}

die() { echo "install: $*" >&2; exit 1; }

[ -f "$BUNDLE" ] || die "$BUNDLE not found: run 'npm run bundle -w @bbb/agent' (or use a release tarball)"
[ -f "$CONFIG" ] || die "config $CONFIG not found"
if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then die "run as root (or set DESTDIR for a staging install)"; fi

# The node the unit runs: the one on PATH unless NODE is given (boards get Node from their image).
if [ -z "${NODE:-}" ]; then NODE=$(command -v node || true); fi
[ -n "$NODE" ] || NODE=/usr/bin/node
case "$NODE" in /*) ;; *) die "NODE must be an absolute path, got '$NODE'" ;; esac
if [ -z "$DESTDIR" ]; then
  "$NODE" -e 'if (Number(process.versions.node.split(".")[0]) < 18) process.exit(1)' ||
    die "$NODE is older than Node 18"
fi

# systemd >= 254 understands RestartSteps=; older ones (Debian 12: 252) would warn on the drop-in.
if [ -z "${SYSTEMD_VERSION:-}" ]; then
  SYSTEMD_VERSION=$(systemctl --version 2>/dev/null | awk 'NR==1 { print $2 + 0 }')
fi
SYSTEMD_VERSION=${SYSTEMD_VERSION:-0}

manifest_path=$PREFIX/install-manifest
new_manifest=$(mktemp)
trap 'rm -f "$new_manifest"' EXIT
# Re-installing (upgrading) keeps what the first install recorded, e.g. directories it created.
if [ -f "$DESTDIR$manifest_path" ]; then cat "$DESTDIR$manifest_path" >> "$new_manifest"; fi
record() { echo "$1 $2" >> "$new_manifest"; }

# Creates a directory and each missing parent, recording only those that did not exist.
make_dir() {
  local path="$1" mode="$2" parent
  parent=$(dirname "$1")
  if [ "$parent" != "/" ] && [ ! -d "$DESTDIR$parent" ]; then make_dir "$parent" 0755; fi
  if [ ! -d "$DESTDIR$path" ]; then
    mkdir -m "$mode" "$DESTDIR$path"
    record d "$path"
  fi
}
# Copies a file atomically (temp file + rename), so a running agent never reads half a bundle.
put_file() {
  local src="$1" dst="$2" mode="$3" tmp
  make_dir "$(dirname "$dst")" 0755
  tmp="$DESTDIR$dst.tmp.$$"
  cp "$src" "$tmp" && chmod "$mode" "$tmp" && mv -f "$tmp" "$DESTDIR$dst"
  record f "$dst"
}

# The staging root itself belongs to the caller: created if needed, never recorded.
if [ -n "$DESTDIR" ]; then mkdir -p "$DESTDIR"; fi
make_dir "$PREFIX" 0755
put_file "$BUNDLE" "$PREFIX/bbb-agent.cjs" 0644
[ -f "$BUNDLE.map" ] && put_file "$BUNDLE.map" "$PREFIX/bbb-agent.cjs.map" 0644
[ -f "$BUNDLE.LEGAL.txt" ] && put_file "$BUNDLE.LEGAL.txt" "$PREFIX/bbb-agent.cjs.LEGAL.txt" 0644

# The config holds the board's token: root-only, and never overwritten once it exists.
make_dir "$SYSCONFDIR" 0755
if [ -e "$DESTDIR$SYSCONFDIR/config.json" ]; then
  echo "install: keeping the existing $SYSCONFDIR/config.json"
else
  put_file "$CONFIG" "$SYSCONFDIR/config.json" 0600
  if grep -q REPLACE-WITH "$DESTDIR$SYSCONFDIR/config.json"; then
    echo "install: $SYSCONFDIR/config.json is the example: put in the broker URLs and the token of 'bbbctl token <boardId>' (docs/deployment.md)" >&2
  fi
fi

unit_tmp=$(mktemp)
sed -e "s#@NODE@#$NODE#g" -e "s#@PREFIX@#$PREFIX#g" "$here/bbb-agent.service.in" > "$unit_tmp"
put_file "$unit_tmp" "$UNITDIR/bbb-agent.service" 0644
rm -f "$unit_tmp"
if [ "$SYSTEMD_VERSION" -ge 254 ]; then
  put_file "$here/bbb-agent.service.d/backoff.conf" "$UNITDIR/bbb-agent.service.d/backoff.conf" 0644
fi

# The manifest lists itself last, so uninstall.sh removes it after everything else.
sort -u "$new_manifest" | grep -v " $manifest_path\$" > "$new_manifest.sorted" || true
echo "f $manifest_path" >> "$new_manifest.sorted"
mv -f "$new_manifest.sorted" "$DESTDIR$manifest_path"
chmod 0644 "$DESTDIR$manifest_path"

if [ -n "$DESTDIR" ]; then
  echo "install: staged into $DESTDIR (systemctl skipped)"
  exit 0
fi
systemctl daemon-reload
if systemctl is-active --quiet bbb-agent; then
  systemctl enable bbb-agent
  systemctl restart bbb-agent   # an upgrade: run the new bundle
else
  systemctl enable --now bbb-agent
fi
echo "install: bbb-agent installed and started; logs: journalctl -u bbb-agent -f"
