// Delivery guarantees (issue 10, points 9 and 10):
// - two installations on one Redis database, each with its own database, never take each other's jobs: the
//   Redis prefix comes from the installation id in the database;
// - a job whose record does not exist is not dropped in silence: it dies with its reason, is logged and counted;
// - a provider that answers after the timeout leaves at most one delivery: the send is `unknown`, reported,
//   and not repeated (WhatsApp has no idempotency key); LINE, which dedupes on X-Line-Retry-Key, is retried
//   with the same key and delivered once.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { ConfigError } from '../src/config/index.js';
import { installationId } from '../src/storage/installation.js';
import { httpRequest } from '../src/adapters/http-client.js';
import { ProviderError } from '../src/core/errors.js';
import type { HubVariant, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { WebhookReceiver } from './support/receiver.js';
import { postgresAvailable, redisAvailable, storageKinds, waitFor } from './support/services.js';

interface Msg {
  id: string;
  direction: string;
  status: string;
  reason: string | null;
  recipient: string | null;
  order_id: string | null;
  provider_message_id: string | null;
}

const hubs: TestHub[] = [];
afterEach(async () => {
  while (hubs.length > 0) await hubs.pop()!.close();
}, 60_000);

async function hub(variant: HubVariant): Promise<TestHub> {
  const t = await startTestHub(variant);
  hubs.push(t);
  return t;
}

const messagesOf = async (t: TestHub, key: string, query = '') => (await t.api<{ data: Msg[] }>('GET', `/v1/messages?limit=200${query}`, key)).body.data;

const metricsText = async (t: TestHub) => (await t.hub.http!.inject({ method: 'GET', url: '/metrics' })).body;

describe('provider calls that fail', () => {
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err as ProviderError;
    }
    throw new Error('expected a failure');
  };

  it('are in doubt after the request was written (no answer in time), not when nothing was written (refused)', async () => {
    const server = http.createServer(() => undefined); // reads the request, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    const port = (server.address() as AddressInfo).port;
    const stalled = await failure(httpRequest({ method: 'POST', url: `http://127.0.0.1:${port}/send`, body: '{}', timeoutMs: 200 }));
    expect(stalled).toBeInstanceOf(ProviderError);
    expect(stalled).toMatchObject({ kind: 'retryable', outcomeUnknown: true });

    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await failure(httpRequest({ method: 'POST', url: `http://127.0.0.1:${closedPort}/send`, body: '{}', timeoutMs: 200 }));
    expect(refused).toMatchObject({ kind: 'retryable', outcomeUnknown: false });
  });
});

describe('configuration', () => {
  it('reads the Redis prefix and the provider timeouts, and names a bad value', () => {
    const config = loadConfig({ SHOPTALK_REDIS_PREFIX: 'shop-eu', SHOPTALK_PROVIDER_TIMEOUT_MS: '4000', SHOPTALK_PROVIDER_TIMEOUTS: 'line=2500, smtp=30000' });
    expect(config.redisPrefix).toBe('shop-eu');
    expect(config.providers.timeoutMs).toBe(4000);
    expect(config.providers.timeouts).toEqual({ line: 2500, smtp: 30000 });
    expect(loadConfig({}).providers).toMatchObject({ timeoutMs: 10_000, timeouts: {} });
    expect(loadConfig({}).redisPrefix).toBeNull();
    expect(() => loadConfig({ SHOPTALK_PROVIDER_TIMEOUTS: 'whatsapp=5000' })).toThrow(/SHOPTALK_PROVIDER_TIMEOUTS: "whatsapp=5000" must be provider=milliseconds/);
    expect(() => loadConfig({ SHOPTALK_PROVIDER_TIMEOUT_MS: '5' })).toThrow(ConfigError);
    expect(() => loadConfig({ SHOPTALK_REDIS_PREFIX: 'a b{c}' })).toThrow(/SHOPTALK_REDIS_PREFIX/);
  });
});

