// What the console stands on: users with roles, sessions in cookies with CSRF protection, agents kept from
// admin changes, the console served at / without hiding API 404s, and the sandbox phone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';

interface Jar {
  cookie: string;
  csrf: string;
}

describe('console sessions, roles and the sandbox phone', () => {
  let t: TestHub;
  let key: string;
  let shop: string;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false, sandboxPhone: true });
    const m = await setUpMerchant(t);
    key = m.key;
    shop = m.shop;
  });
  afterAll(async () => {
    await t?.close();
  });

  const request = async (method: string, url: string, opts: { jar?: Jar; csrf?: string | null; body?: unknown } = {}) => {
    const headers: Record<string, string> = {};
    if (opts.jar) headers['cookie'] = opts.jar.cookie;
    if (opts.csrf !== null && opts.jar && method !== 'GET') headers['x-csrf-token'] = opts.csrf ?? opts.jar.csrf;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await t.hub.http!.inject({ method: method as 'GET', url, headers, payload: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : null, headers: res.headers };
  };
  const signIn = async (email: string, password: string): Promise<Jar> => {
    const res = await request('POST', '/v1/session', { body: { email, password } });
    expect(res.status).toBe(200);
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] as string[]);
    const session = cookies.find((c) => c.startsWith('shoptalk_session='))!;
    const csrf = cookies.find((c) => c.startsWith('shoptalk_csrf='))!;
    expect(session).toContain('HttpOnly');
    expect(session).toContain('SameSite=Lax');
    expect(csrf).not.toContain('HttpOnly');
    const value = (c: string) => c.split(';')[0]!;
    return { cookie: `${value(session)}; ${value(csrf)}`, csrf: value(csrf).split('=')[1]! };
  };

  it('signs in with a password, checks CSRF on changes, and signs out', async () => {
    const created = await t.api<{ id: string; password: string; role: string }>('POST', '/v1/users', key, { email: 'Admin@Shop.example', role: 'admin' });
    expect(created.status).toBe(201);
    expect(created.body.password.length).toBeGreaterThanOrEqual(12);
    const wrong = await request('POST', '/v1/session', { body: { email: 'admin@shop.example', password: 'not the password' } });
    expect(wrong.status).toBe(401);
    const jar = await signIn('admin@shop.example', created.body.password);
    const me = await request('GET', '/v1/session', { jar });
    expect(me.body).toMatchObject({ user: { email: 'admin@shop.example', role: 'admin' } });
    expect((await request('GET', '/v1/orders', { jar })).status).toBe(200);
    const noCsrf = await request('POST', '/v1/queues', { jar, csrf: null, body: { name: 'Support' } });
    expect(noCsrf.status).toBe(403);
    expect((noCsrf.body as { error: { message: string } }).error.message).toMatch(/x-csrf-token/);
    expect((await request('POST', '/v1/queues', { jar, csrf: 'forged', body: { name: 'Support' } })).status).toBe(403);
    expect((await request('POST', '/v1/queues', { jar, body: { name: 'Support' } })).status).toBe(201);
    expect((await request('DELETE', '/v1/session', { jar })).status).toBe(204);
    expect((await request('GET', '/v1/session', { jar })).status).toBe(401);
    // Each password check is a scrypt at OWASP's cost: seconds apiece on a busy machine.
  }, 180_000);

  it('keeps agents from admin changes but lets them work the inbox; limits failed sign-ins', async () => {
    const agent = await t.api<{ password: string }>('POST', '/v1/users', key, { email: 'agent@shop.example', role: 'agent', password: 'correct horse battery' });
    expect(agent.status).toBe(201);
    const jar = await signIn('agent@shop.example', 'correct horse battery');
    const change = await request('PUT', '/v1/notification-settings/order.placed/whatsapp', { jar, body: { enabled: false } });
    expect(change.status).toBe(403);
    expect((await request('POST', '/v1/users', { jar, body: { email: 'x@shop.example', role: 'admin' } })).status).toBe(403);
    expect((await request('GET', '/v1/tickets', { jar })).status).toBe(200);
    expect((await request('POST', '/v1/contacts', { jar, body: { name: 'A buyer' } })).status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await request('POST', '/v1/session', { body: { email: 'agent@shop.example', password: 'nope nope nope' } })).status).toBe(401);
    expect((await request('POST', '/v1/session', { body: { email: 'agent@shop.example', password: 'correct horse battery' } })).status).toBe(429);
  }, 180_000);

  it('serves the console at / but answers unknown API paths with a 404 error body', async () => {
    const api404 = await t.hub.http!.inject({ method: 'GET', url: '/v1/no-such-thing', headers: { authorization: `Bearer ${key}` } });
    expect(api404.statusCode).toBe(404);
    expect(api404.headers['content-type']).toContain('application/json');
    const page = await t.hub.http!.inject({ method: 'GET', url: '/inbox' });
    expect([200, 404]).toContain(page.statusCode);
    if (page.statusCode === 200) expect(page.body).toContain('<div id="root">');
  });

  it('plays the customer on the sandbox phone: a demo order’s message arrives, and the customer answers', async () => {
    const phone = await t.api<{ channels: Array<{ channel: string }> }>('GET', '/v1/sandbox/phone', key);
    expect(phone.body.channels.map((c) => c.channel)).toContain('whatsapp');
    const order = await t.api<{ order_name: string; phone: string }>('POST', '/v1/sandbox/demo-order', key, { phone: '+44 7700 900777' });
    expect(order.status).toBe(201);
    const address = '447700900777';
    await waitFor(async () => ((await t.api<Array<{ direction: string; text: string }>>('GET', `/v1/sandbox/phone/whatsapp/messages?address=${address}`, key)).body.find((m) => m.text.includes(order.body.order_name)) ?? null), {
      what: 'the order message on the phone',
    });
    expect((await t.api('POST', '/v1/sandbox/phone/whatsapp/messages', key, { address, text: 'hi' })).status).toBe(202);
    const thread = await waitFor(async () => {
      const list = (await t.api<Array<{ direction: string; text: string; buttons: Array<{ id: string }> }>>('GET', `/v1/sandbox/phone/whatsapp/messages?address=${address}`, key)).body;
      return list.some((m) => m.direction === 'in' && m.buttons.length > 0) ? list : null;
    }, { what: 'the welcome with buttons' });
    expect(thread.some((m) => m.direction === 'out' && m.text === 'hi')).toBe(true);
    void shop;
  });
});
