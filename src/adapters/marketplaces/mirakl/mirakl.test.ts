// Mirakl (EmpikPlace) adapter + simulator over real HTTP: the simulator plays the seller API (A01, M11, M10,
// M12, OR11); the adapter verifies the key, polls threads, replies with attachments and reads orders.
import { describe, expect, it } from 'vitest';
import type { StoreConnectionCredentials } from '../../../core/stores/ports.js';
import { MiraklAdapter, multipartBody } from './index.js';
import { MiraklSimulator } from './simulator.js';
import type { MiraklOrder } from './simulator.js';
import { expectOutage, expectProviderError, expectRateLimited, expectRefusal } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const API_KEY = 'c0ffee00-1234-4abc-9def-empikplace-key';
const SHOP_ID = '2001';
const SHOP_NAME = 'Księgarnia Pod Lipą';
const T0 = Date.parse('2026-05-04T08:00:00.000Z');
const minutes = (n: number): number => T0 + n * 60_000;

describe('Mirakl adapter with the simulator', () => {
  const sim = new MiraklSimulator({ now: () => minutes(100), maxMessageAttachmentBytes: 1000 });
  let adapter: MiraklAdapter;
  let order: MiraklOrder;
  const connection: StoreConnectionCredentials = { settings: {}, secrets: { apiKey: API_KEY } };

  serveSimulator(sim, [], {
    started: (baseUrl) => (adapter = new MiraklAdapter({ baseUrl, backOfficeUrl: 'https://seller.example.test/' })),
    seed: () => {
      sim.addShop({ apiKey: API_KEY, shopId: SHOP_ID, shopName: SHOP_NAME });
      order = sim.createOrder({
        shopId: SHOP_ID,
        commercialId: '10004242',
        customer: { id: 'CUST-777', firstname: 'Anna', lastname: 'Kowalska' },
        lines: [
          { title: 'Lalka — Bolesław Prus', sku: 'KS-LALKA-01', quantity: 2, unitPrice: 29.95 },
          { title: 'Kubek termiczny 450 ml', sku: 'DOM-KUB-450', quantity: 1, unitPrice: 39.99 },
        ],
        shippingPrice: 9.99,
      });
    },
  });

  describe('verifyAccount', () => {
    it('returns the shop for a good key, sent raw in Authorization', async () => {
      expect(await adapter.verifyAccount(connection)).toEqual({ shopId: SHOP_ID, shopName: SHOP_NAME });
      const [req] = sim.requests('/api/account');
      expect(req?.headers['authorization']).toBe(API_KEY);
    });

    it('sends shop_id when the connection names one', async () => {
      await adapter.verifyAccount({ ...connection, settings: { shopId: SHOP_ID } });
      expect(sim.requests('/api/account')[0]?.query).toEqual({ shop_id: SHOP_ID });
    });

    it('reports a refused key as permanent without echoing it', async () => {
      await expectRefusal(adapter.verifyAccount({ ...connection, secrets: { apiKey: 'wrong-key' } }), { httpStatus: 401, says: 'EmpikPlace refused the API key', hides: 'wrong-key' });
    });

    it('reports a key not linked to the named shop (403) as refused', async () => {
      await expectRefusal(adapter.verifyAccount({ ...connection, settings: { shopId: '9999' } }), { httpStatus: 403, says: 'EmpikPlace refused the API key' });
    });

    it('refuses a missing key without calling out', async () => {
      const err = await expectProviderError(adapter.verifyAccount({ settings: {}, secrets: {} }));
      expect(err.kind).toBe('permanent');
      expect(sim.requests()).toHaveLength(0);
    });

    it('waits on 429 with Retry-After', async () => {
      await expectRateLimited(sim, () => adapter.verifyAccount(connection), 3);
    });

    it('retries on 5xx', async () => {
      await expectOutage(sim, () => adapter.verifyAccount(connection));
    });
  });

  describe('listThreads', () => {
    it('pages across two pages and filters by updated_since', async () => {
      const old = sim.createThread({ orderId: order.order_id, body: 'Stara sprawa', at: minutes(1) });
      const a = sim.createThread({ orderId: order.order_id, body: 'Gdzie jest paczka?', at: minutes(10) });
      const b = sim.createThread({ orderId: order.order_id, body: 'Czy mogę zwrócić?', at: minutes(20) });
      const c = sim.createThread({ orderId: order.order_id, body: 'Faktura proszę', at: minutes(30) });
      // A later message moves a thread to the end of the listing.
      sim.addMessage(a.id, 'customer', 'Halo?', [], { at: minutes(40) });

      const first = await adapter.listThreads(connection, { updatedSince: minutes(10), pageToken: null, limit: 2 });
      expect(first.threads.map((t) => t.id)).toEqual([b.id, c.id]);
      expect(first.nextPageToken).not.toBeNull();
      const second = await adapter.listThreads(connection, { updatedSince: minutes(10), pageToken: first.nextPageToken, limit: 2 });
      expect(second.threads.map((t) => t.id)).toEqual([a.id]);
      expect(second.nextPageToken).toBeNull();
      expect([...first.threads, ...second.threads].map((t) => t.id)).not.toContain(old.id);

      const [req] = sim.requests('/api/inbox/threads');
      expect(req?.query).toEqual({ updated_since: new Date(minutes(10)).toISOString(), with_messages: 'true', limit: '2' });
      expect(second.threads[0]?.updatedAt).toBe(minutes(40));
      expect(second.threads[0]?.createdAt).toBe(minutes(10));
    });

    it('extracts the customer and the order id and maps the three authors, oldest first', async () => {
      const thread = sim.createThread({ orderId: order.order_id, body: 'Paczka nie dotarła', topic: 'Dostawa', at: minutes(1), attachments: [{ name: 'zdjecie.jpg', size: 2048 }] });
      sim.addMessage(thread.id, 'shop', 'Sprawdzamy u kuriera', [], { at: minutes(2) });
      sim.addMessage(thread.id, 'operator', 'Prosimy o odpowiedź w 48 h', [], { at: minutes(3) });

      const { threads } = await adapter.listThreads(connection, { updatedSince: 0, pageToken: null, limit: 50 });
      expect(threads).toHaveLength(1);
      const t = threads[0]!;
      expect(t.customer).toEqual({ id: 'CUST-777', name: 'Anna Kowalska' });
      expect(t.orderId).toBe(order.order_id);
      expect(t.topic).toBe('Dostawa');
      expect(t.messages.map((m) => [m.author, m.body, m.createdAt])).toEqual([
        ['customer', 'Paczka nie dotarła', minutes(1)],
        ['shop', 'Sprawdzamy u kuriera', minutes(2)],
        ['operator', 'Prosimy o odpowiedź w 48 h', minutes(3)],
      ]);
      expect(t.messages[0]?.authorName).toBe('Anna Kowalska');
      expect(t.messages[0]?.attachments).toEqual([{ id: expect.any(String), name: 'zdjecie.jpg', size: 2048 }]);
    });

    it('M10 returns the same thread', async () => {
      const thread = sim.createThread({ orderId: order.order_id, body: 'Pytanie', at: minutes(1) });
      const t = await adapter.getThread(connection, thread.id);
      expect(t.id).toBe(thread.id);
      expect(t.messages.map((m) => m.body)).toEqual(['Pytanie']);
    });

    it('retries on 5xx while polling', async () => {
      sim.injectFault({ kind: 'status', status: 500, path: '/api/inbox/threads' });
      const err = await expectProviderError(adapter.listThreads(connection, { updatedSince: 0, pageToken: null, limit: 10 }));
      expect(err.kind).toBe('retryable');
    });
  });

  describe('reply', () => {
    it('delivers two attachments with the right names and sizes, and the reply shows up as a shop message', async () => {
      const thread = sim.createThread({ orderId: order.order_id, body: 'Poproszę fakturę', at: minutes(1) });
      const invoice = Buffer.from('%PDF-1.4 faktura VAT 10004242\n', 'utf8');
      const note = Buffer.from('Zwrot: żółć, gęś — 14 dni\n', 'utf8');
      const { messageId } = await adapter.reply(connection, {
        threadId: thread.id,
        body: 'Dzień dobry, w załączeniu faktura.',
        customerId: 'CUST-777',
        toOperator: false,
        attachments: [
          { name: 'faktura "10004242".pdf', contentType: 'application/pdf', data: invoice },
          { name: 'zwroty-żółć.txt', contentType: 'text/plain; charset=utf-8', data: note },
        ],
      });
      const [sent] = sim.shopReplies(thread.id);
      expect(sent?.messageId).toBe(messageId);
      expect(sent?.body).toBe('Dzień dobry, w załączeniu faktura.');
      expect(sent?.to).toEqual([{ type: 'CUSTOMER', id: 'CUST-777' }]);
      expect(sent?.attachments).toEqual([
        { name: 'faktura "10004242".pdf', contentType: 'application/pdf', size: invoice.length },
        { name: 'zwroty-żółć.txt', contentType: 'text/plain; charset=utf-8', size: note.length },
      ]);
      expect(sim.requests('/api/inbox/threads/')[0]?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);

      const { threads } = await adapter.listThreads(connection, { updatedSince: minutes(50), pageToken: null, limit: 10 });
      const last = threads[0]?.messages.at(-1);
      expect(last?.id).toBe(messageId);
      expect(last?.author).toBe('shop');
      expect(last?.attachments.map((a) => [a.name, a.size])).toEqual([
        ['faktura "10004242".pdf', invoice.length],
        ['zwroty-żółć.txt', note.length],
      ]);
    });

    it('copies the operator when asked', async () => {
      const thread = sim.createThread({ orderId: order.order_id, body: 'Reklamacja', at: minutes(1) });
      await adapter.reply(connection, { threadId: thread.id, body: 'Przekazujemy', customerId: 'CUST-777', toOperator: true, attachments: [] });
      expect(sim.shopReplies()[0]?.to).toEqual([{ type: 'CUSTOMER', id: 'CUST-777' }, { type: 'OPERATOR' }]);
    });

    it('refuses a reply with nobody to write to without calling out', async () => {
      const err = await expectProviderError(adapter.reply(connection, { threadId: 'x', body: 'Hej', customerId: null, toOperator: false, attachments: [] }));
      expect(err.kind).toBe('permanent');
      expect(sim.requests()).toHaveLength(0);
    });

    it('reports a missing body as permanent with Mirakl\'s message', async () => {
      const thread = sim.createThread({ orderId: order.order_id, body: 'Pytanie', at: minutes(1) });
      const err = await expectProviderError(adapter.reply(connection, { threadId: thread.id, body: '', customerId: 'CUST-777', toOperator: false, attachments: [] }));
      expect(err.kind).toBe('permanent');
      expect(err.httpStatus).toBe(400);
      expect(err.message).toContain('body is required');
      expect(sim.shopReplies()).toHaveLength(0);
    });

    it('refuses attachments above the per-message size limit', async () => {
      const thread = sim.createThread({ orderId: order.order_id, body: 'Pytanie', at: minutes(1) });
      const big = { name: 'duzy.txt', contentType: 'text/plain', data: Buffer.alloc(1001, 'a') };
      const err = await expectProviderError(adapter.reply(connection, { threadId: thread.id, body: 'Plik', customerId: 'CUST-777', toOperator: false, attachments: [big] }));
      expect(err.kind).toBe('permanent');
      expect(err.message).toContain('1001 bytes');
    });

    it('measures binary attachments in bytes: exactly at the limit passes, one byte over is refused', async () => {
      const thread = sim.createThread({ orderId: order.order_id, body: 'Zdjęcie?', at: minutes(1) });
      // A PNG signature followed by bytes that are not UTF-8: decoded as text they would triple in size.
      const png = (size: number): Buffer => {
        const b = Buffer.alloc(size, 0xff);
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b);
        return b;
      };
      const atLimit = { name: 'paczka.png', contentType: 'image/png', data: png(1000) };
      await adapter.reply(connection, { threadId: thread.id, body: 'Zdjęcie', customerId: 'CUST-777', toOperator: false, attachments: [atLimit] });
      expect(sim.shopReplies(thread.id)[0]?.attachments).toEqual([{ name: 'paczka.png', contentType: 'image/png', size: 1000 }]);

      const over = { ...atLimit, data: png(1001) };
      const err = await expectProviderError(adapter.reply(connection, { threadId: thread.id, body: 'Zdjęcie', customerId: 'CUST-777', toOperator: false, attachments: [over] }));
      expect(err.kind).toBe('permanent');
      expect(err.message).toContain('1001 bytes');
    });

    it('refuses an unknown thread as permanent', async () => {
      const err = await expectProviderError(adapter.reply(connection, { threadId: 'nope', body: 'Hej', customerId: 'CUST-777', toOperator: false, attachments: [] }));
      expect(err.kind).toBe('permanent');
      expect(err.httpStatus).toBe(404);
    });

    it('waits on 429 and retries on 5xx', async () => {
      const thread = sim.createThread({ orderId: order.order_id, body: 'Pytanie', at: minutes(1) });
      const input = { threadId: thread.id, body: 'Hej', customerId: 'CUST-777', toOperator: false, attachments: [] };
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 7 });
      const limited = await expectProviderError(adapter.reply(connection, input));
      expect(limited.kind).toBe('retry_after');
      expect(limited.retryAfterMs).toBe(7000);
      sim.injectFault({ kind: 'status', status: 502 });
      const down = await expectProviderError(adapter.reply(connection, input));
      expect(down.kind).toBe('retryable');
      expect(sim.shopReplies()).toHaveLength(0);
    });
  });

  describe('orders', () => {
    it('maps totals, lines and the customer', async () => {
      const orders = await adapter.orders(connection, [order.order_id]);
      expect(orders).toEqual([
        {
          id: order.order_id,
          commercialId: '10004242',
          state: 'SHIPPING',
          createdAt: minutes(100),
          total: { amount: '109.88', currency: 'PLN' },
          customer: { id: 'CUST-777', name: 'Anna Kowalska' },
          lines: [
            { sku: 'KS-LALKA-01', title: 'Lalka — Bolesław Prus', quantity: 2, price: '59.90' },
            { sku: 'DOM-KUB-450', title: 'Kubek termiczny 450 ml', quantity: 1, price: '39.99' },
          ],
        },
      ]);
    });

    it('asks for at most 100 ids per call', async () => {
      const ids = Array.from({ length: 150 }, (_, i) => sim.createOrder({ shopId: SHOP_ID, orderId: `ORD-${i}` }).order_id);
      const orders = await adapter.orders(connection, ids);
      expect(orders.map((o) => o.id).sort()).toEqual([...ids].sort());
      const calls = sim.requests('/api/orders');
      expect(calls.map((r) => r.query['order_ids']?.split(',').length)).toEqual([100, 50]);
    });

    it('links to the back office', () => {
      expect(adapter.orderUrl(connection, '10004242-A')).toBe('https://seller.example.test/mmp/shop/order/10004242-A');
      expect(adapter.threadUrl(connection, 'abc')).toBe('https://seller.example.test/mmp/shop/inbox/thread/abc');
    });
  });

  describe('simulator', () => {
    const call = async (method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(`${sim.baseUrl}${path}`, { method, headers: { authorization: API_KEY, ...(init.headers ?? {}) }, body: init.body });
      return { status: res.status, json: await res.json() };
    };

    it('answers 401 in Mirakl\'s shape without a key', async () => {
      const res = await fetch(`${sim.baseUrl}/api/account`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ status: 401, message: 'Unauthorized' });
    });

    it('refuses a limit above 100 and a bad page token', async () => {
      expect((await call('GET', '/api/inbox/threads?limit=101')).status).toBe(400);
      expect((await call('GET', '/api/inbox/threads?page_token=garbage')).status).toBe(400);
      expect((await call('GET', '/api/inbox/threads?entity_id=x')).status).toBe(400);
    });

    it('requires `to` and a multipart body on M12', async () => {
      const thread = sim.createThread({ orderId: order.order_id, body: 'Pytanie', at: minutes(1) });
      const noTo = multipartBody([{ name: 'message_input', contentType: 'application/json', data: Buffer.from(JSON.stringify({ body: 'Hej' })) }]);
      const res = await call('POST', `/api/inbox/threads/${thread.id}/message`, { body: noTo.body.toString('utf8'), headers: { 'content-type': noTo.contentType } });
      expect(res).toEqual({ status: 400, json: { status: 400, message: 'message_input.to is required' } });
      const json = await call('POST', `/api/inbox/threads/${thread.id}/message`, { body: '{}', headers: { 'content-type': 'application/json' } });
      expect(json.status).toBe(400);
    });

    it('answers bad control input with 4xx', async () => {
      const post = (path: string, body: unknown) => fetch(`${sim.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/_sim/shops', { shopId: '1' })).status).toBe(400);
      expect((await post('/_sim/orders', { shopId: 'missing' })).status).toBe(404);
      expect((await post('/_sim/orders', { shopId: SHOP_ID, lines: [{ title: 'X', quantity: 0 }] })).status).toBe(400);
      expect((await post('/_sim/threads', { orderId: order.order_id })).status).toBe(400);
      expect((await post('/_sim/threads/nope/messages', { author: 'customer', body: 'x' })).status).toBe(404);
      const thread = sim.createThread({ orderId: order.order_id, body: 'Pytanie' });
      expect((await post(`/_sim/threads/${thread.id}/messages`, { author: 'robot', body: 'x' })).status).toBe(400);
      const ok = await post(`/_sim/threads/${thread.id}/messages`, { author: 'shop', body: 'Z panelu' });
      expect(ok.status).toBe(201);
    });
  });
});
