// NUL characters cannot be stored in PostgreSQL text. API input carrying one is refused with a 400 naming the
// field; a signed webhook carrying one is verified on its raw bytes and then stored and processed without it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubVariant, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { postgresAvailable, waitFor } from './support/services.js';
import { signGenericBody } from '../src/adapters/stores/generic/index.js';

const variants: Array<HubVariant & { enabled: boolean }> = [
  { name: 'SQLite', db: 'sqlite', redis: false, enabled: true },
  { name: 'PostgreSQL', db: 'postgres', redis: false, enabled: postgresAvailable },
];

interface ErrorBody {
  error: { code: string; message: string; details: { fields?: Array<{ field: string; in?: string }> } | null };
}

for (const variant of variants) {
  describe.skipIf(!variant.enabled)(`NUL characters (${variant.name})`, () => {
    let t: TestHub;
    beforeAll(async () => {
      t = await startTestHub(variant);
    });
    afterAll(async () => {
      await t?.close();
    });

    const call = async (method: string, url: string, key: string, payload?: string) => {
      const res = await t.hub.http!.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${key}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
        payload,
      });
      return { status: res.statusCode, body: (res.body ? JSON.parse(res.body) : null) as ErrorBody };
    };

    it('a signed Shopify order with a NUL in its note and name produces exactly one message', async () => {
      const m = await setUpMerchant(t);
      const { deliveries } = await t.shopify.placeOrder(m.shop, {
        phone: '+1 555 010 4242',
        note: 'leave at the door\u0000 please',
        customer: { first_name: 'Nul\u0000', last_name: 'Tester' },
      });
      expect(deliveries[0]!.attempts[0]!.status).toBe(200);
      const sent = await waitFor(() => t.wa.messages('15550104242')[0], { what: 'message at the simulator' });
      expect(sent.templateName).toBe('order_placed');
      const messages = await waitFor(async () => {
        const res = await t.api<{ data: Array<{ status: string }> }>('GET', '/v1/messages', m.key);
        return res.body.data.length > 0 && res.body.data.every((x) => x.status !== 'queued' && x.status !== 'sending') ? res.body.data : null;
      });
      expect(messages).toHaveLength(1);
      expect(t.wa.messages('15550104242')).toHaveLength(1);
      const dead = await t.api<{ data: unknown[] }>('GET', '/v1/jobs/dead', m.key);
      expect(dead.body.data).toEqual([]);
    });

    it('signed channel and generic webhooks with NULs are stored without them and processed: WhatsApp, Twilio SMS, generic events', async () => {
      const m = await setUpMerchant(t, { enable: false });
      // WhatsApp (JSON, "\u0000" escapes): the inbound message is recorded, its text without the NUL.
      await t.wa.emitInbound({ phoneNumberId: m.phoneNumberId, from: '15550107070', text: 'hello\u0000 there', profileName: 'Nul\u0000 Name' });
      const inbound = await waitFor(async () => {
        const rows = await t.hub.storage.db.selectFrom('messages').select(['content', 'channel']).where('workspace_id', '=', m.workspaceId).where('direction', '=', 'inbound').execute();
        return rows.find((r) => r.channel === 'whatsapp');
      }, { what: 'the inbound WhatsApp message' });
      expect(inbound.content).toContain('hello there');

      // Twilio (form-encoded, %00).
      const accountSid = `AC${'0'.repeat(24)}${Math.floor(Math.random() * 1e8).toString(16).padStart(8, '0')}`;
      const authToken = 'f'.repeat(32);
      const from = `+1500555${String(Math.floor(Math.random() * 10000)).padStart(4, '0')}`;
      t.twilio.addAccount({ accountSid, authToken, numbers: [from] });
      const sms = await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', m.key, { channel: 'sms', provider: 'twilio', account_sid: accountSid, auth_token: authToken, from });
      expect(sms.status).toBe(201);
      t.twilio.setSmsUrl(from, sms.body.webhook_url);
      const delivered = await t.twilio.emitInbound({ from: '+48601230000', to: from, body: 'STOP\u0000' });
      expect(delivered.status).toBe(200);
      await waitFor(async () => (await t.hub.uow.repos.optOuts.has(m.workspaceId, 'sms', '48601230000')) || null, { what: 'the SMS opt-out' });

      // The generic source (signed JSON with a NUL in a string).
      const generic = await t.api<{ id: string; signing_secret: string }>('POST', '/v1/store-connections', m.key, { platform: 'generic', name: 'ERP' });
      const body = JSON.stringify({ type: 'order.placed', idempotency_key: 'nul-1', order: { id: 'N1', name: '#N1\u0000', email: 'nul@example.com', total_amount: '1.00', currency: 'USD' } });
      const res = await t.hub.http!.inject({ method: 'POST', url: `/webhooks/generic/${generic.body.id}`, headers: { 'content-type': 'application/json', 'shoptalk-signature': signGenericBody(generic.body.signing_secret, body) }, payload: body });
      expect(res.statusCode).toBe(200);
      const order = await waitFor(async () => (await t.api<{ data: Array<{ name: string }> }>('GET', '/v1/orders', m.key)).body.data.find((o) => o.name.startsWith('#N1')), { what: 'the generic order' });
      expect(order.name).toBe('#N1');

      // Stored as received minus the NULs, on both databases.
      const stored = await t.hub.storage.db.selectFrom('inbound_webhooks').select(['body', 'status']).where('workspace_id', '=', m.workspaceId).execute();
      expect(stored.length).toBeGreaterThanOrEqual(3);
      for (const w of stored) {
        expect(w.body).not.toContain('\u0000');
        expect(w.body).not.toContain('\\u0000');
        expect(w.body).not.toContain('%00');
      }
      const dead = await t.api<{ data: unknown[] }>('GET', '/v1/jobs/dead', m.key);
      expect(dead.body.data).toEqual([]);
    });

    it('API input with a NUL gets a 400 naming the field: body, nested body, query and path', async () => {
      const m = await setUpMerchant(t, { enable: false });
      const body = await call('POST', '/v1/customers', m.key, JSON.stringify({ name: 'Ana\u0000' }));
      expect(body.status).toBe(400);
      expect(body.body.error.code).toBe('validation_failed');
      expect(body.body.error.details?.fields?.[0]).toMatchObject({ field: 'name', in: 'body' });

      const nested = await call('POST', '/v1/customers', m.key, JSON.stringify({ identities: [{ kind: 'email', value: 'a\u0000@example.com' }] }));
      expect(nested.status).toBe(400);
      expect(nested.body.error.details?.fields?.[0]).toMatchObject({ field: 'identities.0.value', in: 'body' });

      const key = await call('POST', '/v1/customers', m.key, JSON.stringify({ ['x\u0000']: 1 }));
      expect(key.status).toBe(400);

      const query = await call('GET', '/v1/customers?query=%00', m.key);
      expect(query.status).toBe(400);
      expect(query.body.error.details?.fields?.[0]).toMatchObject({ field: 'query', in: 'querystring' });

      const path = await call('GET', '/v1/customers/cus_%00', m.key);
      expect(path.status).toBe(400);
      expect(path.body.error.details?.fields?.[0]).toMatchObject({ field: 'id', in: 'params' });
      expect(path.body.error.message).toContain('id');

      const patch = await call('PUT', '/v1/notification-settings/order.placed%00/whatsapp', m.key, JSON.stringify({ enabled: true }));
      expect(patch.status).toBe(400);

      const surrogate = await call('POST', '/v1/customers', m.key, '{"name": "\\ud800x"}');
      expect(surrogate.status).toBe(400);
      expect(surrogate.body.error.details?.fields?.[0]).toMatchObject({ field: 'name' });
    });

    it('webhook routes with a NUL in the path answer 4xx', async () => {
      for (const path of ['/webhooks/shopify/%00', '/webhooks/whatsapp/x%00', '/webhooks/sms/%00', '/unsubscribe/%00']) {
        const res = await t.hub.http!.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: '{}' });
        expect(res.statusCode, path).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, path).toBeLessThan(500);
      }
    });
  });
}
