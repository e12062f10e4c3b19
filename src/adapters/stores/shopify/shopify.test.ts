// Shopify adapter + simulator over real HTTP: the simulator delivers to a local receiver, the adapter
// verifies and parses what arrived.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RawWebhook } from '../../../core/channels/ports.js';
import type { StoreConnectionCredentials } from '../../../core/stores/ports.js';
import { ShopifyAdapter, parseJsonKeepingLongIntegers, sumDecimals } from './index.js';
import { ShopifySimulator, SHOPIFY_RETRY_DELAYS_MS, signShopifyBody } from './simulator.js';
import { RawWebhookReceiver } from '../../../../test/support/receiver.js';

const SHOP = 'acme.myshopify.com';
const SECRET = 'shpss_test_secret_123';
const connection: StoreConnectionCredentials = { settings: { shopDomain: SHOP }, secrets: { webhookSecret: SECRET } };
const adapter = new ShopifyAdapter();

const waitFor = async (cond: () => boolean, ms = 5_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const topics = ['orders/create', 'orders/paid', 'orders/cancelled', 'orders/fulfilled', 'fulfillments/create', 'fulfillments/update', 'refunds/create', 'orders/updated', 'app/uninstalled'];

describe('Shopify adapter with the simulator', () => {
  const sim = new ShopifySimulator({ retryScale: 0.001, timeoutMs: 1_000 });
  const receiver = new RawWebhookReceiver('/webhooks/shopify');

  beforeAll(() => receiver.listen());

  beforeEach(() => {
    sim.reset();
    receiver.clear();
    sim.addShop({ domain: SHOP, webhookSecret: SECRET, subscriptions: topics.map((topic) => ({ topic, address: receiver.url })) });
  });

  afterEach(() => sim.stop());

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  it('delivers with Shopify headers and a signature the adapter verifies', async () => {
    const { deliveries } = await sim.placeOrder(SHOP);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.state).toBe('delivered');
    const webhook = receiver.received[0]!;
    expect(webhook.headers['x-shopify-topic']).toBe('orders/create');
    expect(webhook.headers['x-shopify-shop-domain']).toBe(SHOP);
    expect(webhook.headers['x-shopify-api-version']).toBe('2025-07');
    expect(webhook.headers['x-shopify-webhook-id']).toBe(deliveries[0]!.webhookId);
    expect(webhook.headers['x-shopify-event-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(webhook.headers['x-shopify-triggered-at']!))).toBe(false);

    expect(adapter.verifyWebhook(connection, webhook)).toBe(true);
    expect(adapter.deliveryId(webhook)).toBe(deliveries[0]!.webhookId);
    // Shop domain compare is case-insensitive.
    expect(adapter.verifyWebhook({ ...connection, settings: { shopDomain: 'ACME.myshopify.com' } }, webhook)).toBe(true);

    const tampered = Buffer.from(webhook.body.toString('utf8').replace('"#1001"', '"#1002"'));
    expect(tampered.equals(webhook.body)).toBe(false);
    expect(adapter.verifyWebhook(connection, { ...webhook, body: tampered })).toBe(false);
    expect(adapter.verifyWebhook({ ...connection, secrets: { webhookSecret: 'other-secret' } }, webhook)).toBe(false);
    expect(adapter.verifyWebhook({ ...connection, secrets: {} }, webhook)).toBe(false);
    expect(adapter.verifyWebhook({ ...connection, settings: { shopDomain: 'other.myshopify.com' } }, webhook)).toBe(false);
    expect(adapter.verifyWebhook(connection, { ...webhook, headers: { ...webhook.headers, 'x-shopify-shop-domain': 'evil.myshopify.com' } })).toBe(false);
    expect(adapter.verifyWebhook(connection, { ...webhook, headers: { ...webhook.headers, 'x-shopify-hmac-sha256': undefined } })).toBe(false);
    expect(adapter.verifyWebhook(connection, { ...webhook, headers: { ...webhook.headers, 'x-shopify-hmac-sha256': 'not base64!' } })).toBe(false);
    // Hex of the right HMAC is not Shopify's encoding.
    const hex = Buffer.from(webhook.headers['x-shopify-hmac-sha256']!, 'base64').toString('hex');
    expect(adapter.verifyWebhook(connection, { ...webhook, headers: { ...webhook.headers, 'x-shopify-hmac-sha256': hex } })).toBe(false);
    // The previous secret still verifies during a rotation.
    expect(adapter.verifyWebhook({ ...connection, secrets: { webhookSecret: 'new-secret', previousWebhookSecret: SECRET } }, webhook)).toBe(true);
  });

  it('sends a deliberately bad signature on request', async () => {
    await sim.sendWebhook(SHOP, 'orders/paid', { id: 1 }, { badSignature: true });
    expect(adapter.verifyWebhook(connection, receiver.received[0]!)).toBe(false);
    await sim.sendWebhook(SHOP, 'orders/paid', { id: 1 }, { signWith: 'wrong' });
    expect(adapter.verifyWebhook(connection, receiver.received[1]!)).toBe(false);
  });

  it('maps orders/create to one order.placed with the snapshot', async () => {
    const { order } = await sim.placeOrder(SHOP, { tags: 'vip, wholesale', note: 'Leave at door' });
    const parsed = adapter.parseWebhook(receiver.received[0]!);
    expect(parsed.topic).toBe('orders/create');
    expect(parsed.deliveryId).toBe(receiver.received[0]!.headers['x-shopify-webhook-id']);
    expect(parsed.events).toHaveLength(1);
    const event = parsed.events[0]!;
    expect(event.type).toBe('order.placed');
    expect(event.idempotencyKey).toBe(`shopify:${SHOP}:order:${order.id}:order.placed`);
    expect(event.occurredAt).toBe(Date.parse(receiver.received[0]!.headers['x-shopify-triggered-at']!));
    expect(event.data).toMatchObject({ orderNumber: 1001, tags: ['vip', 'wholesale'], note: 'Leave at door' });
    const snap = event.order!;
    expect(snap).toMatchObject({
      externalId: String(order.id),
      name: '#1001',
      customerExternalId: String(order.customer!.id),
      customerName: 'Avery Chen',
      email: 'avery.chen@example.com',
      phone: '+1 555-010-1234',
      total: { amount: order.total_price, currency: 'USD' },
      financialStatus: 'paid',
      fulfillmentStatus: null,
      paymentMethod: 'shopify_payments',
      statusUrl: order.order_status_url,
      createdAt: order.created_at,
    });
    expect(order.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(snap.shippingAddress).toMatchObject({ name: 'Avery Chen', city: 'Portland', state: 'OR', postalCode: '97205', country: 'US', phone: '+1 555-010-1234' });
    expect(snap.lines).toEqual(order.line_items.map((li) => ({ sku: li.sku, title: li.title, quantity: li.quantity, price: li.price })));
    // 25.00 + 2 × 48.00 + 5.00 shipping.
    expect(order.total_price).toBe('126.00');

    const second = await sim.placeOrder(SHOP, { id: 4242, customer: { id: 77 } });
    expect(second.order.name).toBe('#1002');
    const secondSnap = adapter.parseWebhook(receiver.received[1]!).events[0]!.order!;
    expect(secondSnap).toMatchObject({ externalId: '4242', customerExternalId: '77', phone: '0912-345-678' });
    expect(second.order.admin_graphql_api_id).toBe('gid://shopify/Order/4242');
  });

  it('falls back through the phone and name sources as documented', async () => {
    await sim.placeOrder(SHOP, {
      phone: null,
      customer: { phone: null, first_name: null, last_name: null },
      shipping_address: { phone: '0912-000-111', name: 'Ship To Name' },
    });
    const snap = adapter.parseWebhook(receiver.received[0]!).events[0]!.order!;
    expect(snap.phone).toBe('0912-000-111');
    expect(snap.customerName).toBe('Ship To Name');
  });

  it('keeps the same webhook id and idempotency key on a redelivery, and the same key for a repeated fact', async () => {
    const { deliveries } = await sim.placeOrder(SHOP);
    const again = await sim.redeliver(deliveries[0]!.webhookId);
    expect(again.attempts).toHaveLength(2);
    expect(receiver.received).toHaveLength(2);
    const [a, b] = receiver.received as [RawWebhook, RawWebhook];
    expect(b.body.equals(a.body)).toBe(true);
    expect(b.headers['x-shopify-webhook-id']).toBe(a.headers['x-shopify-webhook-id']);
    expect(adapter.deliveryId(b)).toBe(adapter.deliveryId(a));
    const keyA = adapter.parseWebhook(a).events[0]!.idempotencyKey;
    expect(adapter.parseWebhook(b).events[0]!.idempotencyKey).toBe(keyA);

    // Shopify may also send the same fact as a new delivery: a new webhook id, the same key.
    await sim.sendWebhook(SHOP, 'orders/create', JSON.parse(a.body.toString('utf8')) as unknown);
    const c = receiver.received[2]!;
    expect(c.headers['x-shopify-webhook-id']).not.toBe(a.headers['x-shopify-webhook-id']);
    expect(adapter.parseWebhook(c).events[0]!.idempotencyKey).toBe(keyA);
  });

  it('maps fulfillments/update shipment statuses', async () => {
    const { order } = await sim.placeOrder(SHOP);
    const cases: Array<[string, string | null]> = [
      ['label_printed', 'shipment.updated'],
      ['confirmed', 'shipment.updated'],
      ['in_transit', 'shipment.updated'],
      ['ready_for_pickup', 'shipment.updated'],
      ['out_for_delivery', 'order.out_for_delivery'],
      ['attempted_delivery', 'order.delivery_failed'],
      ['failure', 'order.delivery_failed'],
      ['delivered', 'order.delivered'],
      ['something_new', null],
    ];
    for (const [status, expected] of cases) {
      receiver.received.length = 0;
      const { fulfillment } = await sim.fulfillOrder(SHOP, order.id, status);
      const webhook = receiver.received[0]!;
      expect(webhook.headers['x-shopify-topic']).toBe('fulfillments/update');
      expect(adapter.verifyWebhook(connection, webhook)).toBe(true);
      const events = adapter.parseWebhook(webhook).events;
      if (expected === null) {
        expect(events).toEqual([]);
        continue;
      }
      expect(events).toHaveLength(1);
      expect(events[0]!.type).toBe(expected);
      expect(events[0]!.order).toBeNull();
      expect(events[0]!.idempotencyKey).toBe(`shopify:${SHOP}:fulfillment:${fulfillment.id}:${status}`);
      expect(events[0]!.data).toMatchObject({
        orderExternalId: String(order.id),
        orderId: String(order.id),
        trackingNumber: fulfillment.tracking_number,
        trackingCompany: 'UPS',
        trackingUrl: fulfillment.tracking_url,
        shipmentStatus: status,
      });
    }
    // One fulfillment moved through the statuses.
    expect(sim.order(SHOP, order.id).fulfillments).toHaveLength(1);
  });

  it('maps fulfillments/create and orders/paid|fulfilled|cancelled', async () => {
    const { order } = await sim.placeOrder(SHOP);
    const { fulfillment } = await sim.fulfillOrder(SHOP, order.id, null, { topic: 'fulfillments/create', newFulfillment: true });
    await sim.payOrder(SHOP, order.id);
    await sim.sendWebhook(SHOP, 'orders/fulfilled', sim.order(SHOP, order.id));
    await sim.cancelOrder(SHOP, order.id, 'fraud');
    const [, created, paid, fulfilled, cancelled] = receiver.received.map((w) => adapter.parseWebhook(w).events);
    expect(created![0]).toMatchObject({ type: 'order.shipped', order: null, idempotencyKey: `shopify:${SHOP}:fulfillment:${fulfillment.id}:order.shipped` });
    expect(paid![0]).toMatchObject({ type: 'order.paid', idempotencyKey: `shopify:${SHOP}:order:${order.id}:order.paid` });
    expect(fulfilled![0]).toMatchObject({ type: 'order.shipped', data: { trackingNumber: fulfillment.tracking_number } });
    expect(fulfilled![0]!.order!.fulfillmentStatus).toBe('fulfilled');
    expect(cancelled![0]).toMatchObject({ type: 'order.cancelled', data: { cancelReason: 'fraud' } });
  });

  it('maps refunds/create to order.refunded with the refunded amount', async () => {
    const { order } = await sim.placeOrder(SHOP);
    const { refund } = await sim.refundOrder(SHOP, order.id, { amount: '30.10' });
    const events = adapter.parseWebhook(receiver.received[1]!).events;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'order.refunded',
      order: null,
      idempotencyKey: `shopify:${SHOP}:refund:${refund.id}`,
      data: { refundAmount: '30.10', currency: 'USD', refundId: String(refund.id), orderExternalId: String(order.id) },
    });
    expect(sim.order(SHOP, order.id).financial_status).toBe('partially_refunded');

    // Several refund transactions add up exactly; failed ones and non-refund kinds do not count.
    await sim.sendWebhook(SHOP, 'refunds/create', {
      id: 77,
      order_id: order.id,
      created_at: '2025-07-01T10:00:00-04:00',
      transactions: [
        { kind: 'refund', status: 'success', amount: '10.10', currency: 'EUR' },
        { kind: 'refund', status: 'success', amount: '0.20', currency: 'EUR' },
        { kind: 'refund', status: 'failure', amount: '99.00', currency: 'EUR' },
        { kind: 'sale', status: 'success', amount: '5.00', currency: 'EUR' },
      ],
    });
    const multi = adapter.parseWebhook(receiver.received[2]!).events[0]!;
    expect(multi.data).toMatchObject({ refundAmount: '10.30', currency: 'EUR' });
  });

  it('maps orders/updated and unknown topics to no events', async () => {
    await sim.sendWebhook(SHOP, 'orders/updated', { id: 5, name: '#1005' });
    await sim.sendWebhook(SHOP, 'app/uninstalled', { id: 9 });
    expect(adapter.parseWebhook(receiver.received[0]!)).toMatchObject({ topic: 'orders/updated', events: [] });
    expect(adapter.parseWebhook(receiver.received[1]!)).toMatchObject({ topic: 'app/uninstalled', events: [] });
  });

  it('retries a failing receiver with the same webhook id and bytes', async () => {
    receiver.respond = (n) => (n < 2 ? 500 : 200);
    const [delivery] = await sim.sendWebhook(SHOP, 'orders/paid', { id: 42, name: '#1042' });
    expect(delivery!.attempts).toHaveLength(1);
    expect(delivery!.state).toBe('pending');
    expect(delivery!.nextAttemptAt).not.toBeNull();
    await waitFor(() => delivery!.state === 'delivered');
    expect(delivery!.attempts.map((a) => [a.status, a.trigger])).toEqual([
      [500, 'initial'],
      [500, 'retry'],
      [200, 'retry'],
    ]);
    expect(receiver.received).toHaveLength(3);
    const ids = new Set(receiver.received.map((w) => w.headers['x-shopify-webhook-id']));
    expect(ids.size).toBe(1);
    expect(receiver.received.every((w) => w.body.equals(receiver.received[0]!.body))).toBe(true);
    expect(receiver.received.every((w) => adapter.verifyWebhook(connection, w))).toBe(true);
    // Exponential: the second wait is twice the first.
    const [a1, a2, a3] = delivery!.attempts.map((a) => a.at) as [number, number, number];
    expect(a2 - a1).toBeGreaterThanOrEqual(SHOPIFY_RETRY_DELAYS_MS[0]! * 0.001 - 5);
    expect(a3 - a2).toBeGreaterThanOrEqual(SHOPIFY_RETRY_DELAYS_MS[1]! * 0.001 - 5);
    expect(sim.deliveries({ topic: 'orders/paid' })).toEqual([delivery]);
  });

  it('gives up after 8 retries (9 attempts)', async () => {
    receiver.respond = () => 503;
    const fast = new ShopifySimulator({ retryScale: 0.00005 });
    try {
      fast.addShop({ domain: SHOP, webhookSecret: SECRET, subscriptions: [{ topic: 'orders/paid', address: receiver.url }] });
      const [delivery] = await fast.sendWebhook(SHOP, 'orders/paid', { id: 1 });
      await waitFor(() => delivery!.state === 'failed');
      expect(delivery!.attempts).toHaveLength(9);
      expect(SHOPIFY_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0) / 3_600_000).toBeCloseTo(4, 0);
    } finally {
      await fast.close();
    }
  });

  it('counts no answer within the timeout as a failure, and stop() cancels pending retries', async () => {
    receiver.respond = () => 'hang';
    const slow = new ShopifySimulator({ retryScale: 1, timeoutMs: 200 });
    try {
      slow.addShop({ domain: SHOP, webhookSecret: SECRET, subscriptions: [{ topic: 'orders/paid', address: receiver.url }] });
      const [delivery] = await slow.sendWebhook(SHOP, 'orders/paid', { id: 1 });
      expect(delivery!.attempts[0]).toMatchObject({ status: null });
      expect(delivery!.attempts[0]!.error).toContain('200 ms');
      expect(delivery!.state).toBe('pending');
      slow.stop();
      expect(delivery!.state).toBe('cancelled');
      expect(delivery!.nextAttemptAt).toBeNull();
    } finally {
      await slow.close();
    }
  });

  it('records a refused connection as an attempt without status', async () => {
    const [delivery] = await sim.sendWebhook(SHOP, 'orders/paid', { id: 1 }, { address: 'http://127.0.0.1:1/hook' });
    expect(delivery!.attempts[0]!.status).toBeNull();
    expect(delivery!.attempts[0]!.error).toBeTruthy();
  });

  it('throws a clear error for a body that is not a JSON object', () => {
    const headers = { 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': SHOP };
    expect(() => adapter.parseWebhook({ body: Buffer.from('<html>oops'), headers, query: {} })).toThrow(/Shopify webhook body .*not valid JSON/);
    expect(() => adapter.parseWebhook({ body: Buffer.from('[1,2]'), headers, query: {} })).toThrow(/not a JSON object/);
    expect(() => adapter.parseWebhook({ body: Buffer.from('"x"'), headers, query: {} })).toThrow(/not a JSON object/);
  });

  it('keeps int64 ids exact', () => {
    const body = Buffer.from(
      '{"id":820982911946154508,"name":"#9999","email":"x@example.com","total_price":"1.50","currency":"USD","note":"id 1234567890123456789 in text","line_items":[{"id":466157049,"title":"T","quantity":1,"price":"1.50","sku":null}],"total_weight":1.2345678901234567e3}',
    );
    const parsed = adapter.parseWebhook({ body, headers: { 'x-shopify-topic': 'orders/create', 'x-shopify-shop-domain': SHOP }, query: {} });
    const event = parsed.events[0]!;
    expect(event.order!.externalId).toBe('820982911946154508');
    expect(event.data['note']).toBe('id 1234567890123456789 in text');
    expect(parsed.deliveryId).toMatch(/^sha256:/);
    expect(parseJsonKeepingLongIntegers('{"a":[-12345678901234567,1.5,"\\"1234567890123456789"]}')).toEqual({ a: ['-12345678901234567', 1.5, '"1234567890123456789'] });
  });

  it('adds money strings exactly', () => {
    expect(sumDecimals(['10.10', '0.2'])).toBe('10.30');
    expect(sumDecimals(['1000', '500'])).toBe('1500');
    expect(sumDecimals([])).toBe('0.00');
  });

  it('signs deliveries for load generators without sending', () => {
    const { body, headers } = sim.signedDelivery(SHOP, 'orders/create', { id: 1, name: '#1001' });
    expect(receiver.received).toHaveLength(0);
    expect(adapter.verifyWebhook(connection, { body: Buffer.from(body), headers, query: {} })).toBe(true);
    expect(headers['x-shopify-webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('drives everything through the control API', async () => {
    const control = new ShopifySimulator({ retryScale: 0.001 });
    const base = await control.listen();
    const post = async (path: string, body: unknown): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, json: await res.json() };
    };
    try {
      const shop = await post('/_sim/shops', { domain: SHOP, webhookSecret: SECRET, subscriptions: [{ topic: 'orders/create', address: receiver.url }] });
      expect(shop.status).toBe(201);
      expect(JSON.stringify(shop.json)).not.toContain(SECRET);
      const placed = await post('/_sim/orders', { shop: SHOP, order: { email: 'buyer@example.com' } });
      expect(placed.status).toBe(201);
      const { order, deliveries } = placed.json as { order: { id: number; email: string }; deliveries: Array<{ webhookId: string; state: string }> };
      expect(order.email).toBe('buyer@example.com');
      expect(deliveries[0]!.state).toBe('delivered');
      const redelivered = await post(`/_sim/deliveries/${deliveries[0]!.webhookId}/redeliver`, {});
      expect(redelivered.status).toBe(200);
      const list = (await (await fetch(`${base}/_sim/deliveries?shop=${SHOP}`)).json()) as Array<{ webhookId: string; attempts: unknown[] }>;
      expect(list).toHaveLength(1);
      expect(list[0]!.attempts).toHaveLength(2);
      expect(receiver.received.map((w) => w.headers['x-shopify-webhook-id'])).toEqual([deliveries[0]!.webhookId, deliveries[0]!.webhookId]);
      expect((await post('/_sim/orders', { shop: 'nope.myshopify.com' })).status).toBe(404);
      expect((await post('/_sim/webhooks', { shop: SHOP })).status).toBe(400);
      expect((await post('/_sim/deliveries/unknown/redeliver', {})).status).toBe(404);
    } finally {
      await control.close();
    }
  });
});

// A known answer from Shopify's own library tests (Shopify/shopify-app-js,
// packages/apps/shopify-api/lib/webhooks/__tests__/validate.test.ts): API secret "test_secret_key", raw body
// '{"foo": "bar"}', X-Shopify-Hmac-Sha256 "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=" (base64 HMAC-SHA256).
describe('X-Shopify-Hmac-Sha256 known-answer vector', () => {
  const kat: StoreConnectionCredentials = { settings: { shopDomain: 'shop1.myshopify.io' }, secrets: { webhookSecret: 'test_secret_key' } };
  const body = Buffer.from('{"foo": "bar"}');
  const hook = (hmac: string, raw = body): RawWebhook => ({ body: raw, headers: { 'x-shopify-hmac-sha256': hmac, 'x-shopify-topic': 'products/create' }, query: {} });

  it('the adapter accepts the published signature and refuses any change to it', () => {
    expect(adapter.verifyWebhook(kat, hook('B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g='))).toBe(true);
    expect(adapter.verifyWebhook(kat, hook('B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a8g='))).toBe(false);
    expect(adapter.verifyWebhook(kat, hook('B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=', Buffer.from('{"foo":"bar"}')))).toBe(false);
    expect(adapter.verifyWebhook({ ...kat, secrets: { webhookSecret: 'test_secret_kez' } }, hook('B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g='))).toBe(false);
    // The same digest in hex is not what Shopify sends.
    expect(adapter.verifyWebhook(kat, hook(Buffer.from('B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=', 'base64').toString('hex')))).toBe(false);
  });

  it('the simulator signs with its own code to the same published value', () => {
    expect(signShopifyBody('test_secret_key', '{"foo": "bar"}')).toBe('B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=');
  });
});
