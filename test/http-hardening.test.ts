// HTTP hardening: security headers on the console, the API, the docs and the unsubscribe pages (a CSP without
// inline script, no framing, nosniff, no referrer, HSTS only behind an https public URL); malformed cookies are
// a 401, never a 500; every URL a workspace stores or puts in a button must be http(s).
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';

type Headers = Record<string, string | string[] | number | undefined>;

function expectHardened(h: Headers, what: string) {
  const csp = String(h['content-security-policy'] ?? '');
  expect(csp, what).toMatch(/frame-ancestors 'none'/);
  const script = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
  expect(script, what).toContain("'self'");
  expect(script, what).not.toMatch(/unsafe-inline|unsafe-eval|data:|\*/);
  expect(csp, what).toMatch(/script-src-attr 'none'/);
  expect(csp, what).toMatch(/object-src 'none'/);
  expect(h['x-content-type-options'], what).toBe('nosniff');
  expect(h['referrer-policy'], what).toBe('no-referrer');
  expect(h['x-frame-options'], what).toBe('DENY');
}

describe('HTTP hardening', () => {
  let t: TestHub;
  let key: string;
  let unsubscribeUrl: string;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    const m = await setUpMerchant(t, { enable: false });
    key = m.key;
    // An unsubscribe link as notification e-mails carry it (a signed token in the path).
    const { OptOutService } = await import('../src/core/notifications/opt-outs.js');
    const service = new OptOutService(t.hub.uow, t.hub.secrets, () => t.hub.config.http.publicUrl);
    unsubscribeUrl = new URL(service.unsubscribeUrl(m.workspaceId, 'email', 'buyer@example.com')).pathname;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) => t.hub.http!.inject({ method: 'GET', url, headers });

  it('sends the security headers on the console, the API, errors, the docs and the unsubscribe pages; no HSTS over http', async () => {
    const pages: Array<[string, Record<string, string>]> = [
      ['/', {}],
      ['/inbox', {}],
      ['/v1/orders', { authorization: `Bearer ${key}` }],
      ['/v1/orders', {}],
      ['/v1/no-such-route', { authorization: `Bearer ${key}` }],
      ['/docs', {}],
      ['/docs/static/index.html', {}],
      ['/docs/json', {}],
      ['/healthz', {}],
      [unsubscribeUrl, {}],
      ['/unsubscribe/not-a-token', {}],
    ];
    for (const [url, headers] of pages) {
      const res = await get(url, headers);
      expect(res.statusCode, url).toBeLessThan(500);
      expectHardened(res.headers, url);
      expect(res.headers['strict-transport-security'], url).toBeUndefined();
    }
    // The docs allow inline style for Swagger UI's own rendering, never inline script.
    const docs = await get('/docs/static/index.html');
    expect(String(docs.headers['content-security-policy'])).toMatch(/style-src 'self' 'unsafe-inline'/);
    // The console's own CSP allows no inline style either, except the hash of the hub's one page stylesheet.
    const console = await get('/');
    expect(String(console.headers['content-security-policy'])).not.toMatch(/unsafe-inline/);
  });

  it('serves the unsubscribe page with a stylesheet the CSP allows by its hash, and no script', async () => {
    const page = await get(unsubscribeUrl);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(/<script|style="|\son[a-z]+=/i);
    const style = /<style>([^<]*)<\/style>/.exec(page.body)?.[1];
    expect(style).toBeDefined();
    const hash = createHash('sha256').update(style!).digest('base64');
    expect(String(page.headers['content-security-policy'])).toContain(`'sha256-${hash}'`);
  });

  it('answers malformed or hostile cookies with 401, never a 5xx', async () => {
    const cookies = [
      'shoptalk_session=%E0%A4%A',
      'shoptalk_session=%',
      'shoptalk_session=%zz%zz; shoptalk_csrf=%',
      'shoptalk_session',
      '=; ;; =shoptalk_session=',
      'shoptalk_session="unterminated',
      `shoptalk_session=${'a'.repeat(5000)}`,
      'shoptalk_session=a; shoptalk_session=b',
      'shoptalk_session=\u00e9\u00e8',
      'shoptalk_device=usr_x.y.z.%ff; shoptalk_session=%ff',
    ];
    for (const [i, cookie] of cookies.entries()) {
      const res = await t.hub.http!.inject({ method: 'GET', url: '/v1/orders', headers: { cookie } });
      expect(res.statusCode, cookie).toBe(401);
      const post = await t.hub.http!.inject({ method: 'POST', url: '/v1/customers', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': '%' }, payload: '{}' });
      expect(post.statusCode, cookie).toBe(401);
      // Sign-in reads the device cookie: a few of the hostile headers there too (each try hashes a password).
      if (i % 3 !== 0) continue;
      const signIn = await t.hub.http!.inject({ method: 'POST', url: '/v1/session', headers: { cookie, 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'x@y.example', password: 'whatever' }) });
      expect(signIn.statusCode, cookie).toBeLessThan(500);
    }
  }, 120_000);

  const badUrls = ['javascript:alert(document.cookie)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd', 'ftp://files.example/x', '//evil.example/x', 'https://', 'not a url'];

  it('refuses non-http(s) URLs with a 400 naming the field, wherever a URL is stored or sent', async () => {
    const cases: Array<{ method: string; path: string; field: RegExp; body: (url: string) => unknown }> = [
      { method: 'POST', path: '/v1/flow-modules', field: /buttons\.0\.on_click\.url/, body: (url) => ({ name: 'Links', text: 'Pick one', buttons: [{ id: 'b1', title: 'Open', on_click: { kind: 'url', url } }] }) },
      { method: 'PUT', path: '/v1/chat-settings', field: /linking\.terms_url/, body: (url) => ({ linking: { terms_url: url } }) },
      { method: 'PUT', path: '/v1/channel-accounts/x_1/menu', field: /items\.0/, body: (url) => ({ items: [{ title: 'Shop', url }] }) },
      { method: 'POST', path: '/v1/store-connections', field: /store_url/, body: (url) => ({ platform: '91app', shop_id: '123', api_key: 'k'.repeat(12), store_url: url }) },
      { method: 'POST', path: '/v1/webhook-subscriptions', field: /url/, body: (url) => ({ url, events: ['message.sent'] }) },
      {
        method: 'POST',
        path: '/v1/push',
        field: /params\.shipping|detailed_tracking_url|image_url/,
        body: (url) => ({
          request: { method: 'send_template', id: 'r1', page_id: '123456', template_name: 'Shipping Status Update Push' },
          recipient: { id: 'psid1' },
          params: { package_number: 'P1', package_status: 'shipped', package_status_description: 'On its way', detailed_tracking_url: url },
        }),
      },
      {
        method: 'POST',
        path: '/v1/events',
        field: /status_url/,
        body: (url) => ({ idempotency_key: `k-${Math.random()}`, type: 'order.shipped', store_connection_id: 'x_1', occurred_at: new Date().toISOString(), order: { id: 'o1', name: '#1', status_url: url } }),
      },
    ];
    for (const c of cases) {
      for (const url of badUrls) {
        const res = await t.api<{ error: { code: string; message: string } }>(c.method, c.path, key, c.body(url));
        expect(res.status, `${c.path} with ${url}`).toBe(400);
        expect(res.body.error.message, `${c.path} with ${url}`).toMatch(c.field);
      }
    }
    // http(s) URLs are still taken.
    const ok = await t.api('POST', '/v1/flow-modules', key, { name: 'Good link', text: 'Pick one', buttons: [{ id: 'b1', title: 'Open', on_click: { kind: 'url', url: 'https://shop.example/help' } }] });
    expect(ok.status).toBe(201);
    expect((await t.api('PUT', '/v1/chat-settings', key, { linking: { terms_url: 'https://shop.example/terms' } })).status).toBe(200);
  });
});

describe('HSTS behind an https public URL', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false, env: { SHOPTALK_PUBLIC_URL: 'https://hub.shop.example' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends Strict-Transport-Security and upgrades insecure requests', async () => {
    for (const url of ['/', '/v1/orders', '/docs/static/index.html']) {
      const res = await t.hub.http!.inject({ method: 'GET', url });
      expect(String(res.headers['strict-transport-security']), url).toMatch(/max-age=31536000; includeSubDomains/);
      expect(String(res.headers['content-security-policy']), url).toMatch(/upgrade-insecure-requests/);
    }
  });
});
