// The push API of seed 001, with its request bodies exactly as written (only the PSID filled in).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';

const receiptBody = (psid: string) =>
  JSON.parse(
    `{"request": {"method": "send_template","id": "test_1523959671_Od7vuGcb","page_id": "1487925408000967","template_name": "Order Receipt Push"},"recipient": {"id": "${psid}"},"params": {"receipt": {"recipient_name": "John Doe","order_number": "U5555","currency": "USD","payment_method": "Visa 2345","order_url": "https://storage.googleapis.com/assets.bothub.ai/bothub/templates/classic_white_shirt.jpg","timestamp": 1523619550,"address": {"street_1": "UNICEF 125 Maiden Lane","street_2": "11th Floor","city": "New York","postal_code": "10038","state": "NY","country": "US"},"summary": {"subtotal": 138.4,"shipping_cost": 0,"total_tax": 0,"total_cost": 138.4},"adjustments": [],"elements": [{"title": "Classic White Shirts","subtitle": "100% Soft and Luxurious Cotton","quantity": 2,"price": 11.99,"currency": "USD","image_url": "https://storage.googleapis.com/assets.bothub.ai/bothub/templates/classic_white_shirt.jpg"},{"title": "Floral Belted Romper","subtitle": "Casual romper featuring striped pattern","quantity": 2,"price": 13.89,"currency": "USD","image_url": "https://storage.googleapis.com/assets.bothub.ai/bothub/templates/floral_belted_romper.jpg"}]}}}`,
  ) as Record<string, unknown>;

const shippingBody = (psid: string) =>
  JSON.parse(
    `{"request": {"method": "send_template","id": "test_1523960374_wERGZIon","page_id": "176029956384795","template_name": "Shipping Status Update Push"},"recipient": {"id": "${psid}"},"params": {"package_number": "zvfVUREPVPUQ1oMl","package_status_description": "Status: enroute by UPS \\n Exp. Delivery: 03, Jan, 2018","image_url": "https://unsplash.it/120/120/?random","detailed_tracking_url": "http://shop.bothub.ai","fb_first_name": "Peter","package_status": "shipped"}}`,
  ) as Record<string, unknown>;

describe('push API (seed 001)', () => {
  let t: TestHub;
  let key: string;
  const psid = '1602407863220595';

  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    const ws = await t.hub.workspaces.createWorkspace('Bothub merchant');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    for (const pageId of ['1487925408000967', '176029956384795']) {
      const page = { pageId, name: `Page ${pageId}`, pageAccessToken: `EAAP${randomBytes(12).toString('hex')}`, appSecret: randomBytes(12).toString('hex') };
      t.messenger.addPage(page);
      const account = await t.api<{ webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'messenger', provider: 'meta-messenger', page_id: pageId, page_access_token: page.pageAccessToken, app_secret: page.appSecret });
      expect(account.status).toBe(201);
      t.messenger.addPage({ ...page, webhookUrl: account.body.webhook_url });
      // The customer wrote to the page first: only then is the PSID known to it.
      await t.messenger.emitInbound({ pageId, psid, text: 'hello' });
    }
    await waitFor(async () => (await t.api<{ data: Array<{ direction: string }> }>('GET', '/v1/messages', key)).body.data.filter((m) => m.direction === 'inbound').length === 2, { what: 'inbound messages' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends an Order Receipt Push as a tagged receipt, once per request id', async () => {
    const first = await t.api('POST', '/v1/push', key, receiptBody(psid));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ request_id: 'test_1523959671_Od7vuGcb', recipient_id: psid });
    const again = await t.api('POST', '/v1/push', key, receiptBody(psid));
    expect(again.body).toEqual({ request_id: 'test_1523959671_Od7vuGcb', recipient_id: psid });
    const sent = t.messenger.messages(psid).filter((m) => m.kind === 'receipt');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ messagingType: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE' });
  });

  it('sends a Shipping Status Update Push', async () => {
    const res = await t.api('POST', '/v1/push', key, shippingBody(psid));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ request_id: 'test_1523960374_wERGZIon', recipient_id: psid });
    // The welcome reply to the customer's first message is a button template; the push is the generic one.
    const sent = t.messenger.messages(psid).filter((m) => m.kind === 'template' && m.templateType === 'generic');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ messagingType: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE' });
  });

  it('answers seed 001’s error body for a recipient that never wrote to the page', async () => {
    const reused = await t.api<{ error: { code: string } }>('POST', '/v1/push', key, receiptBody('9999999999999999'));
    expect(reused.status).toBe(409);
    const body = receiptBody('9999999999999999');
    (body['request'] as Record<string, unknown>)['id'] = 'test_1r6523960126_YKanxh4G';
    const res = await t.api('POST', '/v1/push', key, body);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 10010, error_subcode: 0, type: '', message: 'Recipient not found', request_id: 'test_1r6523960126_YKanxh4G' } });
  });

  it('names the bad parameter', async () => {
    const body = receiptBody(psid);
    const params = body['params'] as { receipt: Record<string, unknown> };
    delete params.receipt['currency'];
    (body['request'] as Record<string, unknown>)['id'] = 'test_bad_1';
    const res = await t.api<{ error: { code: string; message: string } }>('POST', '/v1/push', key, body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^params\.receipt\.currency:/);
    const unknownPage = receiptBody(psid);
    (unknownPage['request'] as Record<string, unknown>)['page_id'] = '1111111111';
    const page = await t.api<{ error: { message: string } }>('POST', '/v1/push', key, unknownPage);
    expect(page.status).toBe(400);
    expect(page.body.error.message).toMatch(/^request\.page_id:/);
  });
});
