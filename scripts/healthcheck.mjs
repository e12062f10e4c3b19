// The container's HEALTHCHECK: exits 0 when the hub answers /healthz with 200, 1 otherwise. The URL is
// SHOPTALK_HEALTHCHECK_URL, else http://127.0.0.1:$PORT/healthz (PORT defaults to 8080). It reads the two
// variables itself rather than through src/config, so a check every few seconds loads nothing of the hub.
// eslint-disable-next-line no-restricted-syntax
const env = process.env;
const url = env.SHOPTALK_HEALTHCHECK_URL || `http://127.0.0.1:${env.PORT || 8080}/healthz`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(res.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
