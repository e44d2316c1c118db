#!/usr/bin/env bash
# Installs the Debian packages gcsmount and its test suite need, and only those that are missing, so a warm
# machine pays nothing. Needs root (or sudo) on Debian 12.
#   runtime: libfuse2 (the fuse-native addon loads libfuse.so.2), fuse (fusermount), attr
#   build:   libfuse-dev, pkg-config, g++, make, python3 (npm ci builds the patched fuse-native and
#            unix-dgram from source with node-gyp: scripts/build-native.sh)
#   tests:   python3-boto, s3cmd, awscli, rclone, s3fs (third-party clients that check the emulator),
#            systemd (systemd-analyze verify on the units), rsync (rsync -X onto the mount)
#   bench:   fio (npm run bench's random-read rows, P1r)
set -euo pipefail
want=(libfuse2 fuse attr)
if [[ "${1:-}" != "--runtime-only" ]]; then
  want+=(libfuse-dev pkg-config g++ make python3)
  want+=(python3-boto s3cmd awscli rclone s3fs systemd rsync fio)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
