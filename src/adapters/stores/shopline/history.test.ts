// SHOPLINE order history, customer search/creation and order-name lookup, adapter against the simulator
// over real HTTP.
import { describe, expect, it } from 'vitest';
import type { StoreConnectionCredentials, StoreCustomer } from '../../../core/stores/ports.js';
import { SHOPLINE_API_VERSION, ShoplineAdapter } from './index.js';
import { ShoplineSimulator } from './simulator.js';
import type { ShoplineCustomer } from './simulator.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const HANDLE = 'histshop';
const TOKEN = 'shopline-history-token';
const DAY = 24 * 60 * 60 * 1000;

describe('SHOPLINE history and customers with the simulator', () => {
  const sim = new ShoplineSimulator();
  let adapter: ShoplineAdapter;
  const connection: StoreConnectionCredentials = { settings: { handle: HANDLE }, secrets: { accessToken: TOKEN, appSecret: 'app-secret' } };
  let alice: ShoplineCustomer;
  const asStore = (c: ShoplineCustomer): StoreCustomer => ({ externalId: c.id, name: c.first_name, email: c.email, phone: c.phone });
  const orderFor = async (c: ShoplineCustomer, daysAgo: number, extra: Record<string, unknown> = {}): Promise<void> => {
    const at = new Date(Date.now() - daysAgo * DAY).toISOString();
    await sim.placeOrder(HANDLE, { customer: c, email: c.email, phone: c.phone, created_at: at, updated_at: at, ...extra });
  };

  serveSimulator(sim, [], {
    started: (baseUrl) => (adapter = new ShoplineAdapter({ baseUrlFor: (handle) => `${baseUrl}/${handle}/admin/openapi/${SHOPLINE_API_VERSION}`, pageSize: 2 })),
    seed: () => {
      sim.addStore({ handle: HANDLE, accessToken: TOKEN, appSecret: 'app-secret' });
      alice = sim.addCustomer(HANDLE, { first_name: 'Mei-Ling', last_name: 'Wang', email: 'meiling@example.com', phone: '+886912345678' });
    },
  });

  describe('customerOrders', () => {
    it('returns the 90-day window newest first across Link pages, cancelled included, others excluded', async () => {
      const bob = sim.addCustomer(HANDLE, { first_name: 'Avery', email: 'avery@example.com' });
      for (const d of [1, 20, 45, 89, 100]) await orderFor(alice, d);
      await orderFor(alice, 3, { cancelled_at: new Date().toISOString(), cancel_reason: 'customer' });
      await orderFor(bob, 2);
      const since = Date.now() - 90 * DAY;
      const orders = await adapter.customerOrders(connection, { customer: asStore(alice), since, limit: 10 });
      expect(orders).toHaveLength(5);
      const created = orders.map((o) => Date.parse(o.createdAt!));
      expect(created).toEqual([...created].sort((a, b) => b - a));
      expect(created.every((t) => t >= since)).toBe(true);
      const reqs = sim.requests(`/${HANDLE}/admin/openapi/${SHOPLINE_API_VERSION}/customers/${alice.id}/orders.json`);
      expect(reqs).toHaveLength(3);
      expect(reqs[0]?.query).toMatchObject({ status: 'any', limit: '2' });
      expect(Date.parse(reqs[0]!.query['created_at_min']!)).toBe(since);
      expect(reqs[1]?.query['page_info']).toBeTruthy();
    });

    it('honours the limit', async () => {
      for (const d of [1, 2, 3, 4]) await orderFor(alice, d);
      const orders = await adapter.customerOrders(connection, { customer: asStore(alice), since: Date.now() - 90 * DAY, limit: 3 });
      expect(orders).toHaveLength(3);
      expect(orders[0]!.createdAt! > orders[2]!.createdAt!).toBe(true);
    });

    it('refused token → permanent; 429 → retry_after', async () => {
      const refused = await expectProviderError(adapter.customerOrders({ ...connection, secrets: { accessToken: 'stale' } }, { customer: asStore(alice), since: 0, limit: 5 }));
      expect(refused.kind).toBe('permanent');
      expect(refused.message).not.toContain('stale');
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 2 });
      const limited = await expectProviderError(adapter.customerOrders(connection, { customer: asStore(alice), since: 0, limit: 5 }));
      expect(limited.kind).toBe('retry_after');
      expect(limited.retryAfterMs).toBe(2000);
      expect(limited.message).toContain('Too many request');
    });
  });

  describe('findCustomer / createCustomer', () => {
    it('finds by e-mail and by E.164 phone (sent in local form), exact matches only', async () => {
      sim.addCustomer(HANDLE, { first_name: 'Other', email: 'meiling@example.com.tw', phone: '+886912345670' });
      const byEmail = await adapter.findCustomer(connection, { email: 'MeiLing@example.com' });
      expect(byEmail).toEqual({ externalId: alice.id, name: 'Mei-Ling Wang', email: 'meiling@example.com', phone: '+886912345678' });
      const byPhone = await adapter.findCustomer(connection, { phone: '+886912345678' });
      expect(byPhone?.externalId).toBe(alice.id);
      expect(sim.requests().at(-1)?.query['query_param']).toBe('0912345678');
    });

    it('answers null for an unknown customer', async () => {
      expect(await adapter.findCustomer(connection, { email: 'nobody@example.com', phone: '+886900000000' })).toBeNull();
    });

    it('creates a customer that can then be found; a taken e-mail is permanent', async () => {
      const created = await adapter.createCustomer(connection, { name: '林怡君', email: 'yichun@example.com', phone: '+886933456789' });
      expect(created).toMatchObject({ name: '林怡君', email: 'yichun@example.com', phone: '+886933456789' });
      expect((await adapter.findCustomer(connection, { phone: '+886933456789' }))?.externalId).toBe(created.externalId);
      const taken = await expectProviderError(adapter.createCustomer(connection, { name: null, email: 'yichun@example.com', phone: null }));
      expect(taken.kind).toBe('permanent');
      expect(taken.httpStatus).toBe(422);
    });
  });

  describe('findOrderByNumber', () => {
    it('finds an order by name in any fulfilment state, and answers null for a miss', async () => {
      await orderFor(alice, 1);
      await orderFor(alice, 2, { fulfillment_status: 'shipped' });
      const shipped = await adapter.findOrderByNumber(connection, '#1002');
      expect(shipped?.name).toBe('#1002');
      expect((await adapter.findOrderByNumber(connection, '1001'))?.name).toBe('#1001');
      expect(await adapter.findOrderByNumber(connection, '#9999')).toBeNull();
      sim.injectFault({ kind: 'status', status: 503 });
      expect((await expectProviderError(adapter.findOrderByNumber(connection, '1001'))).kind).toBe('retryable');
    });
  });

  describe('simulator', () => {
    it('answers bad parameters and control input with 4xx', async () => {
      const base = `${sim.baseUrl}/${HANDLE}/admin/openapi/${SHOPLINE_API_VERSION}`;
      const auth = { authorization: `Bearer ${TOKEN}` };
      const noStatus = await fetch(`${base}/customers/${alice.id}/orders.json`, { headers: auth });
      expect(noStatus.status).toBe(400);
      expect(await noStatus.json()).toEqual({ errors: 'status is required' });
      expect((await fetch(`${base}/customers/${alice.id}/orders.json?status=any&created_at_min=last-week`, { headers: auth })).status).toBe(400);
      expect((await fetch(`${base}/customers/${alice.id}/orders.json?status=any&page_info=garbage`, { headers: auth })).status).toBe(400);
      expect((await fetch(`${base}/customers/${alice.id}/orders.json?status=any&shoe_size=42`, { headers: auth })).status).toBe(200);
      const ctl = (body: unknown): Promise<Response> => fetch(`${sim.baseUrl}/_sim/customers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await ctl({ handle: HANDLE })).status).toBe(400);
      expect((await ctl({ handle: HANDLE, customer: { email: 'bad' } })).status).toBe(422);
      expect((await ctl({ handle: HANDLE, customer: { email: 'new@example.com' } })).status).toBe(201);
    });
  });
});
