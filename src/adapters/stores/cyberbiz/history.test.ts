// CYBERBIZ order history, customer lookup/creation and order-number lookup, adapter against the simulator
// over real HTTP.
import { describe, expect, it } from 'vitest';
import type { StoreConnectionCredentials, StoreCustomer } from '../../../core/stores/ports.js';
import { CyberbizAdapter } from './index.js';
import { CyberbizSimulator, taipeiTimestamp } from './simulator.js';
import type { CyberbizCustomer } from './simulator.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const DOMAIN = 'history.cyberbiz.co';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.history.sig';
const DAY = 24 * 60 * 60 * 1000;

describe('CYBERBIZ history and customers with the simulator', () => {
  const sim = new CyberbizSimulator();
  let adapter: CyberbizAdapter;
  const connection: StoreConnectionCredentials = { settings: { shopDomain: DOMAIN }, secrets: { accessToken: TOKEN, appSecret: 'secret' } };
  let alice: CyberbizCustomer;
  const asStore = (c: CyberbizCustomer): StoreCustomer => ({ externalId: String(c.id), name: c.name, email: c.email, phone: null });

  /** An order for `c` created `daysAgo` days ago; a guest checkout carries only the buyer's e-mail. */
  const orderFor = (c: CyberbizCustomer, daysAgo: number, guest = false): void => {
    const at = taipeiTimestamp(Date.now() - daysAgo * DAY);
    sim.createOrder(DOMAIN, {
      created_at: at,
      updated_at: at,
      customer: guest ? null : { id: c.id, name: c.name ?? '', email: c.email, mobile: c.mobile, country_calling_code: '+886', bonus_remain: 0 },
      buyer: { email: c.email, mobile: guest ? null : c.mobile },
    });
  };

  serveSimulator(sim, [], {
    started: (baseUrl) => (adapter = new CyberbizAdapter({ baseUrl, pageSize: 2 })),
    seed: () => {
      sim.addShop({ domain: DOMAIN, name: '歷史小舖', accessToken: TOKEN, appSecret: 'secret' });
      alice = sim.addCustomer(DOMAIN, { name: '王小明', email: 'xiaoming@example.com.tw', mobile: '0912-345-678' });
    },
  });

  describe('customerOrders', () => {
    it('returns the window newest first, excludes older orders and other customers, pages with X-Next-Page', async () => {
      const bob = sim.addCustomer(DOMAIN, { name: '陳美玲', email: 'meiling@example.com.tw', mobile: '0987654321' });
      for (const d of [1, 10, 30, 60, 89, 120]) orderFor(alice, d);
      orderFor(bob, 2);
      const since = Date.now() - 90 * DAY;
      const orders = await adapter.customerOrders(connection, { customer: asStore(alice), since, limit: 10 });
      expect(orders).toHaveLength(5);
      const created = orders.map((o) => Date.parse(o.createdAt!));
      expect(created).toEqual([...created].sort((a, b) => b - a));
      expect(created.every((t) => t >= since - 1000)).toBe(true);
      expect(orders.every((o) => o.customerExternalId === String(alice.id))).toBe(true);
      // pageSize 2 → 5 orders need 3 pages; the window and customer travel as query parameters.
      const reqs = sim.requests('/v1/orders');
      expect(reqs.map((r) => r.query['page'])).toEqual(['1', '2', '3']);
      expect(reqs[0]?.query).toMatchObject({ customer_id: String(alice.id), per_page: '2' });
      expect(reqs[0]?.query['created_at_start_time']).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    });

    it('honours the limit and includes guest orders linked only by e-mail', async () => {
      orderFor(alice, 5, true);
      for (const d of [1, 2, 3]) orderFor(alice, d);
      const orders = await adapter.customerOrders(connection, { customer: asStore(alice), since: Date.now() - 90 * DAY, limit: 2 });
      expect(orders).toHaveLength(2);
      expect(Date.parse(orders[0]!.createdAt!)).toBeGreaterThan(Date.parse(orders[1]!.createdAt!));
      const all = await adapter.customerOrders(connection, { customer: asStore(alice), since: Date.now() - 90 * DAY, limit: 10 });
      expect(all).toHaveLength(4);
    });

    it('refused token → permanent; 429 → retry_after; 5xx → retryable', async () => {
      const refused = await expectProviderError(
        adapter.customerOrders({ ...connection, secrets: { accessToken: 'nope' } }, { customer: asStore(alice), since: 0, limit: 5 }),
      );
      expect(refused.kind).toBe('permanent');
      expect(refused.message).not.toContain('nope');
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 2, path: '/v1/orders' });
      const limited = await expectProviderError(adapter.customerOrders(connection, { customer: asStore(alice), since: 0, limit: 5 }));
      expect(limited.kind).toBe('retry_after');
      expect(limited.retryAfterMs).toBe(2000);
      sim.injectFault({ kind: 'status', status: 502 });
      expect((await expectProviderError(adapter.findOrderByNumber(connection, '1001'))).kind).toBe('retryable');
    });
  });

  describe('findCustomer / createCustomer', () => {
    it('finds by e-mail (case-insensitive) and by E.164 phone sent in local form', async () => {
      const byEmail = await adapter.findCustomer(connection, { email: 'XiaoMing@example.com.tw' });
      expect(byEmail).toEqual({ externalId: String(alice.id), name: '王小明', email: 'xiaoming@example.com.tw', phone: '+886912345678' });
      const byPhone = await adapter.findCustomer(connection, { phone: '+886912345678' });
      expect(byPhone?.externalId).toBe(String(alice.id));
      const phoneReq = sim.requests('/v1/customers').at(-1);
      expect(phoneReq?.query['mobile']).toBe('0912345678');
    });

    it('answers null for an unknown customer (CYBERBIZ replies 206 [])', async () => {
      expect(await adapter.findCustomer(connection, { email: 'nobody@example.com', phone: '+886900000000' })).toBeNull();
      expect(await adapter.findCustomer(connection, {})).toBeNull();
    });

    it('creates a customer that can then be found, and refuses a taken e-mail as permanent', async () => {
      const created = await adapter.createCustomer(connection, { name: '林怡君', email: 'yichun@example.com.tw', phone: '+886933456789' });
      expect(created).toMatchObject({ name: '林怡君', email: 'yichun@example.com.tw', phone: '+886933456789' });
      const post = sim.requests('/v1/customers').find((r) => r.method === 'POST');
      expect(post?.json).toMatchObject({ mobile: '0933456789', country_calling_code: '+886' });
      expect((await adapter.findCustomer(connection, { phone: '+886933456789' }))?.externalId).toBe(created.externalId);
      const taken = await expectProviderError(adapter.createCustomer(connection, { name: 'x', email: 'yichun@example.com.tw', phone: null }));
      expect(taken.kind).toBe('permanent');
      expect(taken.message).toContain('already been taken');
    });

    it('refused token → permanent; 429 → retry_after', async () => {
      expect((await expectProviderError(adapter.findCustomer({ ...connection, secrets: { accessToken: 'bad' } }, { email: 'a@b.co' }))).kind).toBe('permanent');
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 1 });
      const limited = await expectProviderError(adapter.findCustomer(connection, { email: 'a@b.co' }));
      expect(limited.kind).toBe('retry_after');
      expect(limited.retryAfterMs).toBe(1000);
    });
  });

  describe('findOrderByNumber', () => {
    it('finds "#1002" and "1002", and answers null for a miss', async () => {
      orderFor(alice, 1);
      orderFor(alice, 2);
      const hit = await adapter.findOrderByNumber(connection, '#1002');
      expect(hit?.name).toBe('1002');
      expect((await adapter.findOrderByNumber(connection, '1002'))?.externalId).toBe(hit?.externalId);
      expect(sim.requests('/v1/orders').at(-1)?.query['order_number']).toBe('1002');
      expect(await adapter.findOrderByNumber(connection, '9999')).toBeNull();
      expect(await adapter.findOrderByNumber(connection, 'not a number!')).toBeNull();
    });
  });

  describe('simulator', () => {
    it('refuses bad list parameters and bad control input with 4xx in CYBERBIZ shape', async () => {
      const auth = { authorization: `Bearer ${TOKEN}` };
      const bad = await fetch(`${sim.baseUrl}/v1/orders?customer_id=abc`, { headers: auth });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ error: 'customer_id must be an integer' });
      const window = await fetch(`${sim.baseUrl}/v1/orders?created_at_start_time=yesterday`, { headers: auth });
      expect(window.status).toBe(400);
      // Unknown parameters are ignored, as the real API does.
      expect((await fetch(`${sim.baseUrl}/v1/customers?favourite_colour=red`, { headers: auth })).status).toBe(200);
      const noCustomer = await fetch(`${sim.baseUrl}/_sim/customers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ domain: DOMAIN }) });
      expect(noCustomer.status).toBe(400);
      const badEmail = await fetch(`${sim.baseUrl}/_sim/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ domain: DOMAIN, customer: { email: 'not-an-email' } }),
      });
      expect(badEmail.status).toBe(422);
      const ok = await fetch(`${sim.baseUrl}/_sim/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ domain: DOMAIN, customer: { name: 'A', email: 'a@example.com' } }),
      });
      expect(ok.status).toBe(201);
      expect(((await (await fetch(`${sim.baseUrl}/_sim/customers?domain=${DOMAIN}`)).json()) as unknown[]).length).toBe(2);
    });
  });
});
