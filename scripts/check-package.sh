#!/usr/bin/env bash
# Checks the published package as an operator gets it: builds and packs it (`npm pack` runs `npm run build`
# through prepack), installs the tarball into a fresh global prefix with the same npm cache (the registry is asked
# only for packages the cache lacks), and starts the installed `shoptalk` on a temporary SQLite data folder until
# /readyz answers 200. Fails if a development dependency (tsx, vitest, typescript, vite, react) was installed
# with it. Usage: scripts/check-package.sh [work folder] (default: a new temporary folder, removed afterwards).
# With TARBALL set, that packed tarball is checked instead of packing again; the `node` first on PATH installs
# and runs it (scripts/check-node-versions.sh puts other Node.js versions there).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if [ $# -gt 0 ]; then work=$1; keep=1; mkdir -p "$work"; else work=$(mktemp -d); keep=0; fi
work=$(cd "$work" && pwd)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  if [ "$keep" -eq 0 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== Node.js $(node --version)"
if [ -n "${TARBALL:-}" ]; then
  tarball=$TARBALL
else
  echo "== pack (builds dist/ and console/dist first)"
  rm -f "$work"/shoptalk-*.tgz
  npm pack --silent --pack-destination "$work" >/dev/null
  tarball=$(ls "$work"/shoptalk-*.tgz)
fi
echo "$(basename "$tarball"): $(du -k "$tarball" | cut -f1) kB, $(tar -tzf "$tarball" | wc -l) files"
if tar -tzf "$tarball" | grep -E '^package/(src|test|bench|scripts|node_modules)/|\.test\.js$'; then
  echo "check-package: the tarball holds sources or tests (see above)" >&2
  exit 1
fi

echo "== install into a fresh prefix"
prefix="$work/prefix"
rm -rf "$prefix"
# better-sqlite3 and msgpackr-extract build native code at install (npm 11 runs only the scripts allowed).
install=(npm install -g --prefix "$prefix" "$tarball" --no-audit --no-fund --allow-scripts=better-sqlite3,msgpackr-extract)
if ! "${install[@]}" --offline >"$work/install.log" 2>&1; then
  echo "(not everything is in the npm cache: installing with the registry)"
  "${install[@]}" --prefer-offline >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
fi
grep -v EBADENGINE "$work/install.log" | grep -E '^added|warn' || true
installed="$prefix/lib/node_modules/shoptalk"
for dev in tsx vitest typescript vite react react-dom esbuild @vitejs eslint; do
  if [ -e "$installed/node_modules/$dev" ]; then
    echo "check-package: development dependency $dev was installed with the package" >&2
    exit 1
  fi
done
echo "no development dependency installed ($(ls "$installed/node_modules" | wc -l) top-level packages)"

echo "== run the installed command"
cd "$work"
expected=$(node -p "require('$root/package.json').version")
version=$("$prefix/bin/shoptalk" --version)
echo "$version"
[ "$version" = "shoptalk $expected" ] || { echo "check-package: expected 'shoptalk $expected'" >&2; exit 1; }

data="$work/data"
rm -rf "$data"
log="$work/start.log"
SHOPTALK_DATA_DIR="$data" HOST=127.0.0.1 PORT=0 LOG_LEVEL=warn NODE_PATH= \
  "$prefix/bin/shoptalk" start >"$log" 2>&1 &
pid=$!
url=
for _ in $(seq 1 120); do
  url=$(sed -n 's/^ *Health: *\(http[^ ]*\)\/healthz.*/\1/p' "$log" | head -1)
  if [ -n "$url" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.5
done
if [ -z "$url" ]; then cat "$log" >&2; echo "check-package: the installed hub did not start" >&2; exit 1; fi
ready=
for _ in $(seq 1 60); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz" || true)
  if [ "$code" = 200 ]; then ready=1; break; fi
  sleep 0.5
done
[ -n "$ready" ] || { cat "$log" >&2; echo "check-package: $url/readyz never answered 200" >&2; exit 1; }
echo "$url/readyz: 200"
curl -sf "$url/" | grep -q '<div id="root"' || { echo "check-package: the console is not served from console/dist" >&2; exit 1; }
echo "$url/: the console"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo '?')
echo "idle memory (RSS) of the installed hub: ${rss} kB"
kill -TERM "$pid"
wait "$pid" || { echo "check-package: the hub did not stop cleanly on SIGTERM" >&2; exit 1; }
pid=
echo "check-package: the packed tarball installs, starts and stops"
