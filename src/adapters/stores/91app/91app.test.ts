// 91APP adapter + simulator over real HTTP: the simulator serves the Admin API order endpoints and the
// adapter verifies the key, polls orders by UpdateDateTime and fetches single orders.
import { describe, expect, it } from 'vitest';
import type { StoreConnectionCredentials } from '../../../core/stores/ports.js';
import { NINETYONEAPP_MAX_WINDOW_MS, NinetyOneAppAdapter, parseTaipeiDateTime, taiwanPhoneToE164, toTaipeiDateTime } from './index.js';
import { NinetyOneAppSimulator } from './simulator.js';
import type { NinetyOneAppOrder } from './simulator.js';
import { expectOutage, expectProviderError, expectRateLimited, expectRefusal } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const SHOP_ID = '40123';
const API_KEY = 'n1-test-api-key-0001';
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

describe('91APP adapter with the simulator', () => {
  const sim = new NinetyOneAppSimulator();
  let adapter: NinetyOneAppAdapter;
  const connection: StoreConnectionCredentials = { settings: { shopId: SHOP_ID, storeUrl: 'https://shop.example.com.tw/' }, secrets: { apiKey: API_KEY } };
  /** A window ending a minute from now, so orders created "now" fall inside. */
  const recentWindow = (): { since: number; until: number; cursor: null } => ({ since: Date.now() - HOUR, until: Date.now() + 60_000, cursor: null });

  serveSimulator(sim, [], {
    started: (baseUrl) => (adapter = new NinetyOneAppAdapter({ baseUrl })),
    seed: () => sim.addShop({ shopId: SHOP_ID, apiKey: API_KEY }),
  });

  describe('verifyConnection', () => {
    it('accepts a good key with a POST carrying ShopId and x-api-key', async () => {
      const verified = await adapter.verifyConnection(connection);
      expect(verified.displayName).toBe(`91APP shop ${SHOP_ID}`);
      expect(verified.details).toMatchObject({ shopId: SHOP_ID, storeUrl: 'https://shop.example.com.tw', shippingMethods: 2 });
      const [req] = sim.requests('/ec/V1/Shop/GetShipping');
      expect(req?.method).toBe('POST');
      expect(req?.headers['x-api-key']).toBe(API_KEY);
      expect(req?.json).toEqual({ ShopId: Number(SHOP_ID) });
    });

    it('uses the shop name when 91APP reports one', async () => {
      sim.addShop({ shopId: '777', apiKey: 'named-key', shopName: '好物商店' });
      const verified = await adapter.verifyConnection({ settings: { shopId: '777' }, secrets: { apiKey: 'named-key' } });
      expect(verified.displayName).toBe('好物商店');
    });

    it('reports a wrong key (401) as permanent with a clear message that hides the key', async () => {
      const wrongKey = { ...connection, secrets: { apiKey: 'wrong-key-secret' } };
      await expectRefusal(adapter.verifyConnection(wrongKey), { httpStatus: 401, says: `91APP refused the API key for shop ${SHOP_ID}`, hides: 'wrong-key-secret' });
    });

    it('reports a key that does not own the shop (403) as permanent', async () => {
      await expectRefusal(adapter.verifyConnection({ ...connection, settings: { shopId: '999' } }), { httpStatus: 403, says: 'no permission for ShopId 999' });
    });

    it('reports Status=Error with an auth-looking message as a refusal', async () => {
      sim.injectFault({ kind: 'status', status: 200, body: { Status: 'Error', Data: null, ErrorMessage: 'API Key 驗證失敗, permission denied' } });
      const err = await expectProviderError(adapter.verifyConnection(connection));
      expect(err.kind).toBe('permanent');
      expect(err.message).toContain('91APP refused the API key');
    });

    it('refuses a non-numeric shop id or a missing key without calling out', async () => {
      expect((await expectProviderError(adapter.verifyConnection({ ...connection, settings: { shopId: 'shop-1' } }))).message).toContain('settings.shopId');
      expect((await expectProviderError(adapter.verifyConnection({ ...connection, secrets: {} }))).message).toContain('secrets.apiKey');
      expect(sim.requests()).toHaveLength(0);
    });

    it('waits on 429 with Retry-After and retries on 5xx', async () => {
      const verify = () => adapter.verifyConnection(connection);
      expect((await expectRateLimited(sim, verify, 3)).message).toContain('Too Many Requests');
      await expectOutage(sim, verify);
    });
  });

  describe('webhooks', () => {
    it('has none: nothing verifies, no delivery id, parsing explains polling', () => {
      const raw = { body: Buffer.from('{}'), headers: {}, query: {} };
      expect(adapter.verifyWebhook(connection, raw)).toBe(false);
      expect(adapter.deliveryId(raw)).toBeNull();
      expect(() => adapter.parseWebhook(raw)).toThrow('91APP has no order webhooks; orders are polled');
    });
  });

  describe('pollOrders', () => {
    it('declares the 7-day window limit', () => {
      expect(adapter.maxPollWindowMs).toBe(7 * DAY);
    });

    it('sends the window in Taipei time and maps an order to a full snapshot', async () => {
      const order = sim.createOrder(SHOP_ID, { MemberCellphone: '0912-345-678', TotalPayment: 1380 });
      const window = recentWindow();
      const page = await adapter.pollOrders(connection, window);

      const [req] = sim.requests('/ec/V2/SalesOrder/GetList');
      expect(req?.json).toEqual({
        ShopId: Number(SHOP_ID),
        DateType: 'UpdateDateTime',
        StartDate: toTaipeiDateTime(window.since),
        EndDate: toTaipeiDateTime(Math.ceil(window.until / 1000) * 1000 - 1000),
        Position: 0,
        Count: 100,
      });
      expect(page.cursor).toBeNull();
      expect(page.events).toHaveLength(1);
      const event = page.events[0]!;
      expect(event.type).toBe('order.placed');
      expect(event.idempotencyKey).toBe(`91app:${SHOP_ID}:${order.TMCode}:WaitingForPayment`);
      expect(event.occurredAt).toBe(parseTaipeiDateTime(order.UpdateDateTime));
      expect(event.data).toMatchObject({ tgCode: order.TGCode, tmCode: order.TMCode, orderStatus: 'WaitingForPayment' });
      expect(event.order).toMatchObject({
        externalId: order.TMCode,
        name: order.TGCode,
        customerExternalId: order.MemberId,
        customerName: order.MemberName,
        email: order.MemberEmail,
        phone: '+886912345678',
        total: { amount: '1380', currency: 'TWD' },
        financialStatus: 'pending',
        paymentMethod: 'CreditCardOnce',
        statusUrl: `https://shop.example.com.tw/V2/TradesOrder/TradesOrderDetail/${order.TGCode}`,
        shippingAddress: { name: order.ReceiverName, line1: order.ReceiverAddress, city: order.ReceiverCity, postalCode: order.ReceiverZipCode, country: 'TW' },
        createdAt: new Date(parseTaipeiDateTime(order.OrderDateTime)!).toISOString(),
      });
      const line = order.SalesOrderSlaveList[0]!;
      expect(event.order?.lines).toEqual([{ sku: line.OuterId, title: line.ProductName, quantity: line.Qty, price: String(line.Price) }]);
    });

    it('maps every 91APP status to its event', async () => {
      const expected: Array<[NinetyOneAppOrder['OrderStatus'], string]> = [
        ['WaitingForPayment', 'order.placed'],
        ['WaitingForShipping', 'order.paid'],
        ['Shipping', 'order.shipped'],
        ['Finish', 'order.delivered'],
        ['Cancel', 'order.cancelled'],
      ];
      const orders = expected.map(([status]) => sim.createOrder(SHOP_ID, { OrderStatus: status }));
      const page = await adapter.pollOrders(connection, recentWindow());
      const byCode = new Map(page.events.map((e) => [e.order?.externalId, e]));
      expected.forEach(([status, type], i) => {
        const event = byCode.get(orders[i]!.TMCode);
        expect(event?.type).toBe(type);
        expect(event?.idempotencyKey).toBe(`91app:${SHOP_ID}:${orders[i]!.TMCode}:${status}`);
      });
    });

    it('pages across two requests with Position as the cursor', async () => {
      for (let i = 0; i < 130; i++) sim.createOrder(SHOP_ID);
      const window = recentWindow();
      const first = await adapter.pollOrders(connection, window);
      expect(first.events).toHaveLength(100);
      expect(first.cursor).toBe('100');
      const second = await adapter.pollOrders(connection, { ...window, cursor: first.cursor });
      expect(second.events).toHaveLength(30);
      expect(second.cursor).toBeNull();
      expect(sim.requests('/ec/V2/SalesOrder/GetList').map((r) => (r.json as { Position: number }).Position)).toEqual([0, 100]);
      const keys = new Set([...first.events, ...second.events].map((e) => e.idempotencyKey));
      expect(keys.size).toBe(130);
    });

    it('stops after a full last page when TotalCount is reached', async () => {
      for (let i = 0; i < 100; i++) sim.createOrder(SHOP_ID);
      const page = await adapter.pollOrders(connection, recentWindow());
      expect(page.events).toHaveLength(100);
      expect(page.cursor).toBeNull();
    });

    it('refuses a window over 7 days without calling 91APP, and the simulator refuses it too', async () => {
      const until = Date.now();
      await expect(adapter.pollOrders(connection, { since: until - NINETYONEAPP_MAX_WINDOW_MS - 1000, until, cursor: null })).rejects.toThrow(/longer than 7 days/);
      expect(sim.requests()).toHaveLength(0);
      // Exactly 7 days is allowed.
      await expect(adapter.pollOrders(connection, { since: until - NINETYONEAPP_MAX_WINDOW_MS, until, cursor: null })).resolves.toMatchObject({ cursor: null });

      const res = await fetch(`${sim.baseUrl}/ec/V2/SalesOrder/GetList`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({ ShopId: Number(SHOP_ID), DateType: 'UpdateDateTime', StartDate: '2026-01-01T00:00:00', EndDate: '2026-01-09T00:00:00', Position: 0, Count: 100 }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ Status: 'Error', ErrorMessage: expect.stringContaining('7 days') });
    });

    it('only returns orders whose UpdateDateTime falls in the Taipei-time window', async () => {
      const inside = Date.UTC(2026, 0, 10, 2, 0, 0); // 10:00 Taipei
      sim.createOrder(SHOP_ID, { UpdateDateTime: '2026-01-10T10:00:00' });
      sim.createOrder(SHOP_ID, { UpdateDateTime: '2026-01-10T12:00:00' });
      const page = await adapter.pollOrders(connection, { since: inside - HOUR, until: inside + HOUR, cursor: null });
      expect(page.events).toHaveLength(1);
      expect(page.events[0]!.occurredAt).toBe(inside);
      expect((sim.requests('/ec/V2/SalesOrder/GetList')[0]?.json as { StartDate: string }).StartDate).toBe('2026-01-10T09:00:00');
    });

    it('keeps keys stable when re-polling and makes a new key when the status changes', async () => {
      const order = sim.createOrder(SHOP_ID);
      const window = recentWindow();
      const first = await adapter.pollOrders(connection, window);
      const again = await adapter.pollOrders(connection, window);
      expect(again.events.map((e) => e.idempotencyKey)).toEqual(first.events.map((e) => e.idempotencyKey));

      sim.setOrderStatus(order.TMCode, 'WaitingForShipping');
      const paid = await adapter.pollOrders(connection, recentWindow());
      expect(paid.events.map((e) => e.type)).toEqual(['order.paid']);
      expect(paid.events[0]!.idempotencyKey).toBe(`91app:${SHOP_ID}:${order.TMCode}:WaitingForShipping`);
      expect(paid.events[0]!.idempotencyKey).not.toBe(first.events[0]!.idempotencyKey);
      const paidAgain = await adapter.pollOrders(connection, recentWindow());
      expect(paidAgain.events[0]!.idempotencyKey).toBe(paid.events[0]!.idempotencyKey);

      sim.setOrderStatus(order.TGCode, 'Finish');
      const done = await adapter.pollOrders(connection, recentWindow());
      expect(done.events[0]).toMatchObject({ type: 'order.delivered', idempotencyKey: `91app:${SHOP_ID}:${order.TMCode}:Finish` });
      expect(done.events[0]!.order?.fulfillmentStatus).toBe('delivered');
    });

    it('moves an order out of an old window when its UpdateDateTime is bumped', async () => {
      const createdAt = Date.UTC(2026, 0, 10, 2, 0, 0);
      const order = sim.createOrder(SHOP_ID, { OrderDateTime: toTaipeiDateTime(createdAt), UpdateDateTime: toTaipeiDateTime(createdAt) });
      sim.setOrderStatus(order.TMCode, 'Shipping', { at: createdAt + 2 * DAY });
      const oldWindow = await adapter.pollOrders(connection, { since: createdAt - HOUR, until: createdAt + HOUR, cursor: null });
      expect(oldWindow.events).toHaveLength(0);
      const newWindow = await adapter.pollOrders(connection, { since: createdAt + DAY, until: createdAt + 3 * DAY, cursor: null });
      expect(newWindow.events.map((e) => e.type)).toEqual(['order.shipped']);
      expect(newWindow.events[0]!.occurredAt).toBe(createdAt + 2 * DAY);
    });

    it('classifies 429 and 5xx on the order list', async () => {
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 5, path: '/ec/V2/SalesOrder/GetList' });
      const limited = await expectProviderError(adapter.pollOrders(connection, recentWindow()));
      expect(limited.kind).toBe('retry_after');
      expect(limited.retryAfterMs).toBe(5000);
      sim.injectFault({ kind: 'status', status: 502 });
      expect((await expectProviderError(adapter.pollOrders(connection, recentWindow()))).kind).toBe('retryable');
    });

    it('refuses a cursor that is not a position', async () => {
      await expect(adapter.pollOrders(connection, { ...recentWindow(), cursor: 'abc' })).rejects.toThrow(/not a position/);
    });
  });

  describe('fetchOrder', () => {
    it('returns the snapshot by TMCode, or null for an unknown code', async () => {
      const order = sim.createOrder(SHOP_ID, { OrderStatus: 'Shipping' });
      const snapshot = await adapter.fetchOrder(connection, order.TMCode);
      expect(snapshot).toMatchObject({ externalId: order.TMCode, name: order.TGCode, fulfillmentStatus: 'shipped', financialStatus: 'paid' });
      expect(sim.requests('/ec/V2/SalesOrder/Get').at(-1)?.json).toEqual({ ShopId: Number(SHOP_ID), TMCode: order.TMCode });
      expect(await adapter.fetchOrder(connection, 'TM000000X00000')).toBeNull();
    });

    it('refuses a wrong key as permanent', async () => {
      const err = await expectProviderError(adapter.fetchOrder({ ...connection, secrets: { apiKey: 'nope' } }, 'TM1'));
      expect(err.kind).toBe('permanent');
    });
  });

  describe('helpers', () => {
    it('converts Taiwan mobiles to E.164 and keeps other numbers', () => {
      expect(taiwanPhoneToE164('0912345678')).toBe('+886912345678');
      expect(taiwanPhoneToE164('0922-123-456')).toBe('+886922123456');
      expect(taiwanPhoneToE164('+886 933 456 789')).toBe('+886933456789');
      expect(taiwanPhoneToE164('02-2345-6789')).toBe('02-2345-6789');
    });

    it('reads 91APP dates as Taipei time', () => {
      expect(parseTaipeiDateTime('2026-01-10T10:00:00')).toBe(Date.UTC(2026, 0, 10, 2));
      expect(parseTaipeiDateTime('2026/01/10 10:00:00')).toBe(Date.UTC(2026, 0, 10, 2));
      expect(parseTaipeiDateTime('2026-01-10T10:00:00.123')).toBe(Date.UTC(2026, 0, 10, 2, 0, 0, 123));
      expect(parseTaipeiDateTime('2026-01-10T02:00:00Z')).toBe(Date.UTC(2026, 0, 10, 2));
      expect(parseTaipeiDateTime('yesterday')).toBeNull();
      expect(toTaipeiDateTime(Date.UTC(2025, 11, 31, 20, 30, 5))).toBe('2026-01-01T04:30:05');
    });
  });

  describe('simulator API and control API', () => {
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
      fetch(`${sim.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

    it('validates GetList bodies with Status Error envelopes', async () => {
      const auth = { 'x-api-key': API_KEY };
      const base = { ShopId: Number(SHOP_ID), DateType: 'UpdateDateTime', StartDate: '2026-01-01T00:00:00', EndDate: '2026-01-02T00:00:00', Position: 0, Count: 100 };
      const cases: Array<[unknown, string]> = [
        [{ ...base, DateType: 'CreatedAt' }, 'DateType'],
        [{ ...base, Count: 101 }, 'Count'],
        [{ ...base, Position: -1 }, 'Position'],
        [{ ...base, StartDate: 'soon' }, 'StartDate'],
        [{ ...base, EndDate: '2025-12-31T00:00:00' }, 'EndDate'],
        [{ ...base, OrderStatus: 'Lost' }, 'OrderStatus'],
        ['not json', 'JSON object'],
      ];
      for (const [body, word] of cases) {
        const res = await post('/ec/V2/SalesOrder/GetList', body, auth);
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ Status: 'Error', ErrorMessage: expect.stringContaining(word) });
      }
      expect((await post('/ec/V2/SalesOrder/GetList', base)).status).toBe(401);
      expect((await post('/ec/V2/SalesOrder/Get', { ShopId: Number(SHOP_ID) }, auth)).status).toBe(400);
    });

    it('registers shops, creates orders, sets statuses and lists orders over HTTP', async () => {
      expect((await post('/_sim/shops', { shopId: 'abc', apiKey: 'k' })).status).toBe(400);
      expect((await post('/_sim/shops', { shopId: '555' })).status).toBe(400);
      expect((await post('/_sim/shops', 'nope')).status).toBe(400);
      expect((await post('/_sim/shops', { shopId: 555, apiKey: 'key-555', shopName: 'Shop 555' })).status).toBe(201);

      expect((await post('/_sim/orders', { shopId: '404' })).status).toBe(404);
      expect((await post('/_sim/orders', { shopId: '555', order: 'x' })).status).toBe(400);
      expect((await post('/_sim/orders', { shopId: '555', order: { OrderStatus: 'Gone' } })).status).toBe(400);
      const created = await post('/_sim/orders', { shopId: '555', order: { TotalPayment: 999 } });
      expect(created.status).toBe(201);
      const order = (await created.json()) as NinetyOneAppOrder;
      expect(order).toMatchObject({ OrderStatus: 'WaitingForPayment', TotalPayment: 999, ShopId: 555 });

      expect((await post(`/_sim/orders/${order.TMCode}/status`, { status: 'Lost' })).status).toBe(400);
      expect((await post(`/_sim/orders/${order.TMCode}/status`, { status: 'Cancel', at: 'later' })).status).toBe(400);
      expect((await post('/_sim/orders/TM-nope/status', { status: 'Cancel' })).status).toBe(404);
      const moved = await post(`/_sim/orders/${order.TMCode}/status`, { status: 'Cancel' });
      expect(moved.status).toBe(200);
      expect(((await moved.json()) as NinetyOneAppOrder).OrderStatus).toBe('Cancel');

      const listed = (await (await fetch(`${sim.baseUrl}/_sim/orders?shopId=555&status=Cancel`)).json()) as NinetyOneAppOrder[];
      expect(listed.map((o) => o.TMCode)).toEqual([order.TMCode]);
      expect((await fetch(`${sim.baseUrl}/_sim/orders?status=Nope`)).status).toBe(400);
      expect((await fetch(`${sim.baseUrl}/_sim/orders?shopId=1`)).status).toBe(404);
      const shops = (await (await fetch(`${sim.baseUrl}/_sim/shops`)).json()) as Array<{ shopId: string; orderCount: number }>;
      expect(shops.find((s) => s.shopId === '555')?.orderCount).toBe(1);

      const conn: StoreConnectionCredentials = { settings: { shopId: '555' }, secrets: { apiKey: 'key-555' } };
      expect((await adapter.verifyConnection(conn)).displayName).toBe('Shop 555');
      const page = await adapter.pollOrders(conn, recentWindow());
      expect(page.events.map((e) => e.type)).toEqual(['order.cancelled']);
    });
  });
});
