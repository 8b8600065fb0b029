#!/usr/bin/env bash
# Builds an armhf Debian root for the tests under qemu-arm (agent/test/deb-armhf.test.ts):
#   make-root.sh <suite> <dir>
# debootstrap's first stage (download and unpack minbase, plus libatomic1 for the official
# Node builds) runs natively; its second stage would run every maintainer script under
# emulation (more than ten minutes on two cores), so instead the unpacked packages are
# recorded in the root's dpkg database here, as installed. That is all `dpkg -i` of our
# package inside the root needs: its dependencies are known, and the root's own dash,
# coreutils and node-free tools run the maintainer scripts. Needs root (debootstrap).
set -euo pipefail
suite=$1 dest=$2
# The host's Debian mirror (not its -security / -updates suites), else deb.debian.org.
mirror=${BBB_DEBIAN_MIRROR:-$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null | awk '$1 ~ /^https?:/ && $2 !~ /-/ { print $1; exit }' || true)}
mirror=${mirror:-http://deb.debian.org/debian/}
[ "$(id -u)" -eq 0 ] || { echo "make-root.sh: debootstrap needs root" >&2; exit 1; }
tmp="$dest.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"; mkdir -p "$(dirname "$dest")"
debootstrap --foreign --arch=armhf --variant=minbase --include=libatomic1 "$suite" "$tmp" "$mirror" >"$tmp.log" 2>&1 ||
  { tail -20 "$tmp.log" >&2; rm -f "$tmp.log"; exit 1; }
rm -f "$tmp.log"
admin="$tmp/var/lib/dpkg"
: >"$admin/status"
mkdir -p "$admin/info" "$admin/updates"
while read -r pkg path; do
  deb="$tmp$path"
  # The first stage unpacked only the required packages; the rest (--include) are unpacked here.
  if ! grep -qx "$pkg" "$tmp/debootstrap/required"; then dpkg-deb -x "$deb" "$tmp"; fi
  control=$(dpkg-deb -f "$deb")
  name=$(dpkg-deb -f "$deb" Package)
  # Multi-Arch: same packages keep their file lists under <name>:<arch>.
  list=$name
  if dpkg-deb -f "$deb" Multi-Arch | grep -qx same; then list="$name:armhf"; fi
  printf '%s\n' "$control" | awk -v OFS='\n' 'NR==1 { print; print "Status: install ok installed"; next } { print }' >>"$admin/status"
  echo >>"$admin/status"
  dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's#^\./$#/.#' -e 's#^\./#/#' -e 's#/$##' >"$admin/info/$list.list"
  dpkg-deb --ctrl-tarfile "$deb" | tar -x -C "$admin/info" --transform "s#^\./#$list.#" --exclude './control' --exclude './md5sums' --exclude '.' 2>/dev/null || true
done <"$tmp/debootstrap/debpaths"
rm -rf "$tmp/debootstrap" "$tmp"/var/cache/apt/archives/*.deb
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$tmp/etc/hosts"
echo bbb-test >"$tmp/etc/hostname"
rm -rf "$dest"
mv "$tmp" "$dest"