// Two installations, each with its own database, on one Redis database with the default prefix.
const sharedRedisVariants = (['sqlite', 'postgres'] as const).filter((db) => db === 'sqlite' || postgresAvailable);
describe.skipIf(!redisAvailable)('two installations on one Redis database', () => {
  for (const db of sharedRedisVariants) {
    it(`each delivers all of its own messages (${db} + Redis)`, async () => {
      const variant: HubVariant = { name: `${db} + Redis, default prefix`, db, redis: true, queuePrefix: null };
      const [a, b] = [await hub(variant), await hub(variant)];
      expect(await installationId(a.hub.storage)).not.toBe(await installationId(b.hub.storage));
      const [ma, mb] = [await setUpMerchant(a), await setUpMerchant(b)];
      const N = 12;
      const phone = (hubNo: number, i: number) => `+44 7700 9${hubNo}${String(i).padStart(4, '0')}`;
      await Promise.all(
        Array.from({ length: N }, async (_, i) => {
          await a.shopify.placeOrder(ma.shop, { phone: phone(1, i) });
          await b.shopify.placeOrder(mb.shop, { phone: phone(2, i) });
        }),
      );
      for (const [t, m] of [
        [a, ma],
        [b, mb],
      ] as const) {
        await waitFor(async () => (await messagesOf(t, m.key)).filter((x) => x.status !== 'queued' && x.status !== 'sending').length === N, { what: 'every message settled', timeoutMs: 30_000 });
        const msgs = await messagesOf(t, m.key);
        expect(msgs.map((x) => x.status).filter((s) => s !== 'sent' && s !== 'delivered' && s !== 'read')).toEqual([]);
        expect(t.wa.messages().filter((x) => x.phoneNumberId === m.phoneNumberId)).toHaveLength(N);
        expect((await t.hub.queue.deadJobs(null)).map((j) => `${j.type}: ${j.lastError}`)).toEqual([]);
      }
    }, 90_000);
  }
});

for (const db of storageKinds) {
  describe(`a job for a record that does not exist (${db})`, () => {
    it('dies with its reason, is logged with the job id and type, and is counted', async () => {
      const t = await hub({ name: db, db, redis: false });
      const m = await setUpMerchant(t);
      const jobId = await t.hub.uow.transaction((tx) => tx.jobs.enqueue({ type: 'message.send', workspaceId: m.workspaceId, payload: { messageId: 'msg_does_not_exist' } }));
      const dead = await waitFor(async () => (await t.hub.queue.deadJobs(m.workspaceId)).find((j) => j.id === jobId), { what: 'dead job' });
      expect(dead.lastError).toContain('message msg_does_not_exist does not exist');
      const line = t.logs.find((l) => l.includes('job refers to a record that does not exist'));
      expect(line).toBeDefined();
      // The log's PII masking may hide a long run of digits inside the id, so the id is compared by its ends.
      const logged = JSON.parse(line!) as { level: number; jobId: string; jobType: string };
      expect(logged).toMatchObject({ level: 50, jobType: 'message.send' });
      expect(logged.jobId.slice(0, 8)).toBe(jobId.slice(0, 8));
      expect(logged.jobId.slice(-2)).toBe(jobId.slice(-2));
      expect(await metricsText(t)).toMatch(/shoptalk_jobs_finished_total\{type="message.send",outcome="missing_record"\} 1/);
    });
  });
}

