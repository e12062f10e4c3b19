// The foundation's path, end to end through real HTTP, a real database and queue, and the simulators:
// a signed Shopify orders/create webhook becomes exactly one WhatsApp template message with its statuses
// and activity. Runs on SQLite (SQL jobs) and on PostgreSQL + Redis (BullMQ jobs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub, HubVariant } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { postgresAvailable, redisAvailable, waitFor } from './support/services.js';

interface Msg {
  id: string;
  status: string;
  reason: string | null;
  error_code: string | null;
  recipient: string | null;
  order_id: string | null;
  provider_message_id: string | null;
  template_name: string | null;
  content: { parameters?: Array<{ name: string; value: string }> } | null;
}

const variants: Array<HubVariant & { enabled: boolean }> = [
  { name: 'SQLite, SQL jobs', db: 'sqlite', redis: false, enabled: true },
  { name: 'PostgreSQL, BullMQ on Redis', db: 'postgres', redis: true, enabled: postgresAvailable && redisAvailable },
];

for (const variant of variants) {
  describe.skipIf(!variant.enabled)(`order placed → WhatsApp message (${variant.name})`, () => {
    let t: TestHub;

    beforeAll(async () => {
      t = await startTestHub(variant);
    });
    afterAll(async () => {
      await t?.close();
    });

    const messagesFor = async (key: string, query = '') =>
      (await t.api<{ data: Msg[] }>('GET', `/v1/messages${query}`, key)).body.data;

    it('sends one template message to the buyer in E.164, with variables from the order, and tracks its delivery', async () => {
      const m = await setUpMerchant(t);
      const { order, deliveries } = await t.shopify.placeOrder(m.shop, {
        phone: '+1 (555) 010-7788',
        customer: { first_name: 'Dana', last_name: 'Reyes' },
        total_price: '59.90',
        currency: 'USD',
      });
      expect(deliveries[0]!.attempts[0]!.status).toBe(200);

      const sent = await waitFor(() => t.wa.messages('15550107788')[0], { what: 'message at the simulator' });
      expect(sent.templateName).toBe('order_placed');
      expect(sent.phoneNumberId).toBe(m.phoneNumberId);
      expect(sent.renderedText).toBe(`Hi Dana Reyes, thank you for your order ${order.name}. Total: 59.90 USD. We will let you know when it ships.`);

      const delivered = await waitFor(async () => (await messagesFor(m.key)).find((x) => x.status === 'delivered'), { what: 'delivered status' });
      expect(delivered.recipient).toBe('15550107788');
      expect(delivered.provider_message_id).toBe(sent.id);
      expect(delivered.template_name).toBe('order_placed');

      const activity = await waitFor(async () => {
        const res = await t.api<{ data: Array<{ kind: string; summary: string; data: Record<string, unknown> }> }>('GET', `/v1/orders/${delivered.order_id}/activity`, m.key);
        return res.body.data.some((a) => a.kind === 'notification.delivered') ? res.body.data : null;
      }, { what: 'activity' });
      expect(activity.map((a) => a.kind)).toEqual(['notification.sent', 'notification.delivered']);
      expect(activity[0]!.data).toMatchObject({ channel: 'whatsapp', channelAccountId: m.account.id, template: 'order_placed' });
      // The phone is masked in the summary a merchant reads.
      expect(activity[0]!.summary).not.toContain('15550107788');

      expect(t.wa.messages().filter((x) => x.phoneNumberId === m.phoneNumberId)).toHaveLength(1);
    });

    it('read receipts move the message to read', async () => {
      const m = await setUpMerchant(t);
      t.wa.applySettings({ autoRead: true });
      try {
        await t.shopify.placeOrder(m.shop, { phone: '+44 7700 900456' });
        const read = await waitFor(async () => (await messagesFor(m.key)).find((x) => x.status === 'read'), { what: 'read status' });
        expect(read.recipient).toBe('447700900456');
      } finally {
        t.wa.applySettings({ autoRead: false });
      }
    });

    it('the same delivery again (same X-Shopify-Webhook-Id) sends nothing new', async () => {
      const m = await setUpMerchant(t);
      const { deliveries } = await t.shopify.placeOrder(m.shop, { phone: '+1 555-010-3344' });
      await waitFor(() => t.wa.messages('15550103344').length === 1, { what: 'first message' });
      const again = await t.shopify.redeliver(deliveries[0]!.webhookId);
      expect(again.attempts.at(-1)!.status).toBe(200);
      // A different delivery of the same order (new webhook id, same order id) is the same fact, too.
      await t.shopify.sendWebhook(m.shop, 'orders/create', JSON.parse(deliveries[0]!.body));
      await new Promise((r) => setTimeout(r, 500));
      expect(t.wa.messages('15550103344')).toHaveLength(1);
      expect((await messagesFor(m.key)).filter((x) => x.recipient === '15550103344')).toHaveLength(1);
    });

    it('a bad signature gets 401 and nothing is stored', async () => {
      const m = await setUpMerchant(t);
      const [delivery] = await t.shopify.sendWebhook(m.shop, 'orders/create', { id: 99, name: '#99', phone: '+15550100999' }, { badSignature: true });
      expect(delivery!.attempts[0]!.status).toBe(401);
      t.shopify.stop();
      const rows = await t.db.storage.db.selectFrom('inbound_webhooks').select('id').where('workspace_id', '=', m.workspaceId).execute();
      expect(rows).toHaveLength(0);
      expect(await messagesFor(m.key)).toHaveLength(0);
    });

    it('a disabled notification is recorded as skipped with the reason', async () => {
      const m = await setUpMerchant(t, { enable: false });
      await t.shopify.placeOrder(m.shop, { phone: '+1 555-010-5566' });
      const skipped = await waitFor(async () => (await messagesFor(m.key, '?status=skipped'))[0], { what: 'skipped message' });
      expect(skipped.reason).toBe('the Order placed WhatsApp notification is not enabled');
      const activity = await t.api<{ data: Array<{ kind: string; summary: string }> }>('GET', `/v1/orders/${skipped.order_id}/activity`, m.key);
      expect(activity.body.data).toEqual([expect.objectContaining({ kind: 'notification.skipped', summary: 'Order placed WhatsApp notification skipped: the Order placed WhatsApp notification is not enabled' })]);
      expect(t.wa.messages().filter((x) => x.phoneNumberId === m.phoneNumberId)).toHaveLength(0);
    });

    it('an order without a phone is skipped with the reason', async () => {
      const m = await setUpMerchant(t);
      await t.shopify.placeOrder(m.shop, { phone: null, customer: null, shipping_address: { phone: null }, billing_address: { phone: null } });
      const skipped = await waitFor(async () => (await messagesFor(m.key, '?status=skipped'))[0], { what: 'skipped message' });
      expect(skipped.reason).toBe('the order has no phone number');
    });

    it('an invalid recipient (131026) is recorded as failed with the provider code, not retried', async () => {
      const m = await setUpMerchant(t);
      t.wa.injectFault({ kind: 'invalid_recipient', recipient: '15550109900' });
      await t.shopify.placeOrder(m.shop, { phone: '+1 555-010-9900' });
      const failed = await waitFor(async () => (await messagesFor(m.key, '?status=failed'))[0], { what: 'failed message' });
      expect(failed.error_code).toBe('131026');
      expect(t.wa.messages('15550109900')).toHaveLength(1);
    });

    it('a template the provider no longer approves (132001) fails with the code and is sent once only', async () => {
      const m = await setUpMerchant(t);
      t.wa.upsertTemplate(m.wabaId, { name: 'order_placed', language: 'en_US', status: 'PAUSED', category: 'UTILITY', bodyText: 'Hi {{1}}, thank you for your order {{2}}. Total: {{3}}.' });
      await t.shopify.placeOrder(m.shop, { phone: '+1 555-010-1212' });
      const failed = await waitFor(async () => (await messagesFor(m.key, '?status=failed'))[0], { what: 'failed message' });
      expect(['132001', '132015']).toContain(failed.error_code);
      await new Promise((r) => setTimeout(r, 300));
      const attempts = t.wa.requests(`/v23.0/${m.phoneNumberId}/messages`);
      expect(attempts).toHaveLength(1);
      expect((await messagesFor(m.key)).filter((x) => x.status === 'sent' || x.status === 'queued')).toHaveLength(0);
    });

    it('a 429 with Retry-After is waited out and the message goes once', async () => {
      const m = await setUpMerchant(t);
      t.wa.injectFault({ kind: 'status', status: 429, retryAfter: 1, times: 1, path: `/v23.0/${m.phoneNumberId}/messages` });
      await t.shopify.placeOrder(m.shop, { phone: '+1 555-010-4242' });
      await waitFor(async () => (await messagesFor(m.key)).find((x) => x.status === 'sent' || x.status === 'delivered'), { what: 'sent after 429' });
      expect(t.wa.messages('15550104242')).toHaveLength(1);
    });

    it('a status webhook with a bad X-Hub-Signature-256 gets 401', async () => {
      const m = await setUpMerchant(t);
      const res = await fetch(m.account.webhook_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) },
        body: JSON.stringify({ object: 'whatsapp_business_account', entry: [] }),
      });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe('invalid_signature');
    });

    it('enabling needs a template the provider reports APPROVED', async () => {
      const m = await setUpMerchant(t, { enable: false });
      const pending = await t.api<{ error: { code: string; message: string } }>('PUT', '/v1/notification-settings/order.placed/whatsapp', m.key, { enabled: true, template: { name: 'promo_pending' } });
      expect(pending.status).toBe(422);
      expect(pending.body.error).toMatchObject({ code: 'template_not_approved' });
      expect(pending.body.error.message).toContain('PENDING');
      const missing = await t.api<{ error: { code: string; message: string } }>('PUT', '/v1/notification-settings/order.placed/whatsapp', m.key, { enabled: true, template: { name: 'no_such_template' } });
      expect(missing.status).toBe(422);
      expect(missing.body.error.message).toContain('does not exist');
      const noTemplate = await t.api<{ error: { code: string; message: string } }>('PUT', '/v1/notification-settings/order.placed/whatsapp', m.key, { enabled: true });
      expect(noTemplate.status).toBe(400);
      expect(noTemplate.body.error.message).toMatch(/^template.name:/);

      const settings = await t.api<{ data: Array<{ event_type: string; channel: string; enabled: boolean }> }>('GET', '/v1/notification-settings', m.key);
      expect(settings.body.data.find((s) => s.event_type === 'order.placed')).toMatchObject({ channel: 'whatsapp', enabled: false });
      expect(settings.body.data.every((s) => !s.enabled)).toBe(true);

      const ok = await t.api<{ enabled: boolean; preview: string; template_status: string }>('PUT', '/v1/notification-settings/order.placed/whatsapp', m.key, { enabled: true, template: { name: 'order_placed', language: 'en_US' } });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ enabled: true, template_status: 'APPROVED' });
      expect(ok.body.preview).toBe('Hi Asha Verma, thank you for your order ORD123456. Total: ₹998.00. We will let you know when it ships.');
    });

    it('a WhatsApp account whose token the provider refuses is not saved, with a clear error', async () => {
      const m = await setUpMerchant(t, { enable: false });
      const res = await t.api<{ error: { code: string; message: string; details: { provider_code: string } } }>('POST', '/v1/channel-accounts', m.key, {
        channel: 'whatsapp',
        provider: 'meta',
        phone_number_id: m.phoneNumberId,
        waba_id: m.wabaId,
        access_token: 'EAAG-wrong-token-0000',
        app_secret: m.appSecret,
      });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('provider_rejected_credentials');
      expect(res.body.error.message).toContain('WhatsApp refused the credentials');
      expect(res.body.error.details.provider_code).toBe('190');
      const accounts = await t.api<{ data: unknown[] }>('GET', '/v1/channel-accounts', m.key);
      expect(accounts.body.data).toHaveLength(1);
    });
  });
}
