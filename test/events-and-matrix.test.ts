// Events pushed through POST /v1/events (once per idempotency key) and the support matrix of seed 000/002.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';

describe('events API and support matrix', () => {
  let t: TestHub;
  let m: MerchantSetup;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    m = await setUpMerchant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const orderBody = (key: string | undefined, phone = '+1 555-010-7070') => ({
    store_connection_id: m.connection.id,
    type: 'order.placed',
    ...(key ? { idempotency_key: key } : {}),
    order: { id: 'ext-900', name: 'ORD-900', customer_name: 'Kim Park', phone, total: { amount: '42.00', currency: 'EUR' } },
  });

  it('records a pushed event once per idempotency key and notifies like a webhook would', async () => {
    const first = await t.api<{ id: string; duplicate: boolean; order_id: string }>('POST', '/v1/events', m.key, orderBody('evt-1'));
    expect(first.status).toBe(201);
    expect(first.body.duplicate).toBe(false);
    const again = await t.api<{ duplicate: boolean }>('POST', '/v1/events', m.key, orderBody('evt-1'));
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    const sent = await waitFor(() => t.wa.messages('15550107070')[0], { what: 'message' });
    expect(sent.renderedText).toContain('Hi Kim Park, thank you for your order ORD-900. Total: 42.00 EUR.');
    await new Promise((r) => setTimeout(r, 300));
    expect(t.wa.messages('15550107070')).toHaveLength(1);

    const viaHeader = await t.hub.http!.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${m.key}`, 'content-type': 'application/json', 'idempotency-key': 'evt-2' },
      payload: JSON.stringify(orderBody(undefined, '+1 555-010-7071')),
    });
    expect(viaHeader.statusCode).toBe(201);
    await waitFor(() => t.wa.messages('15550107071').length === 1, { what: 'second message' });
  });

  it('names the problem with a pushed event', async () => {
    const noKey = await t.api<{ error: { message: string } }>('POST', '/v1/events', m.key, orderBody(undefined));
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.message).toMatch(/^idempotency_key:/);
    const badType = await t.api<{ error: { message: string } }>('POST', '/v1/events', m.key, { ...orderBody('x'), type: 'order.teleported' });
    expect(badType.status).toBe(400);
    expect(badType.body.error.message).toContain('type');
    const otherConnection = await t.api<{ error: { message: string } }>('POST', '/v1/events', m.key, { ...orderBody('y'), store_connection_id: 'sc_nope' });
    expect(otherConnection.status).toBe(400);
    expect(otherConnection.body.error.message).toMatch(/^store_connection_id:/);
    const badTotal = await t.api<{ error: { message: string } }>('POST', '/v1/events', m.key, { ...orderBody('z'), order: { id: '1', name: '#1', total: { amount: 'lots', currency: 'EUR' } } });
    expect(badTotal.status).toBe(400);
    expect(badTotal.body.error.message).toContain('order.total.amount');
  });

  it('shows the support matrix, with Messenger refusing promotional notifications', async () => {
    const res = await t.api<{ data: Array<{ event_type: string; channel: string; supported: boolean; platforms: string[]; reason: string | null }> }>('GET', '/v1/notification-matrix', m.key);
    const cell = (type: string, channel: string) => res.body.data.find((c) => c.event_type === type && c.channel === channel)!;
    expect(cell('order.placed', 'whatsapp')).toMatchObject({ supported: true });
    expect(cell('order.placed', 'whatsapp').platforms).toContain('shopify');
    expect(cell('account.linked', 'line').platforms).toEqual(['91app', 'cyberbiz', 'shopline']);
    expect(cell('credits.earned', 'line').platforms).toEqual(['shopline']);
    for (const type of ['points.earned', 'points.spent', 'credits.earned', 'credits.spent', 'coupon.issued']) {
      expect(cell(type, 'messenger')).toMatchObject({ supported: false });
      expect(cell(type, 'messenger').reason).toContain('promotional');
    }
  });

  it('refuses to enable a notification no platform supports on the channel', async () => {
    const res = await t.api<{ error: { message: string } }>('PUT', '/v1/notification-settings/credits.earned/whatsapp', m.key, { enabled: true, template: { name: 'order_placed' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('Reward credits received notifications are not supported on WhatsApp');
  });
});
