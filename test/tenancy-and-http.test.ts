// Tenancy (workspace A's key cannot read or change B), API keys, the error body, secrets at rest and in
// responses, PII in logs, health, metrics and the OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';

describe('tenancy, API keys and HTTP behaviour', () => {
  let t: TestHub;
  let a: MerchantSetup;
  let b: MerchantSetup;
  let bOrderId: string;
  let bMessageId: string;

  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    a = await setUpMerchant(t);
    b = await setUpMerchant(t);
    await t.shopify.placeOrder(b.shop, { phone: '+1 555-010-2020', email: 'buyer.b@example.com' });
    const msg = await waitFor(async () => (await t.api<{ data: Array<{ id: string; order_id: string; status: string }> }>('GET', '/v1/messages', b.key)).body.data.find((m) => m.status !== 'queued'), { what: 'B message' });
    bOrderId = msg.order_id;
    bMessageId = msg.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("workspace A's key cannot read workspace B's data", async () => {
    const reads = [
      `/v1/store-connections/${b.connection.id}`,
      `/v1/channel-accounts/${b.account.id}`,
      `/v1/channel-accounts/${b.account.id}/templates`,
      `/v1/orders/${bOrderId}`,
      `/v1/orders/${bOrderId}/activity`,
      `/v1/messages/${bMessageId}`,
    ];
    for (const path of reads) {
      const res = await t.api<{ error: { code: string } }>('GET', path, a.key);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect((await t.api('GET', path, b.key)).status, path).toBe(200);
    }
    const lists = ['/v1/store-connections', '/v1/channel-accounts', '/v1/orders', '/v1/messages'];
    for (const path of lists) {
      const res = await t.api<{ data: Array<{ id: string }> }>('GET', path, a.key);
      const ids = JSON.stringify(res.body.data);
      expect(ids).not.toContain(b.connection.id);
      expect(ids).not.toContain(b.account.id);
      expect(ids).not.toContain(bOrderId);
    }
  });

  it("workspace A's key cannot change workspace B's data", async () => {
    expect((await t.api('POST', `/v1/channel-accounts/${b.account.id}/verify`, a.key)).status).toBe(404);
    expect((await t.api('DELETE', `/v1/channel-accounts/${b.account.id}`, a.key)).status).toBe(404);
    expect((await t.api('DELETE', `/v1/store-connections/${b.connection.id}`, a.key)).status).toBe(404);
    const enable = await t.api<{ error: { message: string } }>('PUT', '/v1/notification-settings/order.shipped/whatsapp', a.key, { enabled: true, channel_account_id: b.account.id, template: { name: 'order_shipped' } });
    expect(enable.status).toBe(400);
    expect(enable.body.error.message).toContain(b.account.id);
    const bKeys = await t.api<{ data: Array<{ id: string }> }>('GET', '/v1/api-keys', b.key);
    expect((await t.api('DELETE', `/v1/api-keys/${bKeys.body.data[0]!.id}`, a.key)).status).toBe(404);
    // B is untouched.
    expect((await t.api('GET', `/v1/channel-accounts/${b.account.id}`, b.key)).status).toBe(200);
    expect((await t.api('GET', `/v1/store-connections/${b.connection.id}`, b.key)).status).toBe(200);
    expect((await t.api('GET', '/v1/workspace', b.key)).status).toBe(200);
  });

  it('API keys: shown once, stored hashed, revocable', async () => {
    const created = await t.api<{ id: string; key: string; hint: string }>('POST', '/v1/api-keys', a.key, { name: 'second' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^stk_/);
    expect(created.body.hint).toBe(`stk_••••${created.body.key.slice(-4)}`);
    const listed = await t.api<{ data: Array<Record<string, unknown>> }>('GET', '/v1/api-keys', a.key);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    const row = await t.db.storage.db.selectFrom('api_keys').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row.hash).not.toContain(created.body.key);
    expect(row.hash).toHaveLength(64);
    expect((await t.api('GET', '/v1/workspace', created.body.key)).status).toBe(200);
    expect((await t.api('DELETE', `/v1/api-keys/${created.body.id}`, a.key)).status).toBe(204);
    const after = await t.api<{ error: { code: string; message: string } }>('GET', '/v1/workspace', created.body.key);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toContain('revoked');
  });

  it('requests without a valid key get 401 with the error body and a request id', async () => {
    const none = await t.hub.http!.inject({ method: 'GET', url: '/v1/orders' });
    expect(none.statusCode).toBe(401);
    const body = none.json() as { error: { code: string; message: string; type: string; request_id: string; details: unknown } };
    expect(body.error).toMatchObject({ code: 'unauthenticated', type: 'authentication' });
    expect(body.error.request_id).toBe(none.headers['x-request-id']);
    const wrong = await t.api<{ error: { code: string } }>('GET', '/v1/orders', 'stk_not-a-real-key');
    expect(wrong.status).toBe(401);
  });

  it('bad input gets a 4xx naming the problem, and nothing is written', async () => {
    const badField = await t.api<{ error: { code: string; message: string; details: { fields: Array<{ field: string }> } } }>('POST', '/v1/store-connections', a.key, { platform: 'shopify', shop_domain: 'x.myshopify.com' });
    expect(badField.status).toBe(400);
    expect(badField.body.error.code).toBe('validation_failed');
    expect(badField.body.error.message).toContain('webhook_secret');
    expect(badField.body.error.details.fields[0]!.field).toBe('webhook_secret');

    const badDomain = await t.api<{ error: { message: string } }>('POST', '/v1/store-connections', a.key, { platform: 'shopify', shop_domain: 'not a domain', webhook_secret: 'abcdefgh12345' });
    expect(badDomain.status).toBe(400);
    expect(badDomain.body.error.message).toMatch(/^shop_domain:/);

    const badJson = await t.hub.http!.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(badJson.statusCode).toBe(400);
    expect((badJson.json() as { error: { code: string } }).error.code).toBe('invalid_json');

    const tooLarge = await t.hub.http!.inject({ method: 'POST', url: '/v1/api-keys', headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(tooLarge.statusCode).toBe(413);
    expect((tooLarge.json() as { error: { code: string } }).error.code).toBe('payload_too_large');

    const badType = await t.api<{ error: { message: string } }>('PUT', '/v1/notification-settings/order.nonsense/whatsapp', a.key, { enabled: false });
    expect(badType.status).toBe(400);
    expect(badType.body.error.message).toMatch(/^event_type:/);

    const duplicate = await t.api<{ error: { code: string } }>('POST', '/v1/store-connections', a.key, { platform: 'shopify', shop_domain: a.shop, webhook_secret: 'abcdefgh12345' });
    expect(duplicate.status).toBe(409);

    const connections = await t.api<{ data: unknown[] }>('GET', '/v1/store-connections', a.key);
    expect(connections.body.data).toHaveLength(1);
    const missing = await t.hub.http!.inject({ method: 'GET', url: '/v1/nothing-here', headers: { authorization: `Bearer ${a.key}` } });
    expect(missing.statusCode).toBe(404);
    expect((missing.json() as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('secrets are encrypted at rest, masked in responses, and never logged; phones are masked in logs', async () => {
    const row = await t.db.storage.db.selectFrom('channel_accounts').selectAll().where('id', '=', a.account.id).executeTakeFirstOrThrow();
    expect(row.secrets).not.toContain(a.accessToken);
    expect(row.secrets).not.toContain(a.appSecret);
    expect(row.secrets.startsWith('v1.')).toBe(true);
    const shown = await t.api<{ secrets: Record<string, string> }>('GET', `/v1/channel-accounts/${a.account.id}`, a.key);
    expect(JSON.stringify(shown.body)).not.toContain(a.accessToken);
    expect(shown.body.secrets['accessToken']).toMatch(/••••/);
    const connection = await t.db.storage.db.selectFrom('store_connections').selectAll().where('id', '=', a.connection.id).executeTakeFirstOrThrow();
    expect(connection.secrets.startsWith('v1.')).toBe(true);

    // Make the hub log a provider error that echoes a phone number, and a request with a key.
    t.wa.injectFault({ kind: 'status', status: 500, times: 1, path: `/v23.0/${a.phoneNumberId}/messages`, body: { error: { message: 'upstream failed for +15550106060', code: 131000 } } });
    await t.api('PUT', '/v1/notification-settings/order.placed/whatsapp', a.key, { enabled: true, template: { name: 'order_placed' } });
    await t.shopify.placeOrder(a.shop, { phone: '+1 555-010-6060' });
    await waitFor(() => t.wa.messages('15550106060').length === 1, { what: 'message after retry', timeoutMs: 20_000 });
    const logs = t.logs.join('\n');
    expect(logs).toContain('job attempt failed');
    expect(logs).not.toContain('15550106060');
    expect(logs).not.toContain(a.accessToken);
    expect(logs).not.toContain(a.key);
    expect(logs).not.toContain('buyer.b@example.com');
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await t.hub.http!.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.hub.http!.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const metrics = await t.hub.http!.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('shoptalk_http_requests_total');
    expect(metrics.body).toContain('shoptalk_webhooks_received_total');
    expect(metrics.body).toContain('shoptalk_jobs{state="pending"}');
    const doc = (await t.hub.http!.inject({ method: 'GET', url: '/docs/json' })).json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/store-connections', '/v1/channel-accounts', '/v1/notification-settings/{event_type}/{channel}', '/v1/orders/{id}/activity', '/v1/jobs/{id}/redrive']));
    expect((await t.hub.http!.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });
});
