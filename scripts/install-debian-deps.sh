#!/usr/bin/env bash
# Installs the Debian programs the test suite uses as real peers, when missing.
# Runs only as root with apt-get available; otherwise says what is missing and goes on
# (the tests that need a missing peer say so when they are skipped).
set -euo pipefail
want=(mosquitto-clients:mosquitto_pub mosquitto:mosquitto openssh-client:sftp socat:socat chromium:chromium
      iproute2:ip git:git redis-server:redis-server openssl:openssl systemd:systemd-analyze
      qemu-user-static:qemu-arm-static debootstrap:debootstrap proot:proot openssh-server:sshd
      openssh-client:ssh-keygen binutils:objdump binutils-arm-linux-gnueabihf:arm-linux-gnueabihf-strip
      xz-utils:xz dpkg:dpkg-deb python3-minimal:python3 zsh:zsh prometheus:promtool
      util-linux:script)
missing=()
for w in "${want[@]}"; do
  pkg=${w%%:*}; bin=${w##*:}
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing Debian packages (install them as root): ${missing[*]}" >&2
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
