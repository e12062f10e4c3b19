// Sign-in floods cannot starve the hub: password hashing runs a bounded number at a time (counted from the
// scrypt jobs Node actually starts), sign-ins are rate limited per address and in total (in Redis when the hub
// uses it) with 429 and Retry-After, webhooks are never limited by it, a lock-out after wrong passwords does not
// lock out a browser the user signed in with before, and hashes of an older scrypt cost are upgraded on sign-in.
import { createHook } from 'node:async_hooks';
import { randomBytes, scryptSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { createTestDatabase, redisAvailable, storageKinds } from './support/services.js';
import type { TestDatabase } from './support/services.js';
import { createUnitOfWork } from '../src/storage/repositories/index.js';
import { UserService, FAILURE_WINDOW_MS, MAX_FAILURES } from '../src/core/users/service.js';
import { SecretBox } from '../src/core/secrets/secret-box.js';
import { AppError } from '../src/core/errors.js';

type Inject = { status: number; headers: Record<string, string | string[] | number | undefined>; body: { error?: { code: string; message: string } } & Record<string, unknown> };

async function post(t: TestHub, url: string, body: unknown, opts: { ip?: string; cookie?: string } = {}): Promise<Inject> {
  const res = await t.hub.http!.inject({
    method: 'POST',
    url,
    remoteAddress: opts.ip ?? '127.0.0.1',
    headers: { 'content-type': 'application/json', ...(opts.cookie ? { cookie: opts.cookie } : {}) },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, body: res.body ? (JSON.parse(res.body) as Inject['body']) : {} };
}

/** The device cookie a successful sign-in set, as a Cookie header. */
function deviceCookie(res: Inject): string {
  const cookies = ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
  const device = cookies.find((c) => c.startsWith('shoptalk_device='));
  expect(device).toBeDefined();
  expect(device).toContain('HttpOnly');
  return device!.split(';')[0]!;
}

describe('password hashing is bounded', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false, env: { SHOPTALK_SIGNIN_PER_IP_PER_MINUTE: '1000', SHOPTALK_SIGNIN_PER_MINUTE: '1000' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('runs one scrypt at a time however many sign-ins arrive; beyond a short queue it answers 429 with Retry-After', async () => {
    // Counts the scrypt jobs Node hands to its thread pool, independently of the gate that bounds them.
    const jobs = new Set<number>();
    let inFlight = 0;
    let peak = 0;
    const hook = createHook({
      init(id, type) {
        if (type !== 'SCRYPTREQUEST') return;
        jobs.add(id);
        inFlight += 1;
        peak = Math.max(peak, inFlight);
      },
      before(id) {
        if (jobs.delete(id)) inFlight -= 1;
      },
    }).enable();
    try {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => post(t, '/v1/session', { email: `nobody${i}-${randomBytes(3).toString('hex')}@flood.example`, password: 'guess guess guess' })));
      const statuses = results.map((r) => r.status);
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      const refused = results.filter((r) => r.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(r.body.error?.code).toBe('rate_limited');
      }
      expect(statuses.filter((s) => s === 401).length).toBeGreaterThan(0);
    } finally {
      hook.disable();
    }
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(1);
    expect(t.hub.users.gate.stats().peak).toBeLessThanOrEqual(1);
  }, 180_000);
});

