// A SHOPLINE store and a Gupshup WhatsApp account, connected and verified through the API, carry an order
// from a signed SHOPLINE webhook to one Gupshup template message with its delivery status.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';

describe('SHOPLINE → Gupshup WhatsApp', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('connects both with verification, then sends one message per order, deduplicated by X-Shopline-Webhook-Id', async () => {
    const ws = await t.hub.workspaces.createWorkspace('Shopline merchant');
    const { key } = await t.hub.workspaces.createApiKey(ws.id, 'tests');
    const handle = `store${randomBytes(3).toString('hex')}`;
    const accessToken = `slt_${randomBytes(16).toString('hex')}`;
    const appSecret = randomBytes(16).toString('hex');
    t.shopline.addStore({ handle, accessToken, appSecret });

    const refused = await t.api<{ error: { code: string; message: string } }>('POST', '/v1/store-connections', key, { platform: 'shopline', handle, access_token: 'slt_wrong_token_000', app_secret: appSecret });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('SHOPLINE refused the credentials');

    const connection = await t.api<{ id: string; webhook_url: string; status: string }>('POST', '/v1/store-connections', key, { platform: 'shopline', handle, access_token: accessToken, app_secret: appSecret });
    expect(connection.status).toBe(201);
    expect(connection.body.status).toBe('verified');
    expect(connection.body.webhook_url).toMatch(/\/webhooks\/shopline\/sc_/);
    t.shopline.addStore({ handle, accessToken, appSecret, subscriptions: [{ topic: 'orders/create', address: connection.body.webhook_url }] });

    const appName = `app${randomBytes(3).toString('hex')}`;
    const apiKey = `gs_${randomBytes(16).toString('hex')}`;
    t.gupshup.addApp({ appName, apiKey, sourceNumber: '919900112233' });
    const badKey = await t.api<{ error: { message: string } }>('POST', '/v1/channel-accounts', key, { channel: 'whatsapp', provider: 'gupshup', app_name: appName, source_number: '+919900112233', api_key: 'gs_wrong_key_0000' });
    expect(badKey.status).toBe(422);
    expect(badKey.body.error.message).toContain('Gupshup refused the credentials');
    const account = await t.api<{ id: string; callback_url: string; webhook_url: string; secrets: Record<string, string> }>('POST', '/v1/channel-accounts', key, {
      channel: 'whatsapp',
      provider: 'gupshup',
      app_name: appName,
      source_number: '+919900112233',
      api_key: apiKey,
    });
    expect(account.status).toBe(201);
    expect(account.body.callback_url).toMatch(/\/webhooks\/gupshup\/ca_.*\?token=/);
    expect(JSON.stringify(account.body.secrets)).not.toContain(apiKey);
    t.gupshup.setCallbackUrl(appName, account.body.callback_url);

    // The callback token is what authenticates Gupshup's unsigned callbacks.
    const forged = await fetch(account.body.webhook_url + '?token=wrong', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(forged.status).toBe(401);

    const enabled = await t.api<{ enabled: boolean; template: { id: string } }>('PUT', '/v1/notification-settings/order.placed/whatsapp', key, { enabled: true, template: { name: 'order_placed' } });
    expect(enabled.status).toBe(200);
    expect(enabled.body.template.id).toBeTruthy();

    const { order, deliveries } = await t.shopline.placeOrder(handle, { phone: '+91 98765 43210' });
    expect(deliveries[0]!.attempts.at(-1)!.status).toBe(200);
    const sent = await waitFor(() => t.gupshup.messages('919876543210')[0], { what: 'Gupshup message' });
    expect(sent.renderedText).toContain(String(order.name));

    const delivered = await waitFor(async () => {
      const res = await t.api<{ data: Array<{ status: string; channel_account_id: string }> }>('GET', '/v1/messages', key);
      return res.body.data.find((m) => m.status === 'delivered');
    }, { what: 'delivered status from the Gupshup callback' });
    expect(delivered.channel_account_id).toBe(account.body.id);

    await t.shopline.redeliver(deliveries[0]!.webhookId);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.gupshup.messages('919876543210')).toHaveLength(1);
  });
});
