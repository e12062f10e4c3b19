// Server-side request forgery: no destination a workspace chooses (webhook URL, SMTP host, store URL) may lead the
// hub to its loopback, its private network or the cloud metadata service — not in any spelling, not through a name
// that resolves there, not through a redirect. A test server on 127.0.0.2 plays a public host (through the
// guard's classifier hook, which is not part of the configuration).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { classifyAddress } from '../src/core/net/destinations.js';
import { systemResolve } from '../src/adapters/net/pinned.js';

interface ErrorBody {
  error: { code: string; message: string; details: { fields?: Array<{ field: string; message: string }> } | null };
}

const resolverTable: Record<string, string> = {
  'hooks.public.test': '127.0.0.2',
  'rebind.public.test': '127.0.0.1',
  'smtp.public.test': '127.0.0.1',
  'meta.public.test': '169.254.169.254',
};
const destinations = {
  resolve: (host: string) => (resolverTable[host] ? Promise.resolve([{ address: resolverTable[host], family: 4 as const }]) : systemResolve(host)),
  classify: (address: string) => (address === '127.0.0.2' ? ('public' as const) : (classifyAddress(address) ?? 'reserved')),
};

/** A server that counts what reaches it. */
async function listen(host: string, handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

describe('destinations a workspace chooses (private destinations not allowed)', () => {
  let t: TestHub;
  let m: MerchantSetup;
  let internal: { server: http.Server; port: number };
  let publicHost: { server: http.Server; port: number };
  let internalHits = 0;

  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite strict', db: 'sqlite', redis: false, env: { SHOPTALK_ALLOW_PRIVATE_DESTINATIONS: 'false' }, destinations });
    m = await setUpMerchant(t, { enable: false });
    internal = await listen('127.0.0.1', (_req, res) => {
      internalHits += 1;
      res.writeHead(200).end('internal secrets');
    });
    // The "public" receiver redirects to the internal one.
    publicHost = await listen('127.0.0.2', (_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${internal.port}/steal` }).end();
    });
  });
  afterAll(async () => {
    for (const s of [internal?.server, publicHost?.server]) {
      s?.closeAllConnections();
      await new Promise((r) => s?.close(r));
    }
    await t?.close();
  });

  const refusedUrls = [
    'http://127.0.0.1/hook',
    'http://127.1/hook',
    'http://2130706433/hook',
    'http://0x7f000001/hook',
    'http://0x7f.0.0.1/hook',
    'http://0177.0.0.1/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[0:0:0:0:0:ffff:7f00:1]/hook',
    'http://[64:ff9b::127.0.0.1]/hook',
    'http://localhost/hook',
    'http://LOCALHOST./hook',
    'http://169.254.169.254/latest/meta-data/iam/',
    'http://2852039166/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://10.0.0.1/hook',
    'http://172.16.5.4/hook',
    'http://192.168.1.1/hook',
    'http://100.64.0.1/hook',
    'http://[fd00::1]/hook',
    'http://[fe80::1]/hook',
    'http://0.0.0.0:8080/hook',
    'http://[::]/hook',
    'http://224.0.0.251/hook',
    'http://255.255.255.255/hook',
    'http://redis:6379/hook',
    'javascript:alert(1)',
  ];

  it.each(refusedUrls)('refuses the webhook URL %s when it is saved, naming the field', async (url) => {
    const res = await t.api<ErrorBody>('POST', '/v1/webhook-subscriptions', m.key, { url, events: ['message.status'] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toMatch(/^url: /);
    expect(res.body.error.details?.fields?.[0]?.field).toBe('url');
  });

  it('refuses an SMTP host by its text when saved, and by its address when connecting', async () => {
    const account = (host: string) => ({ channel: 'email', provider: 'smtp', host, port: t.smtpPort, security: 'none', from_address: 'shop@example.com' });
    for (const host of ['127.0.0.1', '2130706433', 'localhost', '169.254.169.254', '10.1.2.3', 'mail']) {
      const res = await t.api<ErrorBody>('POST', '/v1/channel-accounts', m.key, account(host));
      expect(res.status, host).toBe(400);
      expect(res.body.error.details?.fields?.[0]?.field, host).toBe('host');
    }
    // The name looks public; it resolves to loopback, and the simulator listening there is never reached.
    const before = t.smtp.messages().length;
    const res = await t.api<ErrorBody>('POST', '/v1/channel-accounts', m.key, account('smtp.public.test'));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('host: destination refused: smtp.public.test resolves to a loopback address, which this installation does not connect to (an operator may allow private destinations with SHOPTALK_ALLOW_PRIVATE_DESTINATIONS=true)');
    expect(t.smtp.messages().length).toBe(before);
  });

  it('refuses a store URL that points inside', async () => {
    for (const storeUrl of ['http://169.254.169.254/', 'http://127.1/', 'javascript:alert(1)']) {
      const res = await t.api<ErrorBody>('POST', '/v1/store-connections', m.key, { platform: '91app', shop_id: '12345', api_key: 'key-123456789', store_url: storeUrl });
      expect(res.status, storeUrl).toBe(400);
      expect(res.body.error.message, storeUrl).toMatch(/store_url/);
    }
  });

  /** Queues one delivery the way an activity does, and waits for its first attempt. */
  const deliverOnce = async (url: string) => {
    const sub = await t.api<{ id: string }>('POST', '/v1/webhook-subscriptions', m.key, { url, events: ['activity.created'] });
    expect(sub.status).toBe(201);
    const deliveryId = await t.hub.uow.transaction(async (tx) => {
      const d = await tx.webhookDeliveries.create(m.workspaceId, { subscriptionId: sub.body.id, event: 'activity.created', payload: { id: 'act_ssrf' } });
      await tx.jobs.enqueue({ type: 'webhook.deliver', workspaceId: m.workspaceId, payload: { deliveryId: d.id, attempt: 0 } });
      return d.id;
    });
    return waitFor(async () => {
      const res = await t.api<{ status: string; attempts: number; error: string | null; response_status: number | null }>('GET', `/v1/webhook-subscriptions/${sub.body.id}/deliveries/${deliveryId}`, m.key);
      return res.body.attempts >= 1 ? res.body : null;
    }, { what: `the first attempt to ${url}` });
  };

  it('refuses at connect time a name that resolves to loopback, without saying where it resolves', async () => {
    const d = await deliverOnce(`http://rebind.public.test:${internal.port}/hook`);
    expect(d.status).toBe('failed');
    expect(d.error).toBe('destination refused: rebind.public.test resolves to a loopback address, which this installation does not connect to (an operator may allow private destinations with SHOPTALK_ALLOW_PRIVATE_DESTINATIONS=true)');
    expect(d.error).not.toContain('127.0.0.1');
    expect(internalHits).toBe(0);
  });

  it('does not follow a redirect from a public receiver to an internal address', async () => {
    const d = await deliverOnce(`http://hooks.public.test:${publicHost.port}/hook`);
    expect(d.response_status).toBe(307);
    expect(d.error).toMatch(/^answered HTTP 307 \(a redirect to http:\/\/127\.0\.0\.1:\d+\/steal\); redirects are not followed/);
    expect(internalHits).toBe(0);
  });
});

describe('destinations when the operator allows private ones', () => {
  let t: TestHub;
  let m: MerchantSetup;

  beforeAll(async () => {
    // The test hub allows private destinations: its simulators listen on 127.0.0.1.
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false, destinations });
    m = await setUpMerchant(t, { enable: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('still refuses link-local and cloud metadata addresses, when saved and when connecting', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[::ffff:a9fe:a9fe]/', 'http://0xa9fea9fe/', 'http://100.100.100.200/', 'http://[fe80::1]/', 'http://metadata.google.internal/']) {
      const res = await t.api<ErrorBody>('POST', '/v1/webhook-subscriptions', m.key, { url, events: ['message.status'] });
      expect(res.status, url).toBe(400);
      expect(res.body.error.message, url).toMatch(/^url: .*(metadata|link-local)/);
    }
    expect((await t.api('POST', '/v1/webhook-subscriptions', m.key, { url: 'http://127.0.0.1:9/hook', events: ['message.status'] })).status).toBe(201);

    const sub = await t.api<{ id: string }>('POST', '/v1/webhook-subscriptions', m.key, { url: 'http://meta.public.test/latest/meta-data/', events: ['activity.created'] });
    expect(sub.status).toBe(201);
    const deliveryId = await t.hub.uow.transaction(async (tx) => {
      const d = await tx.webhookDeliveries.create(m.workspaceId, { subscriptionId: sub.body.id, event: 'activity.created', payload: {} });
      await tx.jobs.enqueue({ type: 'webhook.deliver', workspaceId: m.workspaceId, payload: { deliveryId: d.id, attempt: 0 } });
      return d.id;
    });
    const d = await waitFor(async () => {
      const res = await t.api<{ status: string; error: string | null }>('GET', `/v1/webhook-subscriptions/${sub.body.id}/deliveries/${deliveryId}`, m.key);
      return res.body.status === 'failed' ? res.body : null;
    }, { what: 'the refused delivery' });
    expect(d.error).toBe('destination refused: meta.public.test resolves to a cloud metadata service address, which this installation does not connect to');
  });
});
