// Crash safety: the worker process is SIGKILLed in the middle of a burst of orders and started again.
// No order is lost and none is sent twice: every send is marked `sending` (committed) before WhatsApp is
// called, so a send in flight at the kill is found `sending` by the new worker and, WhatsApp having no
// idempotency key, is recorded as `unknown` with its reason instead of being sent again. The test reports
// per kill the duplicates (must be 0), the sends in doubt (`unknown`; at most the worker's concurrency) and
// the orders without a message at the simulator (each must be one of the `unknown` ones, never silent).
//
// The hub runs as two real processes (`shoptalk start --role api` and `--role worker`) on SQLite with SQL
// jobs, and on PostgreSQL with BullMQ jobs on Redis; the simulators run in this process. Setup goes through
// public interfaces only: the CLI for the workspace and API key, then the HTTP API.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { WhatsAppCloudSimulator } from '../src/adapters/channels/whatsapp-cloud/simulator.js';
import type { WhatsAppSimMessage } from '../src/adapters/channels/whatsapp-cloud/simulator.js';
import { ShopifySimulator } from '../src/adapters/stores/shopify/simulator.js';
import { TEST_REDIS_URL, createTestDatabase, postgresAvailable, redisAvailable, waitFor } from './support/services.js';
import type { HubProcess } from './support/crash/processes.js';
import { freePort, hubEnv, runCli, startHubProcess, tail } from './support/crash/processes.js';

/** Orders in the burst. */
const ORDERS = 300;
/** Pace of the burst: one order every PACE_MS, so orders keep arriving while the worker is down. */
const PACE_MS = 25;
/** The worker's concurrency (the default): at most this many sends can be in flight when it dies. */
const WORKER_CONCURRENCY = 128;
/** Every send waits this long at the simulator, so that sends are in flight whenever the kill lands. */
const SEND_DELAY_MS = 150;
/** The kill lands once this many messages have reached the simulator (well before all of them). */
const KILL_AFTER_MESSAGES = 60;
/** Time between the kill and the new worker. */
const RESTART_GAP_MS = 500;
/**
 * How long every order may take to end with a message after the restart. SQL jobs come back when their 15 s
 * lease expires. BullMQ jobs come back when a stalled check (every 5 s) finds them without a lock (15 s) a
 * second time, so within about 25 s.
 */
const DRAIN_TIMEOUT_MS = { sql: 90_000, bullmq: 90_000 } as const;
const TEST_TIMEOUT_MS = { sql: 240_000, bullmq: 240_000 } as const;
/** A Redis database of its own; the hub's keys carry a prefix of this run, removed afterwards. */
const REDIS_DB = 9;

const SHOP = 'crash-safety.myshopify.com';
const FINAL_STATUSES = new Set(['sent', 'delivered', 'read', 'unknown']);
const DELIVERED_STATUSES = new Set(['sent', 'delivered', 'read']);

interface Variant {
  name: string;
  db: 'sqlite' | 'postgres';
  redis: boolean;
  queue: 'sql' | 'bullmq';
  enabled: boolean;
}

const variants: Variant[] = [
  { name: 'sqlite', db: 'sqlite', redis: false, queue: 'sql', enabled: true },
  { name: 'postgres+redis', db: 'postgres', redis: true, queue: 'bullmq', enabled: postgresAvailable && redisAvailable },
];

interface ApiMessage {
  id: string;
  direction: string;
  order_id: string | null;
  recipient: string | null;
  status: string;
  reason: string | null;
  provider_message_id: string | null;
  attempts: number;
}

interface ApiOrder {
  id: string;
  name: string;
  phone: string | null;
}

interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

