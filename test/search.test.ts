// Search as merchants type it: parts of names and e-mails in any case, order numbers with or without '#',
// phone numbers in any format, the user's own % and _ taken literally, orders named by their store.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { hubVariants } from './support/variants.js';

const hex = (n: number) => randomBytes(n).toString('hex');
const variants = hubVariants('sql');

interface OrderRow {
  id: string;
  name: string;
  store_connection_id: string;
  store_name: string | null;
}
interface CustomerRow {
  id: string;
  name: string | null;
}

describe.each(variants)('search for orders and customers ($name)', (variant) => {
  let t: TestHub;
  let key = '';
  let otherKey = '';
  const stores: Record<string, string> = {};
  const customers: Record<string, string> = {};

  const pushOrder = async (store: string, order: Record<string, unknown>) => {
    const res = await t.api('POST', '/v1/events', key, { store_connection_id: store, type: 'order.placed', idempotency_key: `k-${hex(6)}`, order });
    expect(res.status).toBe(201);
  };
  const orders = async (query: string, apiKey = key) => {
    const res = await t.api<{ data: OrderRow[] }>('GET', `/v1/orders?query=${encodeURIComponent(query)}`, apiKey);
    expect(res.status).toBe(200);
    return res.body.data;
  };
  const found = async (query: string, apiKey = key) => {
    const res = await t.api<{ data: CustomerRow[] }>('GET', `/v1/customers?query=${encodeURIComponent(query)}`, apiKey);
    expect(res.status).toBe(200);
    return res.body.data.map((c) => c.name).sort();
  };

  beforeAll(async () => {
    t = await startTestHub(variant);
    const ws = await t.hub.workspaces.createWorkspace('Search Tea');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    for (const name of ['Taipei Shop', 'Tainan Shop']) {
      const res = await t.api<{ id: string }>('POST', '/v1/store-connections', key, { platform: 'generic', name });
      expect(res.status).toBe(201);
      stores[name] = res.body.id;
    }
    await pushOrder(stores['Taipei Shop']!, { id: 'a-1001', name: '#1001', customer_name: 'Lin Mei', email: 'Mei.Lin@Example.com', phone: '0912-000-777' });
    await pushOrder(stores['Tainan Shop']!, { id: 'b-1001', name: '#1001', customer_name: 'Chen Wei', email: 'wei@example.com', phone: '+886 933 111 222' });
    await pushOrder(stores['Taipei Shop']!, { id: 'a-2050', name: '#2050', customer_name: '100% Tea_Lover', email: 'lover@example.com', phone: null });
    for (const c of [
      { name: 'Lin Mei', email: 'mei.lin@example.com', phone: '+886912000777' },
      { name: 'Linda Park', email: 'LINDA@Example.org', phone: '+14155550123' },
      { name: 'Chen Wei', email: 'wei@example.com', phone: null },
      { name: '50% Off_Fan', email: null, phone: null },
    ]) {
      const res = await t.api<{ id: string }>('POST', '/v1/customers', key, c);
      expect(res.status).toBe(201);
      customers[c.name] = res.body.id;
    }
    // A WhatsApp identity is found by its number too.
    const wa = await t.api('POST', `/v1/customers/${customers['Chen Wei']}/identities`, key, { kind: 'phone', value: '+886 933 111 222' });
    expect(wa.status).toBe(201);
    // Another workspace with the same names never shows up.
    const other = await t.hub.workspaces.createWorkspace('Other Tea');
    otherKey = (await t.hub.workspaces.createApiKey(other.id, 'tests')).key;
    expect((await t.api('POST', '/v1/customers', otherKey, { name: 'Lin Mei Other', email: 'mei.other@example.com', phone: '+886912000777' })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('finds orders by number with or without #, and names the store of each', async () => {
    const withHash = await orders('#1001');
    const withoutHash = await orders('1001');
    expect(withHash.map((o) => o.id).sort()).toEqual(withoutHash.map((o) => o.id).sort());
    expect(withHash.map((o) => o.store_name).sort()).toEqual(['Tainan Shop', 'Taipei Shop']);
    expect(withHash.every((o) => o.name === '#1001')).toBe(true);
    expect((await orders('105')).length).toBe(0);
    const one = await t.api<OrderRow>('GET', `/v1/orders/${withHash[0]!.id}`, key);
    expect(one.body.store_name).toBe(withHash[0]!.store_name);
  });

  it('finds orders by part of the name in any case, by e-mail and by phone in any format', async () => {
    expect((await orders('mei')).map((o) => o.store_name)).toEqual(['Taipei Shop']);
    expect((await orders('LIN M')).length).toBe(1);
    expect((await orders('mei.lin@EXAMPLE')).length).toBe(1);
    for (const phone of ['+886 912-000-777', '0912000777', '912000777', '(0912) 000 777']) {
      expect((await orders(phone)).map((o) => o.name), phone).toEqual(['#1001']);
    }
    expect((await orders('0933111222')).map((o) => o.store_name)).toEqual(['Tainan Shop']);
  });

  it('takes % and _ in the search literally', async () => {
    expect((await orders('100%')).map((o) => o.name)).toEqual(['#2050']);
    expect((await orders('%')).map((o) => o.name)).toEqual(['#2050']);
    expect((await orders('a_l')).map((o) => o.name)).toEqual(['#2050']);
    expect(await found('%')).toEqual(['50% Off_Fan']);
    expect(await found('f_f')).toEqual(['50% Off_Fan']);
    expect(await found('\\')).toEqual([]);
  });

  it('finds customers by prefix and part of a name, e-mail, and phone in any format', async () => {
    expect(await found('lin')).toEqual(['Lin Mei', 'Linda Park']);
    expect(await found('LIND')).toEqual(['Linda Park']);
    expect(await found('ei')).toEqual(['Chen Wei', 'Lin Mei']);
    expect(await found('mei lin')).toEqual(['Lin Mei']);
    expect(await found('linda@example')).toEqual(['Linda Park']);
    expect(await found('EXAMPLE.ORG')).toEqual(['Linda Park']);
    for (const phone of ['+886 912-000-777', '0912000777', '912000777', '+886912000777', '00886912000777']) {
      expect(await found(phone), phone).toEqual(['Lin Mei']);
    }
    expect(await found('415-555-0123')).toEqual(['Linda Park']);
    // Found by the phone identity, though the customer has no contact phone.
    expect(await found('0933 111 222')).toEqual(['Chen Wei']);
    expect(await found('nobody')).toEqual([]);
  });

  it('keeps each workspace’s search to its own customers', async () => {
    expect(await found('0912000777', otherKey)).toEqual(['Lin Mei Other']);
    expect(await found('lin mei')).toEqual(['Lin Mei']);
  });
});
