#!/usr/bin/env bash
# npm postinstall, after patch-package: builds the two native addons from source, fuse-native (patched:
# patches/fuse-native+2.2.6.patch) against Debian's libfuse-dev, and unix-dgram. Their own install scripts
# are denied in package.json's allowScripts because they would run before the patch is applied (and npm 11
# is moving to running no dependency scripts at all). node-gyp is pointed at the headers that come with
# the running node (--nodedir), since it would otherwise download them, and only the npm registry is
# reachable here.
# A failed build does not fail the install: fuse-native then loads its upstream prebuilt (which stores
# atime as mtime and ignores touch -m/-a), unix-dgram is missing (sd_notify falls back to systemd-notify).
# Either is said loudly, and the tests that need the patched addon fail.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

warn() {
  {
    echo
    echo "################################################################################"
    printf '# WARNING: %s\n' "$@"
    echo "################################################################################"
    echo
  } >&2
}

nodedir=$(node -p 'require("path").resolve(process.execPath, "..", "..")')
gyp=()
if [[ -n "${npm_config_node_gyp:-}" && -f "${npm_config_node_gyp}" ]]; then
  gyp=(node "$npm_config_node_gyp")
elif command -v node-gyp >/dev/null; then
  gyp=(node-gyp)
else
  bundled="$(npm prefix -g 2>/dev/null)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
  [[ -f "$bundled" ]] && gyp=(node "$bundled")
fi

# Prints why a source build cannot run here, or nothing.
missing_tools() {
  local why=()
  ((${#gyp[@]})) || why+=("node-gyp not found (it comes with npm)")
  [[ -f "$nodedir/include/node/node_api.h" && -f "$nodedir/include/node/common.gypi" ]] ||
    why+=("no Node headers in $nodedir/include/node")
  for t in python3 make cc g++ pkg-config; do command -v "$t" >/dev/null || why+=("$t is missing"); done
  if [[ "${1:-}" == fuse ]] && command -v pkg-config >/dev/null && ! pkg-config --exists fuse; then
    why+=("libfuse-dev is missing (pkg-config fuse)")
  fi
  local IFS=';'
  ((${#why[@]})) && echo "${why[*]}" | sed 's/;/; /g'
}

# build NAME: node-gyp rebuild in node_modules/NAME; the log is printed only on failure.
build() {
  local dir="$root/node_modules/$1" log
  log=$(mktemp)
  (cd "$dir" && rm -rf build && "${gyp[@]}" rebuild --nodedir="$nodedir" --jobs=2) >"$log" 2>&1
  local rc=$?
  ((rc == 0)) || { cat "$log" >&2; rm -rf "$dir/build"; }
  rm -f "$log"
  return "$rc"
}

fuse_why=$(missing_tools fuse)
if [[ -n "$fuse_why" ]]; then
  rm -rf "$root/node_modules/fuse-native/build" # what is loaded must be what the warning says
  warn "fuse-native cannot be built from source: $fuse_why" \
    "falling back to its UNPATCHED prebuilt addon: utimens stores atime as mtime (cp -p, touch -r)," \
    "touch -m/-a and tar x keep no mtime. Run scripts/install-system-deps.sh, then npm ci again."
elif build fuse-native; then
  echo "build-native: fuse-native built from source (patched) against libfuse $(pkg-config --modversion fuse)"
else
  warn "building fuse-native from source FAILED (log above)" \
    "falling back to its UNPATCHED prebuilt addon: utimens stores atime as mtime (cp -p, touch -r)," \
    "touch -m/-a and tar x keep no mtime."
fi

dgram_why=$(missing_tools)
if [[ -n "$dgram_why" ]]; then
  warn "unix-dgram cannot be built: $dgram_why" "sd_notify will use systemd-notify instead."
elif build unix-dgram; then
  echo "build-native: unix-dgram built from source"
else
  warn "building unix-dgram FAILED (log above)" "sd_notify will use systemd-notify instead."
fi
exit 0
