// Sample values per workspace (seed 002's variable catalogue), the preview built from them, and a test send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';

describe('sample values, preview and test send', () => {
  let t: TestHub;
  let m: MerchantSetup;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    m = await setUpMerchant(t, { enable: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the workspace’s own sample values and previews the template with them', async () => {
    const vars = await t.api<{ data: Array<{ key: string; label: string; sample: string }> }>('GET', '/v1/notification-variables', m.key);
    for (const key of ['customer_order_id', 'brand', 'sku', 'gtin', 'ean', 'upc', 'product_title', 'customer_name', 'customer_phone', 'address_lines', 'city', 'state', 'pincode', 'payment_method', 'invoice', 'item_quantity', 'refund_amount']) {
      expect(vars.body.data.map((v) => v.key)).toContain(key);
    }
    const set = await t.api<{ data: Record<string, string> }>('PUT', '/v1/notification-variables/samples', m.key, { values: { customer_name: 'Meera Iyer', customer_order_id: 'KK-1001', order_total: '₹1,299.00' } });
    expect(set.body.data['customer_name']).toBe('Meera Iyer');
    const bad = await t.api<{ error: { message: string } }>('PUT', '/v1/notification-variables/samples', m.key, { values: { shoe_size: '42' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^values\.shoe_size:/);

    const enabled = await t.api<{ preview: string }>('PUT', '/v1/notification-settings/order.placed/whatsapp', m.key, { enabled: true, template: { name: 'order_placed' } });
    expect(enabled.body.preview).toBe('Hi Meera Iyer, thank you for your order KK-1001. Total: ₹1,299.00. We will let you know when it ships.');
  });

  it('sends a test to the number given, records and bills it', async () => {
    const res = await t.api<{ status: string; provider_message_id: string; preview: string; message_id: string }>('POST', '/v1/notification-settings/order.placed/whatsapp/test-send', m.key, { to: '+44 7700 900777' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('sent');
    const got = t.wa.messages('447700900777');
    expect(got).toHaveLength(1);
    expect(got[0]!.renderedText).toBe(res.body.preview);
    const usage = await t.api<{ totals: { messages: number } }>('GET', '/v1/usage', m.key);
    expect(usage.body.totals.messages).toBe(1);

    const badPhone = await t.api<{ error: { message: string } }>('POST', '/v1/notification-settings/order.placed/whatsapp/test-send', m.key, { to: '12345' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error.message).toMatch(/^to:/);
    const noTemplate = await t.api<{ error: { message: string } }>('POST', '/v1/notification-settings/order.shipped/whatsapp/test-send', m.key, { to: '+447700900777' });
    expect(noTemplate.status).toBe(400);

    t.wa.injectFault({ kind: 'invalid_recipient', recipient: '447700900888' });
    t.wa.upsertTemplate(m.wabaId, { name: 'order_placed', language: 'en_US', status: 'PAUSED', category: 'UTILITY', bodyText: 'Hi {{1}}, thank you for your order {{2}}. Total: {{3}}.' });
    const refused = await t.api<{ status: string; reason: string }>('POST', '/v1/notification-settings/order.placed/whatsapp/test-send', m.key, { to: '+447700900888' });
    expect(refused.body.status).toBe('failed');
    expect(refused.body.reason).toBeTruthy();
  });
});