describe.each([
  { name: 'sqlite, limits in memory', db: 'sqlite' as const, redis: false },
  ...(redisAvailable && storageKinds.includes('postgres') ? [{ name: 'postgres, limits in Redis', db: 'postgres' as const, redis: true }] : []),
])('sign-in rate limits ($name)', (variant) => {
  let t: TestHub;
  let workspaceId: string;
  beforeAll(async () => {
    t = await startTestHub({ ...variant, env: { SHOPTALK_SIGNIN_PER_IP_PER_MINUTE: '3', SHOPTALK_SIGNIN_PER_MINUTE: '5' } });
    workspaceId = (await t.hub.workspaces.createWorkspace('Limits')).id;
    await t.hub.users.create(workspaceId, { email: 'owner@limits.example', role: 'admin', password: 'the right password' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After per address and in total, spares trusted browsers the total, and never limits webhooks', async () => {
    // Limits are counted before the body is read, so refused bodies (400, no password hashed) use them up
    // quickly: the one-minute windows cannot run out while the test waits for scrypt on a busy machine.
    const wrong = { email: 'owner@limits.example' };
    // A successful sign-in from E: the browser gets a device cookie (1 of the 5 in total).
    const first = await post(t, '/v1/session', { email: 'owner@limits.example', password: 'the right password' }, { ip: '10.0.0.5' });
    expect(first.status).toBe(200);
    const device = deviceCookie(first);
    // A: three tries, then its own limit (a refused try does not count toward the total).
    for (let i = 0; i < 3; i++) expect((await post(t, '/v1/session', wrong, { ip: '10.0.0.1' })).status).toBe(400);
    const perIp = await post(t, '/v1/session', wrong, { ip: '10.0.0.1' });
    expect(perIp.status).toBe(429);
    expect(Number(perIp.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(perIp.body.error?.message).toMatch(/from this address/);
    // B: the fifth sign-in in total is allowed, the sixth is not, from any address.
    expect((await post(t, '/v1/session', wrong, { ip: '10.0.0.2' })).status).toBe(400);
    const total = await post(t, '/v1/session', wrong, { ip: '10.0.0.3' });
    expect(total.status).toBe(429);
    expect(Number(total.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The browser that signed in before still can: the total limit does not apply to it.
    expect((await post(t, '/v1/session', { email: 'owner@limits.example', password: 'the right password' }, { ip: '10.0.0.5', cookie: device })).status).toBe(200);
    // A forged device cookie is no way around the limit.
    expect((await post(t, '/v1/session', wrong, { ip: '10.0.0.4', cookie: `${device.slice(0, -3)}abc` })).status).toBe(429);
    // Webhooks from the limited address are answered by their own rules, never with the sign-in limit.
    for (let i = 0; i < 10; i++) {
      const hook = await t.hub.http!.inject({ method: 'POST', url: '/webhooks/shopify/sc_missing', remoteAddress: '10.0.0.1', headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect(hook.statusCode).not.toBe(429);
      expect(hook.statusCode).toBeLessThan(500);
    }
  }, 180_000);
});

describe('a lock-out after wrong passwords spares trusted browsers (over HTTP)', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    const ws = await t.hub.workspaces.createWorkspace('Lockout');
    await t.hub.users.create(ws.id, { email: 'agent@lockout.example', role: 'agent', password: 'correct horse battery' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('signs in from the trusted browser during the lock-out; an unknown browser with the right password is refused', async () => {
    const right = { email: 'agent@lockout.example', password: 'correct horse battery' };
    const trusted = deviceCookie(await post(t, '/v1/session', right));
    for (let i = 0; i < MAX_FAILURES; i++) expect((await post(t, '/v1/session', { ...right, password: 'an attacker guessing' })).status).toBe(401);
    const unknown = await post(t, '/v1/session', right);
    expect(unknown.status).toBe(429);
    expect(Number(unknown.headers['retry-after'])).toBeGreaterThan(60);
    const fromTrusted = await post(t, '/v1/session', right, { cookie: trusted });
    expect(fromTrusted.status).toBe(200);
    expect(fromTrusted.body).toMatchObject({ user: { email: 'agent@lockout.example' } });
  }, 180_000);
});

describe.each(storageKinds)('lock-outs and hash upgrades (%s)', (kind) => {
  let db: TestDatabase;
  let users: UserService;
  let clock = Date.parse('2026-03-01T09:00:00Z');
  let workspaceId: string;
  const secrets = new SecretBox(SecretBox.generateKey());
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const uow = createUnitOfWork(db.storage, { defaultMaxAttempts: 3 });
    // The lock-out logic does not depend on the cost: a cheap one keeps these tests quick.
    users = new UserService(uow, { secrets, cost: { ln: 14, r: 8, p: 1 }, now: () => clock });
    workspaceId = (await uow.repos.workspaces.create('Clocks')).id;
    await users.create(workspaceId, { email: 'pat@clock.example', role: 'admin', password: 'pats right password' });
  });
  afterAll(async () => {
    await db?.destroy();
  });

  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
      return null;
    } catch (err) {
      return err instanceof AppError ? err.code : String(err);
    }
  };

  it('locks an address for the window, counts a trusted browser on its own, and lets the lock-out expire with the clock', async () => {
    const device = (await users.signIn('pat@clock.example', 'pats right password')).device;
    for (let i = 0; i < MAX_FAILURES; i++) expect(await refusal(users.signIn('pat@clock.example', 'wrong'))).toBe('unauthenticated');
    expect(await refusal(users.signIn('pat@clock.example', 'pats right password'))).toBe('rate_limited');
    // The trusted browser is not locked out; its own wrong tries lock only itself.
    expect(await refusal(users.signIn('pat@clock.example', 'pats right password', device))).toBeNull();
    for (let i = 0; i < MAX_FAILURES; i++) expect(await refusal(users.signIn('pat@clock.example', 'wrong', device))).toBe('unauthenticated');
    expect(await refusal(users.signIn('pat@clock.example', 'pats right password', device))).toBe('rate_limited');
    // Another user's device cookie, or a tampered one, is an unknown browser.
    expect(await refusal(users.signIn('pat@clock.example', 'pats right password', device.replace(/^[^.]+/, 'usr_someone')))).toBe('rate_limited');
    clock += FAILURE_WINDOW_MS + 1000;
    expect(await refusal(users.signIn('pat@clock.example', 'pats right password'))).toBeNull();
    expect(await refusal(users.signIn('pat@clock.example', 'pats right password', device))).toBeNull();
  }, 60_000);

  it('verifies a hash of the old cost (Node’s default scrypt) and stores it again at the current cost', async () => {
    const salt = randomBytes(16);
    // The first stored form: "scrypt$salt$key" with N=2^14, r=8, p=1, made here without the hub's code.
    const legacy = `scrypt$${salt.toString('base64')}$${scryptSync('an old password!', salt, 32).toString('base64')}`;
    const strong = new UserService(createUnitOfWork(db.storage, { defaultMaxAttempts: 3 }), { secrets });
    const made = await strong.create(workspaceId, { email: 'old@clock.example', role: 'agent', password: 'replaced below' });
    await db.storage.db.updateTable('users').set({ password_hash: legacy }).where('id', '=', made.user.id).execute();
    expect(await refusal(strong.signIn('old@clock.example', 'not it'))).toBe('unauthenticated');
    expect(await refusal(strong.signIn('old@clock.example', 'an old password!'))).toBeNull();
    const stored = (await db.storage.db.selectFrom('users').select('password_hash').where('id', '=', made.user.id).executeTakeFirstOrThrow()).password_hash;
    expect(stored).toMatch(/^scrypt\$ln=17,r=8,p=1\$/);
    expect(stored).not.toContain(salt.toString('base64'));
    // The upgraded hash works, and is not upgraded again.
    expect(await refusal(strong.signIn('old@clock.example', 'an old password!'))).toBeNull();
    expect((await db.storage.db.selectFrom('users').select('password_hash').where('id', '=', made.user.id).executeTakeFirstOrThrow()).password_hash).toBe(stored);
  }, 180_000);
});
