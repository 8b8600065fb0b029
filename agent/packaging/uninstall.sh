#!/bin/sh
# Removes what install.sh installed, and nothing else: the files and directories listed in
# $PREFIX/install-manifest (`make uninstall` removes everything it installed).
# A config that existed before the install is not in the manifest and stays; the agent's
# runtime state in /var/lib/bbb-agent was made by systemd, not by install.sh: `make purge`.
#
# Settings (environment): DESTDIR PREFIX
set -eu

DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/opt/bbb-agent}
manifest="$DESTDIR$PREFIX/install-manifest"

if [ ! -f "$manifest" ]; then
  echo "uninstall: $manifest not found: nothing installed here" >&2
  exit 0
fi
if [ -z "$DESTDIR" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "uninstall: run as root" >&2; exit 1; }
  # Stop first: the agent publishes `offline` on SIGTERM, so the board shows as cleanly stopped.
  if systemctl cat bbb-agent >/dev/null 2>&1; then systemctl disable --now bbb-agent || true; fi
fi

# Files (the manifest itself last), then directories deepest first, each only if empty.
grep '^f ' "$manifest" | cut -c3- | grep -v -x "$PREFIX/install-manifest" | while IFS= read -r f; do
  rm -f "$DESTDIR$f"
done
dirs=$(mktemp)
trap 'rm -f "$dirs"' EXIT
grep '^d ' "$manifest" | cut -c3- | sort -r > "$dirs" || true
rm -f "$manifest"
while IFS= read -r d; do
  rmdir "$DESTDIR$d" 2>/dev/null || echo "uninstall: kept $d (not empty)"
done < "$dirs"

if [ -z "$DESTDIR" ]; then
  systemctl daemon-reload
  systemctl reset-failed bbb-agent 2>/dev/null || true
fi
echo "uninstall: done"
