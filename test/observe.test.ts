// What an operator watches: every role answers /healthz, /readyz and /metrics (the worker on its own port,
// SHOPTALK_WORKER_PORT), and after a notification goes out end to end the metrics show its webhook, job lag,
// provider call and send, with the queue's states, the outbox and the inbox streams.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { createHub } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import type { TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { TEST_REDIS_URL, createTestDatabase, postgresAvailable, redisAvailable, uniqueRedisPrefix, waitFor } from './support/services.js';

/** The value of one sample line (`name{labels} value`), or null when the series is absent. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

const workerVariants = [
  { name: 'SQLite', db: 'sqlite' as const, redis: false, enabled: true },
  { name: 'PostgreSQL + Redis', db: 'postgres' as const, redis: true, enabled: postgresAvailable && redisAvailable },
];

for (const variant of workerVariants) {
  describe.skipIf(!variant.enabled)(`the worker role's health, readiness and metrics (${variant.name})`, () => {
    it('serves /healthz, /readyz and /metrics on SHOPTALK_WORKER_PORT, and nothing else', async () => {
      const db = await createTestDatabase(variant.db);
      const env: Record<string, string> = { SHOPTALK_DATA_DIR: db.dataDir, HOST: '127.0.0.1', PORT: '0', SHOPTALK_WORKER_PORT: '0', LOG_LEVEL: 'silent' };
      if (db.database.kind === 'postgres') {
        env['DATABASE_URL'] = db.database.url;
        env['SHOPTALK_MASTER_KEY'] = randomBytes(32).toString('base64');
      }
      if (variant.redis) env['REDIS_URL'] = TEST_REDIS_URL;
      const hub = await createHub({ config: loadConfig(env), role: 'worker', logger: createLogger('silent'), queuePrefix: uniqueRedisPrefix() });
      try {
        await hub.start();
        expect(hub.http).toBeNull();
        expect(hub.url).toBeNull();
        expect(hub.workerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

        const health = await fetch(`${hub.workerUrl}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ status: 'ok' });

        const ready = await fetch(`${hub.workerUrl}/readyz`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toEqual({ status: 'ready' });

        const metrics = await fetch(`${hub.workerUrl}/metrics`);
        expect(metrics.status).toBe(200);
        expect(metrics.headers.get('content-type')).toContain('text/plain');
        // The queue's states are read at each scrape; the retention job the worker schedules is ready, except
        // while it runs (a scrape may land then): scraped until it is seen waiting.
        const text = await waitFor(async () => {
          const body = await (await fetch(`${hub.workerUrl}/metrics`)).text();
          return (sample(body, 'shoptalk_jobs{state="ready"}') ?? 0) >= 1 ? body : null;
        }, { what: 'the retention job counted as ready', timeoutMs: 15_000 });
        expect(sample(text, 'shoptalk_jobs{state="retrying"}')).toBe(0);
        expect(sample(text, 'shoptalk_jobs{state="dead"}')).toBe(0);
        expect(sample(text, 'shoptalk_outbox_jobs')).not.toBeNull();
        expect(text).toContain('shoptalk_process_resident_memory_bytes');

        // The worker serves no API.
        expect((await fetch(`${hub.workerUrl}/v1/version`)).status).toBe(404);
      } finally {
        await hub.stop();
        await db.destroy();
      }
      // Stopped: the port is closed.
      await expect(fetch(`${hub.workerUrl}/healthz`)).rejects.toThrow();
    }, 60_000);
  });
}

describe('the worker port setting', () => {
  it('defaults to 9465 and takes 0 for a free port', () => {
    expect(loadConfig({}).worker.port).toBe(9465);
    expect(loadConfig({ SHOPTALK_WORKER_PORT: '0' }).worker.port).toBe(0);
    expect(() => loadConfig({ SHOPTALK_WORKER_PORT: '70000' })).toThrow(/SHOPTALK_WORKER_PORT/);
  });
});

const variants = [
  { name: 'SQLite, SQL jobs', db: 'sqlite' as const, redis: false, enabled: true },
  { name: 'PostgreSQL, BullMQ on Redis', db: 'postgres' as const, redis: true, enabled: postgresAvailable && redisAvailable },
];

for (const variant of variants) {
  describe.skipIf(!variant.enabled)(`metrics after a notification is sent (${variant.name})`, () => {
    let t: TestHub;
    beforeAll(async () => {
      t = await startTestHub(variant);
    });
    afterAll(async () => {
      await t?.close();
    });

    const metrics = async () => (await t.hub.http!.inject({ method: 'GET', url: '/metrics' })).body;

    it('counts the webhook, the job lag, the provider call and the send by channel, provider and outcome', async () => {
      const m = await setUpMerchant(t);
      await t.shopify.placeOrder(m.shop, { phone: '+1 (555) 010-4321' });
      await waitFor(() => t.wa.messages('15550104321')[0], { what: 'message at the simulator' });
      const text = await waitFor(async () => {
        const body = await metrics();
        return (sample(body, 'shoptalk_sends_total{channel="whatsapp",provider="meta",outcome="sent"}') ?? 0) >= 1 ? body : null;
      }, { what: 'the send counted' });

      expect(sample(text, 'shoptalk_webhooks_received_total{source="shopify",outcome="stored"}')).toBeGreaterThanOrEqual(1);
      // The send's provider call, timed by provider and operation.
      const calls = sample(text, 'shoptalk_provider_call_duration_seconds_count{provider="meta",operation="send",outcome="ok"}');
      expect(calls).toBeGreaterThanOrEqual(1);
      const seconds = sample(text, 'shoptalk_provider_call_duration_seconds_sum{provider="meta",operation="send",outcome="ok"}')!;
      expect(seconds).toBeGreaterThan(0);
      expect(seconds / calls!).toBeLessThan(10);
      // Job lag for the jobs that ran: the store webhook's processing and the send.
      for (const type of ['store-webhook.process', 'message.send']) {
        const count = sample(text, `shoptalk_job_start_lag_seconds_count{type="${type}"}`);
        expect(count, type).toBeGreaterThanOrEqual(1);
        const sum = sample(text, `shoptalk_job_start_lag_seconds_sum{type="${type}"}`)!;
        expect(sum, type).toBeGreaterThanOrEqual(0);
        expect(sum / count!, type).toBeLessThan(30);
      }
      // The older series stays as it was.
      expect(sample(text, 'shoptalk_send_outcomes_total{channel="whatsapp",status="sent"}')).toBeGreaterThanOrEqual(1);
      for (const state of ['ready', 'retrying', 'pending', 'running', 'dead']) expect(sample(text, `shoptalk_jobs{state="${state}"}`), state).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'shoptalk_outbox_jobs')).toBeGreaterThanOrEqual(0);
      expect(text).toContain('# TYPE shoptalk_conversation_turns_total counter');
    });

    it('GET /v1/jobs/stats gives the queue states to admins', async () => {
      const m = await setUpMerchant(t);
      const res = await t.api<Record<string, number>>('GET', '/v1/jobs/stats', m.key);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['dead', 'outbox', 'ready', 'retrying', 'running']);
      for (const n of Object.values(res.body)) expect(n).toBeGreaterThanOrEqual(0);
      // The retention job is always scheduled.
      expect(res.body['ready']).toBeGreaterThanOrEqual(1);
    });

    it('counts a job waiting for its next attempt as retrying', async () => {
      const before = sample(await metrics(), 'shoptalk_jobs{state="retrying"}') ?? 0;
      const now = Date.now();
      // A job that failed once and waits an hour for its second attempt (with Redis the relay moves it there).
      await t.hub.storage.db
        .insertInto('jobs')
        .values({ id: `job_retry_${now}`, type: 'retention.prune', workspace_id: null, payload: JSON.stringify({ token: 'stale' }), status: 'pending', run_at: now + 3_600_000, attempts: 1, max_attempts: 8, rate_key: null, locked_by: null, locked_until: null, last_error: 'the first attempt failed', created_at: now, updated_at: now })
        .execute();
      // Other jobs of the shared hub may start or finish meanwhile: the count must reach one more than before,
      // and the queue's own stats must count a retrying job too.
      await waitFor(async () => (sample(await metrics(), 'shoptalk_jobs{state="retrying"}') ?? 0) >= before + 1, { what: 'one more retrying job' });
      await waitFor(async () => (await t.hub.queue.stats()).retrying >= 1, { what: 'the queue stats to count it' });
    });

    it('counts open inbox streams', async () => {
      const m = await setUpMerchant(t);
      const abort = new AbortController();
      const res = await fetch(`${t.hub.url}/v1/inbox/stream`, { headers: { authorization: `Bearer ${m.key}` }, signal: abort.signal });
      expect(res.status).toBe(200);
      await waitFor(async () => sample(await metrics(), 'shoptalk_inbox_stream_clients') === 1, { what: 'one open stream' });
      abort.abort();
      await waitFor(async () => sample(await metrics(), 'shoptalk_inbox_stream_clients') === 0, { what: 'the stream closed' });
    });
  });
}
