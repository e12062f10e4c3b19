// Every route of the app declares who may call it; agents get 403 on every admin route, reads included (API
// keys, users, connections and their secrets, webhook subscriptions and deliveries, dead jobs); admins do not.
// Every mask the API shows keeps at most the last 4 characters of the secret it hides.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { declaredRoutes } from '../src/http/roles.js';
import { maskDigits, maskEmail, maskTail } from '../src/core/mask.js';
import { maskSecret } from '../src/core/secrets/secret-box.js';
import { maskPhone } from '../src/core/phone.js';
import { maskAddress } from '../src/core/notifications/recipients.js';
import { maskPii } from '../src/core/pii.js';

/** What a mask lets through: everything that is not a mask character. */
const visible = (masked: string) => masked.replace(/[•]/g, '');

describe('roles declared per route, and masks', () => {
  let t: TestHub;
  let key: string;
  let secrets: { accessToken: string; appSecret: string };
  let agent: { cookie: string; csrf: string };
  let adminJar: { cookie: string; csrf: string };

  const signIn = async (email: string, password: string) => {
    const res = await t.hub.http!.inject({ method: 'POST', url: '/v1/session', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email, password }) });
    expect(res.statusCode).toBe(200);
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] as string[]).map((c) => c.split(';')[0]!);
    const csrf = cookies.find((c) => c.startsWith('shoptalk_csrf='))!.split('=')[1]!;
    return { cookie: cookies.filter((c) => !c.startsWith('shoptalk_device=')).join('; '), csrf };
  };
  const asUser = (jar: { cookie: string; csrf: string }, method: string, url: string, body?: unknown) =>
    t.hub.http!.inject({
      method: method as 'GET',
      url,
      headers: { cookie: jar.cookie, 'x-csrf-token': jar.csrf, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false, sandboxPhone: true });
    const m = await setUpMerchant(t);
    key = m.key;
    secrets = { accessToken: m.accessToken, appSecret: m.appSecret };
    await t.hub.users.create(m.workspaceId, { email: 'agent@roles.example', role: 'agent', password: 'agent password 1' });
    await t.hub.users.create(m.workspaceId, { email: 'admin@roles.example', role: 'admin', password: 'admin password 1' });
    agent = await signIn('agent@roles.example', 'agent password 1');
    adminJar = await signIn('admin@roles.example', 'admin password 1');
    await t.api('POST', '/v1/webhook-subscriptions', key, { url: 'https://hooks.example/shoptalk', events: ['message.sent'] });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('every route of the app declares its role; only sign-in and the invitation link are open under /v1', () => {
    const routes = declaredRoutes(t.hub.http!);
    expect(routes.length).toBeGreaterThan(80);
    const undeclared = routes.filter((r) => !r.role).map((r) => `${r.method} ${r.url}`);
    expect(undeclared).toEqual([]);
    const openV1 = routes.filter((r) => r.url.startsWith('/v1') && r.role === 'open' && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
    expect(openV1).toEqual(['POST /v1/session', 'POST /v1/invite/check', 'POST /v1/invite/accept']);
    // Outside /v1 everything is open by design: webhooks (signed), health, metrics, docs, console files.
    expect(routes.filter((r) => !r.url.startsWith('/v1')).every((r) => r.role === 'open')).toBe(true);
  });

  it('agents get 403 on every admin route, reads included; admins and API keys do not', async () => {
    const routes = declaredRoutes(t.hub.http!).filter((r) => r.url.startsWith('/v1') && r.role === 'admin' && r.method !== 'HEAD');
    const named = ['GET /v1/api-keys', 'GET /v1/users', 'GET /v1/webhook-subscriptions', 'GET /v1/webhook-subscriptions/:id/deliveries', 'GET /v1/jobs/dead', 'GET /v1/store-connections', 'GET /v1/store-connections/:id', 'GET /v1/channel-accounts', 'GET /v1/channel-accounts/:id', 'GET /v1/channel-accounts/:id/templates'];
    for (const n of named) expect(routes.map((r) => `${r.method} ${r.url}`)).toContain(n);
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) {
      const url = r.url.replace(/:[a-z_]+/g, 'x_1');
      const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined;
      const res = await asUser(agent, r.method, url, body);
      expect(res.statusCode, `${r.method} ${r.url} as an agent`).toBe(403);
      if (r.method === 'GET') expect((await asUser(adminJar, r.method, url)).statusCode, `${r.method} ${r.url} as an admin`).not.toBe(403);
    }
    // The lists themselves, with real ids: readable by admins and API keys.
    expect((await asUser(adminJar, 'GET', '/v1/channel-accounts')).statusCode).toBe(200);
    expect((await t.api('GET', '/v1/api-keys', key)).status).toBe(200);
    // Agents still work the inbox.
    expect((await asUser(agent, 'GET', '/v1/tickets')).statusCode).toBe(200);
  });

  it('shows connection secrets with at most their last 4 characters, and API keys by a 4-character hint', async () => {
    const accounts = await t.api<{ data: Array<{ secrets: Record<string, string> }> }>('GET', '/v1/channel-accounts', key);
    const shown = accounts.body.data[0]!.secrets;
    expect(Object.keys(shown).length).toBeGreaterThan(0);
    for (const value of Object.values(shown)) expect(visible(value).length).toBeLessThanOrEqual(4);
    expect(shown['accessToken']).toBe(`••••${secrets.accessToken.slice(-4)}`);
    expect(shown['appSecret']).toBe(`••••${secrets.appSecret.slice(-4)}`);
    const stores = await t.api<{ data: Array<{ secrets: Record<string, string> }> }>('GET', '/v1/store-connections', key);
    for (const value of Object.values(stores.body.data[0]!.secrets)) expect(visible(value).length).toBeLessThanOrEqual(4);
    const keys = await t.api<{ data: Array<{ hint: string }> }>('GET', '/v1/api-keys', key);
    for (const k of keys.body.data) expect(visible(k.hint.replace(/^stk_/, '')).length).toBeLessThanOrEqual(4);
    expect(keys.body.data.find((k) => k.hint === `stk_••••${key.slice(-4)}`)).toBeDefined();
  });

  it('every mask helper keeps at most the last 4 characters (e-mail masks keep the domain only)', () => {
    for (let n = 0; n < 200; n++) {
      const value = randomBytes(1 + (n % 60)).toString('base64url');
      for (const masked of [maskSecret(value), maskTail(value), maskAddress('line', value), maskAddress('messenger', value)]) {
        const v = visible(masked);
        expect(v.length).toBeLessThanOrEqual(4);
        expect(value.endsWith(v)).toBe(true);
      }
      const phone = `+${String(10_000_000 + n * 7919)}${n}`;
      for (const masked of [maskPhone(phone), maskDigits(phone), maskAddress('whatsapp', phone), maskAddress('sms', phone)]) {
        const digits = visible(masked).replace(/^\+/, '');
        expect(digits.length).toBeLessThanOrEqual(4);
        expect(phone.endsWith(digits)).toBe(true);
      }
    }
    expect(maskEmail('avery.chen@example.com')).toBe('•••@example.com');
    expect(maskAddress('email', 'avery.chen@example.com')).toBe('•••@example.com');
    expect(maskPii('call +44 7700 900123 or mail avery.chen@example.com')).toBe('call +•••••23 or mail •••@example.com');
  });
});
