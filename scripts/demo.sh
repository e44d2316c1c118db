#!/usr/bin/env bash
# Quick-start demo: starts the embedded Cloud Storage emulator and walks through the tutorial's
# operations, printing each command and its output. (The mount joins this walk once it lands; until then
# the walk talks to the emulator's XML API with curl, the way any client does.)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f build/daemon/cli.js ]] || npm run -s build

work=$(mktemp -d /tmp/gcsmount-demo.XXXXXX)
cleanup() {
  [[ -n "${emu_pid:-}" ]] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

./bin/gcsmount emulator --port 0 --data "$work/data" --project demo-project >"$work/emulator.out" 2>"$work/emulator.err" &
emu_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/emulator.out" 2>/dev/null && break
  kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emulator.err" >&2; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$work/emulator.out")
[[ -n "$url" ]] || { echo "demo: the emulator did not start" >&2; exit 1; }
echo "# gcsmount emulator: $(head -1 "$work/emulator.out") (data in $work/data)"

now=$(date +%s)
cats="cats-$now"
dogs="dogs-$now"
step() {
  local shown="$*"
  printf '\n$ %s\n' "${shown/#c /curl }"
  "$@"
  echo
}
# Pretty-print XML one element per line, so the listings read at a glance.
xml() { sed -e 's/></>\n</g' | grep -v '^<?xml' | sed -n '1,40p'; }
c() { curl -sS --fail-with-body "$@"; }

echo "# Creating buckets"
step c -X PUT -H "x-goog-project-id: demo-project" "$url/$cats"
step c -X PUT -H "x-goog-project-id: demo-project" "$url/$dogs"

echo "# Listing buckets"
printf '\n$ curl %s/\n' "$url"; c -H "x-goog-project-id: demo-project" "$url/" | xml

echo "# Uploading objects"
printf 'Who wants to play fetch? Me!' >"$work/labrador.txt"
printf 'Timmy fell down the well!' >"$work/collie.txt"
step c -T "$work/labrador.txt" -H "Content-Type: text/plain" "$url/$dogs/labrador.txt"
step c -T "$work/collie.txt" -H "Content-Type: text/plain" "$url/$dogs/collie.txt"

echo "# Listing objects"
printf '\n$ curl %s/%s\n' "$url" "$dogs"; c "$url/$dogs" | xml

echo "# Downloading and copying objects"
step c "$url/$dogs/collie.txt"
step c -X PUT -H "x-goog-copy-source: /$dogs/collie.txt" "$url/$cats/collie.txt"
step c "$url/$cats/collie.txt"

echo "# Streaming transfers"
printf '\n$ seq 1 5 | curl -T - %s/%s/stream.txt && curl %s/%s/stream.txt\n' "$url" "$dogs" "$url" "$dogs"
seq 1 5 | c -T - "$url/$dogs/stream.txt"; c "$url/$dogs/stream.txt"

echo "# Changing object ACLs: add an email grant"
acl=$(c "$url/$dogs/labrador.txt?acl")
new=${acl/<\/Entries>/<Entry><Scope type=\'UserByEmail\'><EmailAddress>jane@example.com<\/EmailAddress><\/Scope><Permission>FULL_CONTROL<\/Permission><\/Entry><\/Entries>}
step c -X PUT --data-binary "$new" "$url/$dogs/labrador.txt?acl"
printf '\n$ curl %s/%s/labrador.txt?acl\n' "$url" "$dogs"; c "$url/$dogs/labrador.txt?acl" | xml

echo "# Reading object metadata"
printf '\n$ curl -I %s/%s/labrador.txt\n' "$url" "$dogs"
c -I "$url/$dogs/labrador.txt" | grep -iE '^(content-type|content-length|last-modified|etag|x-goog-(generation|metageneration|hash|storage-class))'

echo "# Deleting objects and buckets"
for b in "$cats" "$dogs"; do
  for o in $(c "$url/$b" | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g'); do
    step c -X DELETE "$url/$b/$o"
  done
  step c -X DELETE "$url/$b"
done
printf '\n$ curl %s/\n' "$url"; c -H "x-goog-project-id: demo-project" "$url/" | xml
echo "# Demo finished: every step above ran against the emulator at $url."
