// 91APP order history (≤7-day GetList windows), member lookup through Member Connect Cloud and TGCode
// lookup, adapter against the simulator over real HTTP.
import { describe, expect, it } from 'vitest';
import type { StoreConnectionCredentials, StoreCustomer } from '../../../core/stores/ports.js';
import { NINETYONEAPP_MAX_WINDOW_MS, NinetyOneAppAdapter, historyWindows, parseTaipeiDateTime, toTaipeiDateTime } from './index.js';
import { NinetyOneAppSimulator } from './simulator.js';
import type { NinetyOneAppMember } from './simulator.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const SHOP_ID = '40123';
const API_KEY = 'n1-history-key';
const MEMBER_TOKEN = 'ny-member-token';
const DAY = 24 * 60 * 60 * 1000;

describe('91APP history and members with the simulator', () => {
  const sim = new NinetyOneAppSimulator();
  let adapter: NinetyOneAppAdapter;
  const connection: StoreConnectionCredentials = { settings: { shopId: SHOP_ID }, secrets: { apiKey: API_KEY, memberApiToken: MEMBER_TOKEN } };
  let alice: NinetyOneAppMember;
  const asStore = (m: NinetyOneAppMember): StoreCustomer => ({ externalId: m.memberId, name: m.name, email: m.email, phone: '+886912345678' });
  const orderFor = (m: NinetyOneAppMember, ageMs: number): void => {
    const at = toTaipeiDateTime(Date.now() - ageMs);
    sim.createOrder(SHOP_ID, { OrderDateTime: at, UpdateDateTime: at, MemberId: m.memberId, MemberEmail: m.email, MemberCellphone: m.cellphone });
  };

  serveSimulator(sim, [], {
    started: (baseUrl) => (adapter = new NinetyOneAppAdapter({ baseUrl, memberApiUrl: baseUrl })),
    seed: () => {
      sim.addShop({ shopId: SHOP_ID, apiKey: API_KEY, memberApiToken: MEMBER_TOKEN });
      alice = sim.addMember(SHOP_ID, { memberId: 'M1001', name: '王美玲', email: 'meiling@example.com.tw', cellphone: '+886912345678' });
    },
  });

  describe('customerOrders', () => {
    it('walks two ≤7-day OrderDateTime windows for 14 days, newest first, excluding older orders and other members', async () => {
      const bob = sim.addMember(SHOP_ID, { memberId: 'M2002', email: 'bob@example.com.tw' });
      for (const age of [1 * DAY, 6 * DAY, 8 * DAY, 13.5 * DAY, 15 * DAY]) orderFor(alice, age);
      orderFor(bob, 2 * DAY);
      const since = Date.now() - 14 * DAY;
      const orders = await adapter.customerOrders(connection, { customer: asStore(alice), since, limit: 10 });
      expect(orders).toHaveLength(4);
      expect(orders.every((o) => o.customerExternalId === 'M1001')).toBe(true);
      const created = orders.map((o) => Date.parse(o.createdAt!));
      expect(created).toEqual([...created].sort((a, b) => b - a));
      expect(created.every((t) => t >= since)).toBe(true);
      const calls = sim.requests('/ec/V2/SalesOrder/GetList');
      expect(calls).toHaveLength(2);
      for (const c of calls) {
        const body = c.json as { DateType: string; StartDate: string; EndDate: string };
        expect(body.DateType).toBe('OrderDateTime');
        expect(parseTaipeiDateTime(body.EndDate)! - parseTaipeiDateTime(body.StartDate)!).toBeLessThanOrEqual(NINETYONEAPP_MAX_WINDOW_MS);
      }
    });

    it('stops after the first window once the limit is met', async () => {
      for (const age of [1, 2, 3, 9].map((d) => d * DAY)) orderFor(alice, age);
      const orders = await adapter.customerOrders(connection, { customer: asStore(alice), since: Date.now() - 14 * DAY, limit: 2 });
      expect(orders).toHaveLength(2);
      expect(Date.parse(orders[0]!.createdAt!)).toBeGreaterThan(Date.parse(orders[1]!.createdAt!));
      expect(sim.requests('/ec/V2/SalesOrder/GetList')).toHaveLength(1);
    });

    it('pages a busy window with Position', async () => {
      for (let i = 0; i < 105; i++) orderFor(alice, DAY + i * 1000);
      const orders = await adapter.customerOrders(connection, { customer: asStore(alice), since: Date.now() - 3 * DAY, limit: 200 });
      expect(orders).toHaveLength(105);
      expect(sim.requests('/ec/V2/SalesOrder/GetList').map((r) => (r.json as { Position: number }).Position)).toEqual([0, 100]);
    });

    it('splits ranges into windows no longer than 7 days', () => {
      const now = Date.UTC(2026, 0, 15);
      const windows = historyWindows(now - 14 * DAY, now);
      expect(windows).toHaveLength(2);
      expect(windows.every((w) => w.end - w.start <= NINETYONEAPP_MAX_WINDOW_MS)).toBe(true);
      expect(windows[1]!.start).toBe(now - 14 * DAY);
    });

    it('refused key → permanent; 429 → retry_after', async () => {
      const refused = await expectProviderError(adapter.customerOrders({ ...connection, secrets: { apiKey: 'wrong' } }, { customer: asStore(alice), since: Date.now() - DAY, limit: 5 }));
      expect(refused.kind).toBe('permanent');
      expect(refused.message).not.toContain('wrong');
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 4 });
      const limited = await expectProviderError(adapter.customerOrders(connection, { customer: asStore(alice), since: Date.now() - DAY, limit: 5 }));
      expect(limited.kind).toBe('retry_after');
      expect(limited.retryAfterMs).toBe(4000);
    });
  });

  describe('findCustomer', () => {
    it('finds by e-mail and by E.164 phone sent as the local cellphone, with ny-api-token', async () => {
      const byEmail = await adapter.findCustomer(connection, { email: 'MeiLing@example.com.tw' });
      expect(byEmail).toEqual({ externalId: 'M1001', name: '王美玲', email: 'meiling@example.com.tw', phone: '+886912345678' });
      const byPhone = await adapter.findCustomer(connection, { phone: '+886912345678' });
      expect(byPhone?.externalId).toBe('M1001');
      const req = sim.requests('/v1/members/api/members').at(-1);
      expect(req?.query['cellphone']).toBe('0912345678');
      expect(req?.headers['ny-api-token']).toBe(MEMBER_TOKEN);
    });

    it('answers null for an unknown member, and falls back to the apiKey as token', async () => {
      expect(await adapter.findCustomer(connection, { email: 'nobody@example.com', phone: '+886900000000' })).toBeNull();
      const viaKey = await adapter.findCustomer({ settings: { shopId: SHOP_ID }, secrets: { apiKey: API_KEY } }, { email: 'meiling@example.com.tw' });
      expect(viaKey?.externalId).toBe('M1001');
      expect(sim.requests('/v1/members/api/members').at(-1)?.headers['ny-api-token']).toBe(API_KEY);
      expect(await adapter.findCustomer({ settings: { shopId: SHOP_ID }, secrets: {} }, { email: 'meiling@example.com.tw' })).toBeNull();
    });

    it('refused token → permanent; 429 → retry_after', async () => {
      const refused = await expectProviderError(adapter.findCustomer({ settings: { shopId: SHOP_ID }, secrets: { memberApiToken: 'bad' } }, { email: 'a@b.tw' }));
      expect(refused.kind).toBe('permanent');
      expect(refused.message).not.toContain('bad');
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 1 });
      expect((await expectProviderError(adapter.findCustomer(connection, { email: 'a@b.tw' }))).kind).toBe('retry_after');
    });
  });

  describe('findOrderByNumber', () => {
    it('finds by TGCode with SalesOrder/Get and answers null for a miss', async () => {
      orderFor(alice, DAY);
      const [order] = sim.orders(SHOP_ID);
      const hit = await adapter.findOrderByNumber(connection, order!.TGCode);
      expect(hit?.name).toBe(order!.TGCode);
      expect(sim.requests('/ec/V2/SalesOrder/Get').at(-1)?.json).toEqual({ ShopId: Number(SHOP_ID), TGCode: order!.TGCode });
      expect(await adapter.findOrderByNumber(connection, 'TG000000K99999')).toBeNull();
      sim.injectFault({ kind: 'status', status: 500 });
      expect((await expectProviderError(adapter.findOrderByNumber(connection, order!.TGCode))).kind).toBe('retryable');
    });
  });

  describe('simulator', () => {
    it('answers bad member queries and control input with 4xx', async () => {
      const auth = { 'ny-api-token': MEMBER_TOKEN };
      const badPage = await fetch(`${sim.baseUrl}/v1/members/api/members?pageSize=1000`, { headers: auth });
      expect(badPage.status).toBe(400);
      expect((await fetch(`${sim.baseUrl}/v1/members/api/members?nickname=x`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${sim.baseUrl}/v1/members/api/members`)).status).toBe(401);
      const ctl = (body: unknown): Promise<Response> => fetch(`${sim.baseUrl}/_sim/members`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await ctl({ shopId: SHOP_ID })).status).toBe(400);
      expect((await ctl({ shopId: SHOP_ID, member: { cellphone: '12345' } })).status).toBe(400);
      expect((await ctl({ shopId: SHOP_ID, member: { memberId: 'M1001', email: 'x@y.tw' } })).status).toBe(409);
      expect((await ctl({ shopId: '999', member: { email: 'x@y.tw' } })).status).toBe(404);
      expect((await ctl({ shopId: SHOP_ID, member: { email: 'x@y.tw', cellphone: '0922-123-456' } })).status).toBe(201);
      expect(sim.members(SHOP_ID).at(-1)?.cellphone).toBe('0922123456');
    });
  });
});
