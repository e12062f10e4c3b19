#!/usr/bin/env bash
# The Dockerfile's build steps, kept here so CI runs the very same commands outside Docker
# (scripts/check-docker-steps.sh). Run from the source folder:
#   docker-build.sh deps              install the locked dependencies (npm ci)
#   docker-build.sh build             compile the server and CLI to dist/, build the console, drop dev dependencies
#   docker-build.sh assemble <dir>    copy what the run stage needs to <dir>: package.json, bin, dist,
#                                     console/dist, the production node_modules and the health check
set -euo pipefail

case "${1:-}" in
  deps)
    npm ci --no-audit --no-fund
    ;;
  build)
    npm run build
    npm prune --omit=dev --no-audit --no-fund
    ;;
  assemble)
    dest=${2:?usage: docker-build.sh assemble <dir>}
    mkdir -p "$dest/console" "$dest/scripts"
    cp package.json "$dest/"
    cp -R bin dist node_modules "$dest/"
    cp -R console/dist "$dest/console/dist"
    cp scripts/healthcheck.mjs "$dest/scripts/"
    ;;
  *)
    echo "usage: docker-build.sh deps | build | assemble <dir>" >&2
    exit 2
    ;;
esac