interface PlacedOrder {
  name: string;
  /** The recipient as WhatsApp gets it: E.164 digits. Unique per order. */
  recipient: string;
  webhookStatus: number | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A UK mobile number per order (unique), as the buyer typed it, and the digits WhatsApp receives. */
function phoneFor(i: number): { typed: string; digits: string } {
  const n = String(i).padStart(5, '0');
  return { typed: `+44 7700 9${n}`, digits: `4477009${n}` };
}

function redisUrlForDb(db: number): string {
  const url = new URL(TEST_REDIS_URL);
  url.pathname = `/${db}`;
  return url.toString();
}

async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function apiClient(baseUrl: string, key: string) {
  return async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
}

// Everything a test started, undone in reverse order after it, whether it passed or not.
const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
afterEach(async () => {
  while (cleanups.length > 0) {
    const { what, run } = cleanups.pop()!;
    try {
      await run();
    } catch (err) {
      console.warn(`crash-safety cleanup (${what}) failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}, 60_000);

for (const variant of variants) {
  describe.skipIf(!variant.enabled)(`crash safety [${variant.name}]`, () => {
    it(
      'a worker SIGKILLed mid-burst loses no order silently and sends none twice; sends in doubt are unknown',
      async () => {
        const started = Date.now();
        const processes: HubProcess[] = [];
        onTestFailed(() => {
          for (const p of processes) console.log(`----- ${p.name} (pid ${p.pid}) output -----\n${tail(p.output(), 6000)}`);
        });

        // Simulators in this process, on free ports.
        const wa = new WhatsAppCloudSimulator({ statusDelayMs: 20 });
        const shopify = new ShopifySimulator({ retryScale: 0.001 });
        await wa.listen(0, '127.0.0.1');
        cleanups.push({ what: 'whatsapp simulator', run: () => wa.close() });
        await shopify.listen(0, '127.0.0.1');
        cleanups.push({ what: 'shopify simulator', run: () => shopify.close() });

        // A fresh database (and Redis database) shared by every hub process.
        const db = await createTestDatabase(variant.db);
        cleanups.push({ what: 'test database', run: () => db.destroy() });
        const vars: Record<string, string> = {
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          SHOPTALK_DATA_DIR: db.dataDir,
          SHOPTALK_WHATSAPP_API_URL: `${wa.baseUrl}/v23.0`,
          SHOPTALK_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
          SHOPTALK_JOB_POLL_MS: '50',
          // The worker's health and metrics port: any free one.
          SHOPTALK_WORKER_PORT: '0',
        };
        if (db.database.kind === 'postgres') {
          vars['DATABASE_URL'] = db.database.url;
          vars['SHOPTALK_MASTER_KEY'] = randomBytes(32).toString('base64');
        }
        if (variant.redis) {
          const redisUrl = redisUrlForDb(REDIS_DB);
          const prefix = `crash-${randomBytes(6).toString('hex')}`;
          cleanups.push({ what: 'redis keys', run: () => deleteRedisKeys(redisUrl, prefix) });
          vars['REDIS_URL'] = redisUrl;
          vars['SHOPTALK_REDIS_PREFIX'] = prefix;
        }
        const env = hubEnv(vars);

        // Workspace and API key through the CLI (it migrates the database on the way).
        const wsOut = await runCli(['workspace', 'create', 'Crash Safety Store'], env, 90_000);
        const workspaceId = /^(\S+)\tCrash Safety Store$/m.exec(wsOut)?.[1];
        expect(workspaceId, `workspace create printed: ${wsOut}`).toBeTruthy();
        const keyOut = await runCli(['api-key', 'create', '--workspace', workspaceId!, '--name', 'crash-safety'], env, 90_000);
        const key = keyOut.split('\n').map((l) => l.trim()).find((l) => l.startsWith('stk_'));
        expect(key, `api-key create printed: ${keyOut}`).toBeTruthy();

        // The API process.
        // A free port can be taken by another test between picking it and binding it: pick again then.
        let port = 0;
        let apiProc: HubProcess | null = null;
        for (let attempt = 1; !apiProc; attempt++) {
          port = await freePort();
          try {
            apiProc = await startHubProcess('api', 'api', hubEnv({ ...vars, PORT: String(port) }));
          } catch (err) {
            if (attempt >= 3 || !String(err).includes('EADDRINUSE')) throw err;
          }
        }
        processes.push(apiProc);
        const startedApi = apiProc;
        cleanups.push({ what: 'api process', run: () => startedApi.kill('SIGKILL') });
        const baseUrl = `http://127.0.0.1:${port}`;
        await waitFor(async () => (await fetch(`${baseUrl}/readyz`).catch(() => null))?.status === 200, { timeoutMs: 15_000, intervalMs: 100, what: 'api /readyz' });
        const api = apiClient(baseUrl, key!);

        // Store connection, WhatsApp account (its phone number registered with the simulator first), setting.
        const phoneNumberId = String(100_000_000_000_000 + Math.floor(Math.random() * 899_999_999_999_999));
        const wabaId = String(200_000_000_000_000 + Math.floor(Math.random() * 799_999_999_999_999));
        const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
        const appSecret = randomBytes(16).toString('hex');
        const webhookSecret = randomBytes(24).toString('hex');
        wa.addPhoneNumber({ phoneNumberId, wabaId, accessToken, appSecret, displayPhoneNumber: '15550783881', verifiedName: 'Crash Safety Store', webhookUrl: null });

        const connection = await api<{ id: string; webhook_url: string }>('POST', '/v1/store-connections', {
          platform: 'shopify',
          name: 'Crash Safety (Shopify)',
          shop_domain: SHOP,
          webhook_secret: webhookSecret,
        });
        expect(connection.status, JSON.stringify(connection.body)).toBe(201);
        const account = await api<{ id: string; status: string; webhook_url: string }>('POST', '/v1/channel-accounts', {
          channel: 'whatsapp',
          provider: 'meta',
          name: 'Crash Safety WhatsApp',
          phone_number_id: phoneNumberId,
          waba_id: wabaId,
          access_token: accessToken,
          app_secret: appSecret,
        });
        expect(account.status, JSON.stringify(account.body)).toBe(201);
        expect(account.body.status).toBe('verified');
        wa.setWebhookUrl(phoneNumberId, account.body.webhook_url);
        const setting = await api<{ enabled: boolean }>('PUT', '/v1/notification-settings/order.placed/whatsapp', {
          enabled: true,
          template: { name: 'order_placed', language: 'en_US' },
        });
        expect(setting.status, JSON.stringify(setting.body)).toBe(200);
        expect(setting.body.enabled).toBe(true);
        shopify.addShop({ domain: SHOP, webhookSecret, subscriptions: [{ topic: 'orders/create', address: connection.body.webhook_url }] });

        // The first worker.
        const worker1 = await startHubProcess('worker', 'worker #1', env, 60_000);
        processes.push(worker1);
        cleanups.push({ what: 'worker #1', run: () => worker1.kill('SIGKILL') });

        // Slow sends from here on, so that the worker always has sends in flight.
        wa.injectFault({ kind: 'delay', ms: SEND_DELAY_MS, times: ORDERS * 10, path: `/v23.0/${phoneNumberId}/messages` });

        // The burst, paced, in the background.
        const placed: PlacedOrder[] = [];
        const placeOne = async (i: number): Promise<void> => {
          const phone = phoneFor(i);
          const { order, deliveries } = await shopify.placeOrder(SHOP, { phone: phone.typed, customer: { phone: phone.typed } });
          placed.push({ name: order.name, recipient: phone.digits, webhookStatus: deliveries[0]?.attempts[0]?.status ?? null });
        };
        const burstStarted = Date.now();
        const burst = (async () => {
          const pending: Array<Promise<void>> = [];
          for (let i = 0; i < ORDERS; i++) {
            const wait = burstStarted + i * PACE_MS - Date.now();
            if (wait > 0) await sleep(wait);
            pending.push(placeOne(i));
          }
          await Promise.all(pending);
        })();
        // Awaited below; a failure must not surface as an unhandled rejection meanwhile.
        const burstOutcome = burst.then(
          () => null,
          (err: unknown) => err,
        );

        // SIGKILL the worker once some messages arrived, well before all.
        await waitFor(() => wa.messages().length >= KILL_AFTER_MESSAGES, { timeoutMs: 60_000, intervalMs: 2, what: `${KILL_AFTER_MESSAGES} messages at the simulator` }).catch((err: unknown) => {
          throw new Error(`${(err as Error).message} (${wa.messages().length} arrived, ${placed.length} orders placed)`);
        });
        const killAt = Date.now();
        // Counted as the kill is sent: the messages that reach WhatsApp while it lands are sends already in flight.
        const messagesAtKill = wa.messages().length;
        await worker1.kill('SIGKILL');
        const ordersAtKill = placed.length;
        expect((await worker1.exited).signal).toBe('SIGKILL');
        expect(messagesAtKill).toBeLessThan(ORDERS / 2);

        await sleep(RESTART_GAP_MS);
        const restartAt = Date.now();
        const worker2 = await startHubProcess('worker', 'worker #2', env, 60_000);
        processes.push(worker2);
        cleanups.push({ what: 'worker #2', run: () => worker2.kill('SIGKILL') });

        const burstError = await burstOutcome;
        expect(burstError).toBeNull();
        expect(placed).toHaveLength(ORDERS);

        // Wait until every order has a message record and none is still queued or sending.
        const byRecipient = () => {
          const map = new Map<string, WhatsAppSimMessage[]>();
          for (const m of wa.messages()) {
            const list = map.get(m.to);
            if (list) list.push(m);
            else map.set(m.to, [m]);
          }
          return map;
        };
        let lastProgress = '';
        try {
          await waitFor(
            async () => {
              const sent = byRecipient();
              const reached = placed.filter((o) => sent.has(o.recipient)).length;
              const queued = await api<Page<ApiMessage>>('GET', '/v1/messages?status=queued&limit=200');
              const sending = await api<Page<ApiMessage>>('GET', '/v1/messages?status=sending&limit=200');
              const unknown = await api<Page<ApiMessage>>('GET', '/v1/messages?status=unknown&limit=200');
              const open = queued.body.data.length + sending.body.data.length;
              // An order is settled once WhatsApp has its message or its record says the send is in doubt. (A send
              // in doubt may also have reached WhatsApp: the two are not added up.) Orders whose processing job
              // the killed worker held come back when its lease runs out.
              const inDoubt = new Set(unknown.body.data.map((m) => m.recipient));
              const settled = placed.filter((o) => sent.has(o.recipient) || inDoubt.has(o.recipient)).length;
              lastProgress = `${reached}/${ORDERS} orders have a message at the simulator, ${unknown.body.data.length} unknown, ${settled}/${ORDERS} settled, ${open} message records still queued or sending`;
              return queued.status === 200 && sending.status === 200 && unknown.status === 200 && open === 0 && settled === ORDERS;
            },
            { timeoutMs: DRAIN_TIMEOUT_MS[variant.queue], intervalMs: 250, what: 'every order to end with a message' },
          );
        } catch (err) {
          throw new Error(`${(err as Error).message} (${lastProgress})`);
        }
        const drainedAt = Date.now();

        // Every order's message record, through the API.
        const allMessages: ApiMessage[] = [];
        for (let cursor: string | null = null, pages = 0; ; pages++) {
          expect(pages).toBeLessThan(50);
          const page: { status: number; body: Page<ApiMessage> } = await api<Page<ApiMessage>>('GET', `/v1/messages?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          expect(page.status).toBe(200);
          allMessages.push(...page.body.data);
          cursor = page.body.next_cursor;
          if (!cursor) break;
        }
        const allOrders: ApiOrder[] = [];
        for (let cursor: string | null = null, pages = 0; ; pages++) {
          expect(pages).toBeLessThan(50);
          const page: { status: number; body: Page<ApiOrder> } = await api<Page<ApiOrder>>('GET', `/v1/orders?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          expect(page.status).toBe(200);
          allOrders.push(...page.body.data);
          cursor = page.body.next_cursor;
          if (!cursor) break;
        }
        const dead = await api<{ data: Array<{ id: string; type: string; last_error: string | null }> }>('GET', '/v1/jobs/dead');

        // Count at the simulator: missing orders and extra copies.
        const sent = byRecipient();
        const expectedRecipients = new Set(placed.map((o) => o.recipient));
        const strangers = [...sent.keys()].filter((to) => !expectedRecipients.has(to));
        const missing = placed.filter((o) => !sent.has(o.recipient));
        const duplicated = placed.filter((o) => (sent.get(o.recipient)?.length ?? 0) > 1);
        const recordByRecipient = new Map(allMessages.filter((m) => m.direction === 'outbound').map((m) => [m.recipient, m]));
        const unknownRecords = allMessages.filter((m) => m.direction === 'outbound' && m.status === 'unknown');
        const unknownDelivered = unknownRecords.filter((m) => sent.has(m.recipient ?? '')).length;
        const missingSilently = missing.filter((o) => recordByRecipient.get(o.recipient)?.status !== 'unknown');
        const extraCopies = duplicated.reduce((n, o) => n + sent.get(o.recipient)!.length - 1, 0);
        const wrongText = placed.filter((o) => (sent.get(o.recipient) ?? []).some((m) => m.templateName !== 'order_placed' || !m.renderedText.includes(`order ${o.name}.`)));
        const statusCounts: Record<string, number> = {};
        for (const m of allMessages) statusCounts[m.status] = (statusCounts[m.status] ?? 0) + 1;

        const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
        console.log(
          `crash-safety [${variant.name}] at concurrency ${WORKER_CONCURRENCY}: ${ORDERS} orders, ${ORDERS - missing.length} delivered, ` +
            `${extraCopies} duplicates, ${unknownRecords.length} unknown (${unknownDelivered} of them reached WhatsApp), ` +
            `${missing.length} missing (${missingSilently.length} of them not reported unknown) — killed after ${messagesAtKill} messages / ${ordersAtKill} orders placed ` +
            `(${seconds(killAt - burstStarted)} into the burst); all delivered ${seconds(drainedAt - restartAt)} after the restart; ` +
            `records ${JSON.stringify(statusCounts)}; total ${seconds(Date.now() - started)}`,
        );
        if (duplicated.length > 0) {
          const detail = duplicated.map((o) => {
            const copies = sent.get(o.recipient)!;
            return `${o.name}: ${copies.map((m) => `${m.at - killAt >= 0 ? '+' : ''}${m.at - killAt} ms`).join(', ')} (relative to the kill)`;
          });
          console.log(`crash-safety [${variant.name}]: duplicated orders:\n  ${detail.join('\n  ')}`);
        }

        // The API process never went down: Shopify's first attempt of every webhook was acknowledged (checked
        // after the figures are printed, so that a machine too busy to answer within Shopify's 5 s still reports them).
        expect(placed.filter((o) => o.webhookStatus !== 200).map((o) => `${o.name}: ${o.webhookStatus}`)).toEqual([]);
        // Nothing sent twice, nothing sent to anyone else, every copy is the right message.
        expect(duplicated.map((o) => o.name)).toEqual([]);
        expect(strangers).toEqual([]);
        expect(wrongText.map((o) => o.name)).toEqual([]);
        // An order without a message at WhatsApp is one whose send was in doubt at the kill, reported as unknown.
        expect(missingSilently.map((o) => o.name)).toEqual([]);
        // Only sends in flight at the kill can be in doubt: no more than the worker runs at once.
        expect(unknownRecords.length).toBeLessThanOrEqual(WORKER_CONCURRENCY);
        for (const m of unknownRecords) expect(m.reason ?? '').toContain('not sent again');

        // The hub's own records: one outbound message per order, each ended sent (or later), none left queued.
        expect(allOrders).toHaveLength(ORDERS);
        const outbound = allMessages.filter((m) => m.direction === 'outbound');
        expect(outbound).toHaveLength(ORDERS);
        const orderById = new Map(allOrders.map((o) => [o.id, o]));
        const placedByName = new Map(placed.map((o) => [o.name, o]));
        const notFinal = outbound.filter((m) => !FINAL_STATUSES.has(m.status)).map((m) => `${m.id}: ${m.status} ${m.reason ?? ''}`);
        expect(notFinal).toEqual([]);
        expect(statusCounts['queued'] ?? 0).toBe(0);
        expect(statusCounts['sending'] ?? 0).toBe(0);
        const perOrder = new Map<string, number>();
        for (const m of outbound) {
          const order = m.order_id ? orderById.get(m.order_id) : undefined;
          expect(order, `message ${m.id} belongs to no order`).toBeDefined();
          perOrder.set(order!.id, (perOrder.get(order!.id) ?? 0) + 1);
          const expected = placedByName.get(order!.name);
          expect(expected, `order ${order!.name} was not placed by the test`).toBeDefined();
          expect(m.recipient).toBe(expected!.recipient);
          // A delivered record points at the copy the simulator actually accepted.
          const copies = sent.get(expected!.recipient) ?? [];
          if (DELIVERED_STATUSES.has(m.status)) expect(copies.map((c) => c.id)).toContain(m.provider_message_id);
        }
        expect([...perOrder.values()].filter((n) => n !== 1)).toEqual([]);
        expect(perOrder.size).toBe(ORDERS);
        expect(dead.status).toBe(200);
        expect(dead.body.data.map((j) => `${j.type}: ${j.last_error ?? ''}`)).toEqual([]);
      },
      TEST_TIMEOUT_MS[variant.queue],
    );
  });
}
