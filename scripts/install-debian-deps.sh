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
      util-linux:script jq:jq
      python3-pyepics:/usr/lib/python3/dist-packages/epics/__init__.py)
# An entry whose second part is an absolute path is a file the package installs (a library, no program).
missing=()
for w in "${want[@]}"; do
  pkg=${w%%:*}; bin=${w##*:}
  if [[ $bin == /* ]]; then [ -e "$bin" ] || missing+=("$pkg"); continue; fi
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
# Packages such as prometheus and redis-server enable a service on install: this is a test
# machine, so no service is started (policy-rc.d 101: "action forbidden"), unless the machine
# already has a policy of its own.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && own_policy=1
fi
trap 'if [ "$own_policy" -eq 1 ]; then rm -f "$policy"; fi' EXIT
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
