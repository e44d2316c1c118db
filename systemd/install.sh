#!/usr/bin/env bash
# Puts gcsmount in place as a service and an fstab type (run as root, after `npm ci`/`npm run build`):
#   /usr/local/bin/gcsmount               symlink to this checkout's bin/gcsmount
#   /sbin/mount.gcsmount                   the mount(8) helper (fstab type `gcsmount`)
#   /etc/systemd/system/gcsmount@.service  the template unit
#   /etc/gcsmount/                         settings (mode 700), with example.conf.example
# then `systemctl daemon-reload` when systemd runs. `--uninstall` removes them (never /etc/gcsmount's
# contents). DESTDIR=/some/root installs under another root (packaging, tests).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
root=${DESTDIR:-}

bin=$root/usr/local/bin/gcsmount
helper=$root/sbin/mount.gcsmount
unit=$root/etc/systemd/system/gcsmount@.service
conf=$root/etc/gcsmount

reload() {
  if [ -z "$root" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$bin" "$helper" "$unit"
  reload
  echo "removed $bin, $helper and $unit (kept $conf)"
  exit 0
fi

[ -f "$repo/build/daemon/cli.js" ] || { echo "build/ is missing: run 'npm ci && npm run build' first" >&2; exit 1; }
install -d -m 755 "$(dirname "$bin")" "$(dirname "$helper")" "$(dirname "$unit")"
install -d -m 700 "$conf"
ln -sfn "$repo/bin/gcsmount" "$bin"
install -m 755 "$here/mount.gcsmount" "$helper"
install -m 644 "$here/gcsmount@.service" "$unit"
install -m 600 "$here/gcsmount.env.example" "$conf/example.conf.example"
reload
echo "installed $bin -> $repo/bin/gcsmount, $helper, $unit"
echo "next: cp $conf/example.conf.example $conf/NAME.conf; edit it; systemctl enable --now gcsmount@NAME"
