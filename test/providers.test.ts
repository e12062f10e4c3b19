// GET /v1/providers describes every provider's connect form from the registry; webhooks reach their handler on
// the id-named paths and on the old names alike.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';

interface ProviderBody {
  id: string;
  kind: string;
  channel: string | null;
  title: string;
  fields: Array<{ name: string; type: string; required: boolean; secret: boolean; label: string; help: string | null; example: string | number | null; options: string[] | null }>;
  rate_limit_per_second: number | null;
  webhook: { paths: string[]; published: string; signature: string } | null;
  connect: { method: string; path: string; fixed: Record<string, string> };
}

describe('providers', () => {
  let t: TestHub;
  let m: MerchantSetup;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    m = await setUpMerchant(t, { enable: false });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('GET /v1/providers describes every provider and its connect form', async () => {
    const res = await t.api<{ data: ProviderBody[] }>('GET', '/v1/providers', m.key);
    expect(res.status).toBe(200);
    const byId = new Map(res.body.data.map((p) => [p.id, p]));
    expect([...byId.keys()].sort()).toEqual(['91app', 'cyberbiz', 'empikplace', 'eshopbox', 'generic', 'gupshup', 'line', 'meta', 'meta-messenger', 'shopify', 'shopline', 'smtp', 'twilio']);

    const shopify = byId.get('shopify')!;
    expect(shopify).toMatchObject({ kind: 'store', channel: null, title: 'Shopify', rate_limit_per_second: null, connect: { method: 'POST', path: '/v1/store-connections', fixed: { platform: 'shopify' } } });
    expect(shopify.fields.map((f) => f.name)).toEqual(['name', 'shop_domain', 'webhook_secret']);
    expect(shopify.fields[1]).toMatchObject({ label: 'Shop domain', required: true, secret: false, example: 'acme.myshopify.com' });
    expect(shopify.fields[2]).toMatchObject({ label: 'Webhook signing secret', required: true, secret: true });
    expect(shopify.webhook).toMatchObject({ paths: ['/webhooks/shopify/{id}'], published: '/webhooks/shopify/{id}' });

    const twilio = byId.get('twilio')!;
    expect(twilio).toMatchObject({ kind: 'channel', channel: 'sms', rate_limit_per_second: 10, connect: { path: '/v1/channel-accounts', fixed: { channel: 'sms', provider: 'twilio' } } });
    expect(twilio.webhook?.paths).toEqual(['/webhooks/twilio/{id}', '/webhooks/sms/{id}']);
    expect(twilio.webhook?.signature).toMatch(/X-Twilio-Signature/);
    expect(twilio.fields.find((f) => f.name === 'owner')).toMatchObject({ type: 'enum', required: false, options: ['merchant', 'platform'] });

    const smtp = byId.get('smtp')!;
    expect(smtp.fields.find((f) => f.name === 'port')).toMatchObject({ type: 'number', required: true });
    expect(smtp.fields.find((f) => f.name === 'security')).toMatchObject({ type: 'enum', options: ['tls', 'starttls', 'none'] });
    expect(byId.get('91app')!.webhook).toBeNull();
    expect(byId.get('empikplace')).toMatchObject({ kind: 'marketplace', connect: { path: '/v1/store-connections', fixed: { platform: 'empikplace' } } });
  });

  it('lets agents read the providers too', async () => {
    await t.hub.users.create(m.workspaceId, { email: 'agent@providers.example', role: 'agent', password: 'agent password 1' });
    const signIn = await t.hub.http!.inject({ method: 'POST', url: '/v1/session', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'agent@providers.example', password: 'agent password 1' }) });
    expect(signIn.statusCode).toBe(200);
    const cookies = ([] as string[]).concat(signIn.headers['set-cookie'] as string[]).map((c) => c.split(';')[0]!);
    const cookie = cookies.filter((c) => !c.startsWith('shoptalk_device=')).join('; ');
    const res = await t.hub.http!.inject({ method: 'GET', url: '/v1/providers', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect((JSON.parse(res.body) as { data: unknown[] }).data.length).toBe(13);
    // Connecting stays an admin's business.
    const refused = await t.hub.http!.inject({ method: 'GET', url: '/v1/channel-accounts', headers: { cookie } });
    expect(refused.statusCode).toBe(403);
  });

  it('reaches the webhook handler on the id-named path and on the old name alike', async () => {
    const accountSid = `AC${randomBytes(16).toString('hex')}`;
    const authToken = randomBytes(16).toString('hex');
    const from = '+15005550007';
    t.twilio.addAccount({ accountSid, authToken, numbers: [from] });
    const created = await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', m.key, { channel: 'sms', provider: 'twilio', account_sid: accountSid, auth_token: authToken, from });
    expect(created.status).toBe(201);
    // The URL handed out keeps its old name.
    expect(created.body.webhook_url).toMatch(/\/webhooks\/sms\/ca_/);
    const post = (path: string) =>
      fetch(`${t.hub.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' }, body: 'MessageSid=SM1&From=%2B15550001111&Body=hi' });
    for (const segment of ['twilio', 'sms']) {
      // The handler ran: it found the account and refused the signature (an unknown route would be a plain 404).
      const res = await post(`/webhooks/${segment}/${created.body.id}`);
      expect(res.status, segment).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code, segment).toBe('invalid_signature');
    }
    // A path of another provider does not serve this account.
    const other = await post(`/webhooks/smtp/${created.body.id}`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { message: string } }).error.message).toMatch(/^channel account .* was not found$/);
    // The same for a store platform and for the Meta and e-mail aliases: the handler answers, not the router.
    for (const path of ['/webhooks/email/ca_missing', '/webhooks/smtp/ca_missing', '/webhooks/messenger/ca_missing', '/webhooks/meta-messenger/ca_missing', '/webhooks/shopify/sc_missing']) {
      const res = await fetch(`${t.hub.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { message: string } }).error.message, path).toMatch(/^(channel account|store connection) .* was not found$/);
    }
    const unknown = await fetch(`${t.hub.url}/webhooks/nowhere/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe('no route POST /webhooks/nowhere/x');
  });
});