// A provider that answers only after the hub stopped waiting: short timeouts so the test does not wait 10 s.
const stallVariants: HubVariant[] = [
  { name: 'SQLite, SQL jobs', db: 'sqlite', redis: false },
  ...(postgresAvailable && redisAvailable ? [{ name: 'PostgreSQL, BullMQ on Redis', db: 'postgres' as const, redis: true }] : []),
];
for (const base of stallVariants) {
  describe(`a provider that stalls past the timeout (${base.name})`, () => {
    const variant: HubVariant = { ...base, env: { SHOPTALK_PROVIDER_TIMEOUT_MS: '300', SHOPTALK_ALLOW_PRIVATE_DESTINATIONS: 'true' } };

    it('WhatsApp: one delivery at most, recorded as unknown with the reason, reported and counted', async () => {
      const t = await hub(variant);
      const m = await setUpMerchant(t);
      const receiver = new WebhookReceiver('/shoptalk-events');
      await receiver.listen();
      onTestFinished(() => receiver.close());
      const subscription = await t.api<{ id: string }>('POST', '/v1/webhook-subscriptions', m.key, { url: receiver.url, events: ['message.status'] });
      expect(subscription.status, JSON.stringify(subscription.body)).toBe(201);
      t.wa.injectFault({ kind: 'delay', ms: 1500, times: 1, path: `/v23.0/${m.phoneNumberId}/messages` });
      await t.shopify.placeOrder(m.shop, { phone: '+1 555 010 4242' });
      const unknown = await waitFor(async () => (await messagesOf(t, m.key, '&status=unknown'))[0], { what: 'unknown message', timeoutMs: 20_000 });
      expect(unknown.reason).toMatch(/meta did not answer .*timed? ?out|meta did not answer/i);
      expect(unknown.reason).toContain('not sent again');
      // The stalled request still reaches the simulator, once; nothing sends it again.
      await waitFor(() => t.wa.messages('15550104242').length === 1, { what: 'the stalled request to land' });
      // The send's last step is the merchant's message.status event; by then any repeat would have gone out.
      // (The queue itself never drains: the retention job is always scheduled.)
      const [event] = await receiver.waitFor(1, 10_000);
      expect(t.wa.messages('15550104242')).toHaveLength(1);
      expect((await messagesOf(t, m.key)).filter((x) => x.direction === 'outbound')).toHaveLength(1);
      const activity = await t.api<{ data: Array<{ kind: string; summary: string }> }>('GET', `/v1/orders/${unknown.order_id}/activity`, m.key);
      expect(activity.body.data.map((a) => a.kind)).toEqual(['notification.unknown']);
      expect(activity.body.data[0]!.summary).toContain('outcome unknown, not sent again');
      // The merchant's endpoint heard of it: a message.status event with status unknown and the reason.
      expect(JSON.parse(event!.body.toString('utf8'))).toMatchObject({ type: 'message.status', data: { message_id: unknown.id, status: 'unknown', reason: unknown.reason } });
      expect(await metricsText(t)).toMatch(/shoptalk_send_outcomes_total\{channel="whatsapp",status="unknown"\} 1/);
    });

    it('LINE: retried with the same X-Line-Retry-Key, delivered once, recorded as sent', async () => {
      const t = await hub(variant);
      const ws = await t.hub.workspaces.createWorkspace(`LINE ${randomBytes(3).toString('hex')}`);
      const { key } = await t.hub.workspaces.createApiKey(ws.id, 'tests');
      const channel = { channelAccessToken: `line_${randomBytes(16).toString('hex')}`, channelSecret: randomBytes(16).toString('hex'), botUserId: `U${randomBytes(16).toString('hex')}`, displayName: 'Stalling LINE shop' };
      t.line.addChannel(channel);
      const account = await t.api<{ id: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret });
      expect(account.status).toBe(201);
      const to = `U${randomBytes(16).toString('hex')}`;
      t.line.injectFault({ kind: 'delay', ms: 1500, times: 1, path: '/v2/bot/message/push' });
      const message = await t.hub.uow.transaction(async (tx) => {
        const msg = await tx.messages.insertIfNew(ws.id, {
          direction: 'outbound',
          channel: 'line',
          channelAccountId: account.body.id,
          eventId: null,
          orderId: null,
          idempotencyKey: `stall-test:${to}`,
          recipient: to,
          templateName: null,
          category: 'utility',
          content: { kind: 'text', text: 'Your parcel is on its way' },
          status: 'queued',
          reason: null,
        });
        await tx.jobs.enqueue({ type: 'message.send', workspaceId: ws.id, payload: { messageId: msg!.id } });
        return msg!;
      });
      const sent = await waitFor(async () => (await messagesOf(t, key)).find((x) => x.id === message.id && x.status === 'sent'), { what: 'sent LINE message', timeoutMs: 20_000 });
      // Both requests reached LINE (the stalled one and its retry), with one key; LINE delivered one message.
      await waitFor(() => t.line.requests().filter((r) => r.path === '/v2/bot/message/push').length === 2, { what: 'both push requests' });
      const pushes = t.line.requests().filter((r) => r.path === '/v2/bot/message/push');
      expect(new Set(pushes.map((r) => r.headers['x-line-retry-key'])).size).toBe(1);
      expect(t.line.messages(to)).toHaveLength(1);
      expect(sent.provider_message_id).toBe(t.line.messages(to)[0]!.id);
    });
  });
}
