// Store platforms beyond Shopify and SHOPLINE, through the hub's API and webhook routes against their
// simulators: CYBERBIZ (signed webhooks), Eshopbox (unsigned: a registered header key), 91APP (no webhooks:
// polled), and the generic signed-webhook source; re-verifying a store's credentials.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { signGenericBody } from '../src/adapters/stores/generic/index.js';
import { toTaipeiDateTime } from '../src/adapters/stores/91app/index.js';

const hex = (n: number) => randomBytes(n).toString('hex');

interface OrderView {
  id: string;
  external_id: string;
  name: string;
  phone: string | null;
  total: string | null;
  currency: string | null;
}

describe('store platforms', () => {
  let t: TestHub;
  let key: string;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    const ws = await t.hub.workspaces.createWorkspace('Platforms');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
  });
  afterAll(async () => {
    await t?.close();
  });

  const order = (externalId: string) => async () => {
    const res = await t.api<{ data: OrderView[] }>('GET', `/v1/orders?query=${encodeURIComponent(externalId)}`, key);
    return res.body.data[0] ?? null;
  };

  it('CYBERBIZ: verified token, signed webhooks (hex or base64), duplicates dropped, re-verify', async () => {
    const domain = `tea-${hex(3)}.cyberbiz.co`;
    const accessToken = `eyJ${hex(16)}`;
    const appSecret = hex(16);
    t.cyberbiz.addShop({ domain, name: 'Tea House', accessToken, appSecret });
    const refused = await t.api<{ error: { code: string; message: string } }>('POST', '/v1/store-connections', key, { platform: 'cyberbiz', shop_domain: domain, access_token: 'eyJ-not-the-token', app_secret: appSecret });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/CYBERBIZ/);
    const created = await t.api<{ id: string; name: string; webhook_url: string; status: string; secrets: Record<string, string> }>('POST', '/v1/store-connections', key, {
      platform: 'cyberbiz',
      shop_domain: domain,
      access_token: accessToken,
      app_secret: appSecret,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Tea House', status: 'verified' });
    expect(created.body.webhook_url).toMatch(/\/webhooks\/cyberbiz\/sc_/);
    expect(created.body.secrets['accessToken']).not.toContain(accessToken.slice(4));
    t.cyberbiz.addShop({ domain, name: 'Tea House', accessToken, appSecret, webhookUrl: created.body.webhook_url });

    const placed = t.cyberbiz.createOrder(domain);
    const first = await t.cyberbiz.emitOrderEvent(placed.id, 'orders/create');
    expect(first.attempts.at(-1)?.status ?? 200).toBe(200);
    const stored = await waitFor(order(String(placed.id)), { what: 'the CYBERBIZ order' });
    expect(stored).toMatchObject({ name: String(placed.order_number), phone: '+886912345678', currency: 'TWD' });
    await t.cyberbiz.redeliver(first.id);
    await t.cyberbiz.emitOrderEvent(placed.id, 'orders/paid', { encoding: 'base64' });
    const forged = await t.cyberbiz.emitOrderEvent(placed.id, 'orders/cancelled', { badSignature: true });
    expect(forged.attempts.at(-1)?.status).toBe(401);

    const reverified = await t.api<{ status: string }>('POST', `/v1/store-connections/${created.body.id}/verify`, key);
    expect(reverified.status).toBe(200);
    expect(reverified.body.status).toBe('verified');
  });

  it('Eshopbox: webhooks authenticated by the registered key, shipment events normalized', async () => {
    const workspace = `acme${hex(2)}`;
    const creds = { clientId: `cid-${hex(4)}`, clientSecret: hex(12), refreshToken: hex(16) };
    t.eshopbox.addAccount({ workspace, ...creds });
    const refused = await t.api<{ error: { message: string } }>('POST', '/v1/store-connections', key, { platform: 'eshopbox', workspace, client_id: creds.clientId, client_secret: 'wrong-secret-1', refresh_token: creds.refreshToken });
    expect(refused.status).toBe(422);
    const created = await t.api<{ id: string; webhook_url: string; webhook_headers: Record<string, string>; callback_url: string }>('POST', '/v1/store-connections', key, {
      platform: 'eshopbox',
      workspace,
      client_id: creds.clientId,
      client_secret: creds.clientSecret,
      refresh_token: creds.refreshToken,
    });
    expect(created.status).toBe(201);
    expect(created.body.webhook_headers['x-api-key']).toBeTruthy();
    expect(created.body.callback_url).toContain('?key=');
    t.eshopbox.registerWebhook(workspace, { resource: 'shipment', eventType: 'PUT', version: 'v1', webhookUrl: created.body.webhook_url, webhookMethod: 'POST', webhookHeaders: created.body.webhook_headers });

    const shipment = t.eshopbox.createShipment(workspace);
    const deliveries = await t.eshopbox.advance(workspace, shipment.shipmentId, 'failed_delivery', { remarks: 'customer not reachable' });
    expect(deliveries.map((d) => d.attempts.at(-1)?.status)).toEqual([200]);
    const stored = await waitFor(order(shipment.customerOrderNumber), { what: 'the Eshopbox order' });
    expect(stored.currency).toBe('INR');

    const wrongKey = await fetch(created.body.webhook_url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'not-the-key' }, body: '{}' });
    expect(wrongKey.status).toBe(401);
    const viaUrl = await fetch(created.body.callback_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resource: 'shipment', eventSubType: 'intransit', timestamp: new Date().toISOString(), data: { customerOrderNumber: shipment.customerOrderNumber, trackingId: shipment.trackingId } }) });
    expect(viaUrl.status).toBe(200);
  });

  it('91APP: no webhooks, so the hub polls orders changed since the connection was made', async () => {
    const shopId = String(40000 + Math.floor(Math.random() * 9999));
    const apiKey = hex(16);
    t.app91.addShop({ shopId, apiKey, shopName: 'Formosa Goods' });
    const before = t.app91.createOrder(shopId, { UpdateDateTime: toTaipeiDateTime(Date.now() - 3600_000) });
    const created = await t.api<{ id: string; webhook_url: string | null; poll: { since: string } | null; name: string }>('POST', '/v1/store-connections', key, { platform: '91app', shop_id: shopId, api_key: apiKey });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Formosa Goods', webhook_url: null });
    expect(created.body.poll?.since).toBeTruthy();
    const refused = await t.api('POST', '/v1/store-connections', key, { platform: '91app', shop_id: '99999', api_key: apiKey });
    expect(refused.status).toBe(422);

    await new Promise((r) => setTimeout(r, 1100));
    const placed = t.app91.createOrder(shopId);
    const stored = await waitFor(order(placed.TMCode), { what: 'the polled order', timeoutMs: 10_000 });
    expect(stored.name).toBe(placed.TGCode);
    t.app91.setOrderStatus(placed.TMCode, 'Shipping');
    // The next poll sees the order moved on: a new event, and the stored order follows.
    await waitFor(async () => ((await order(placed.TMCode)()) as { status?: string } | null)?.status === 'shipped' || null, { what: 'the shipped status', timeoutMs: 10_000 });
    // An order last changed before the connection existed is history, not news.
    expect(await order(before.TMCode)()).toBeNull();
    const conn = await t.api<{ poll: { last_polled_at: string | null; failures: number } }>('GET', `/v1/store-connections/${created.body.id}`, key);
    expect(conn.body.poll?.last_polled_at).toBeTruthy();
  });

  it('the generic source: signed events, named errors, one event per idempotency key', async () => {
    const created = await t.api<{ id: string; webhook_url: string; signing_secret: string }>('POST', '/v1/store-connections', key, { platform: 'generic', name: 'Our ERP' });
    expect(created.status).toBe(201);
    expect(created.body.signing_secret).toMatch(/^whsec_/);
    const url = created.body.webhook_url;
    const body = JSON.stringify({ type: 'order.placed', order: { id: 'ERP-77', name: 'ERP-77', phone: '+14155550123', lines: [{ title: 'Desk', quantity: 1 }] } });
    const post = (b: string, headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: b });

    const ok = await post(body, { 'shoptalk-signature': signGenericBody(created.body.signing_secret, body), 'idempotency-key': 'erp-evt-1' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ duplicate: false });
    const again = await post(body, { 'shoptalk-signature': signGenericBody(created.body.signing_secret, body), 'idempotency-key': 'erp-evt-1' });
    expect(await again.json()).toMatchObject({ duplicate: true });
    await waitFor(order('ERP-77'), { what: 'the pushed order' });

    const forged = await post(body, { 'shoptalk-signature': signGenericBody('whsec_wrong', body), 'idempotency-key': 'erp-evt-2' });
    expect(forged.status).toBe(401);
    const stale = await post(body, { 'shoptalk-signature': signGenericBody(created.body.signing_secret, body, Math.floor(Date.now() / 1000) - 3600), 'idempotency-key': 'erp-evt-3' });
    expect(stale.status).toBe(401);
    const invalid = JSON.stringify({ type: 'order.teleported' });
    const bad = await post(invalid, { 'shoptalk-signature': signGenericBody(created.body.signing_secret, invalid), 'idempotency-key': 'erp-evt-4' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('type');
  });
});
