#!/usr/bin/env bash
# Runs the Dockerfile's build steps (scripts/docker-build.sh) in a clean copy of the sources, as the image's build
# stage does (this machine cannot pull base images, so not inside Docker), then starts the assembled folder as
# the image would, `node dist/cli/main.js start`: an api and a worker process on a new PostgreSQL database and
# Redis. Checks the api's /readyz, the HEALTHCHECK command (against the api and the worker), the worker's
# /readyz and /metrics on its own port, and that no development dependency is in the assembled node_modules. Needs PostgreSQL and Redis as in the tests (TEST_DATABASE_URL,
# TEST_REDIS_URL or the local defaults). Usage: scripts/check-docker-steps.sh [work folder].
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if [ $# -gt 0 ]; then work=$1; keep=1; mkdir -p "$work"; else work=$(mktemp -d); keep=0; fi
work=$(cd "$work" && pwd)
pg=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
redis=${TEST_REDIS_URL:-redis://127.0.0.1:6379}
db="shoptalk_docker_check_$$"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$pg" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  if [ "$keep" -eq 0 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== a clean copy of the sources (what COPY . . takes: tracked and untracked files minus .dockerignore's)"
src="$work/docker-src"
rm -rf "$src" "$work/app"
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard --exclude-from=.dockerignore | tar --null -T - -cf - | tar -xf - -C "$src"
cd "$src"

echo "== build stage: scripts/docker-build.sh deps, build, assemble"
# The same commands as the Dockerfile; outside Docker the npm cache answers first.
export npm_config_prefer_offline=true
scripts/docker-build.sh deps >"$work/deps.log" 2>&1 || { tail -40 "$work/deps.log" >&2; exit 1; }
scripts/docker-build.sh build >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
scripts/docker-build.sh assemble "$work/app"
app="$work/app"
for dev in tsx vitest typescript vite react esbuild eslint; do
  if [ -e "$app/node_modules/$dev" ]; then echo "check-docker-steps: development dependency $dev is in the image" >&2; exit 1; fi
done
echo "assembled: $(du -sh "$app" | cut -f1), $(ls "$app/node_modules" | wc -l) top-level packages, no development dependency"

echo "== run stage: api and worker on PostgreSQL + Redis"
psql -q "$pg" -c "CREATE DATABASE $db" >/dev/null
dburl="${pg%/*}/$db"
key=$(node -e "console.log(require('node:crypto').randomBytes(32).toString('base64'))")
mkdir -p "$work/secrets"
printf '%s\n' "$key" >"$work/secrets/master_key"
printf '%s\n' "$dburl" >"$work/secrets/database_url"
port=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
cd "$app"
# As compose.yaml runs them: secrets through *_FILE variables, the image's environment.
export NODE_ENV=production HOST=127.0.0.1 PORT=$port SHOPTALK_DATA_DIR="$work/data" LOG_LEVEL=warn \
  DATABASE_URL_FILE="$work/secrets/database_url" SHOPTALK_MASTER_KEY_FILE="$work/secrets/master_key" \
  REDIS_URL="$redis" SHOPTALK_REDIS_PREFIX="dockercheck$$"
node dist/cli/main.js migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
node dist/cli/main.js start --role api >"$work/api.log" 2>&1 &
pids+=($!); api=$!
wport=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
SHOPTALK_WORKER_PORT=$wport node dist/cli/main.js start --role worker >"$work/worker.log" 2>&1 &
pids+=($!); worker=$!
ready=
for _ in $(seq 1 120); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)" = 200 ]; then ready=1; break; fi
  kill -0 "$api" 2>/dev/null || break
  sleep 0.5
done
[ -n "$ready" ] || { cat "$work/api.log" >&2; echo "check-docker-steps: the api's /readyz never answered 200" >&2; exit 1; }
echo "api /readyz: 200"
node scripts/healthcheck.mjs || { echo "check-docker-steps: the HEALTHCHECK command failed" >&2; exit 1; }
echo "HEALTHCHECK (node scripts/healthcheck.mjs): healthy"
sleep 3
kill -0 "$worker" 2>/dev/null || { cat "$work/worker.log" >&2; echo "check-docker-steps: the worker exited" >&2; exit 1; }
grep -q "worker is running" "$work/worker.log" || { cat "$work/worker.log" >&2; echo "check-docker-steps: the worker did not start" >&2; exit 1; }
echo "worker: running"
for path in readyz metrics; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$wport/$path" || true)
  [ "$code" = 200 ] || { cat "$work/worker.log" >&2; echo "check-docker-steps: the worker's /$path answered $code" >&2; exit 1; }
done
SHOPTALK_HEALTHCHECK_URL="http://127.0.0.1:$wport/healthz" node scripts/healthcheck.mjs || { echo "check-docker-steps: the worker's HEALTHCHECK failed" >&2; exit 1; }
echo "worker /readyz, /metrics: 200; HEALTHCHECK: healthy"
echo "idle memory (RSS): api $(awk '/VmRSS/ {print $2}' "/proc/$api/status") kB, worker $(awk '/VmRSS/ {print $2}' "/proc/$worker/status") kB"
kill -TERM "$api" "$worker"
wait "$api" || { echo "check-docker-steps: the api did not stop cleanly" >&2; exit 1; }
wait "$worker" || { echo "check-docker-steps: the worker did not stop cleanly" >&2; exit 1; }
pids=()
echo "check-docker-steps: the image's build and run steps work"
