// The LINE simulator is as strict as LINE where the hub relies on it: binary uploads measured in bytes, push and
// multicast deduplicated by X-Line-Retry-Key (409 naming the accepted request), multicast and profile served as
// documented. Driven over HTTP with plain fetch, not through the adapter.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LineSimulator } from './simulator.js';

const TOKEN = 'line-sim-token';
const BOT = 'U0123456789abcdef0123456789abcdef';
const A = 'U4af4980629aaaabbbbccccddddeeeeff';
const B = 'U5bf4980629aaaabbbbccccddddeeee00';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('LINE simulator', () => {
  const sim = new LineSimulator();
  let base: string;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined && !Buffer.isBuffer(body) ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body === undefined ? {} : { body: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
    });

  beforeAll(async () => {
    base = await sim.listen();
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.reset();
    sim.addChannel({ channelAccessToken: TOKEN, channelSecret: 's', botUserId: BOT, displayName: 'Bot', monthlyLimit: 10 });
  });

  async function menu(): Promise<string> {
    const res = await call('POST', '/v2/bot/richmenu', {
      size: { width: 2500, height: 843 },
      selected: false,
      name: 'm',
      chatBarText: 'Menu',
      areas: [{ bounds: { x: 0, y: 0, width: 2500, height: 843 }, action: { type: 'postback', data: 'x' } }],
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { richMenuId: string }).richMenuId;
  }

  it('measures a rich menu image in bytes: 0.7 MB of PNG is accepted, more than 1 MB refused', async () => {
    // Random bytes: most are ≥ 0x80, which a text decoding would turn into 3-byte replacement characters.
    const png = (size: number) => Buffer.concat([PNG_SIGNATURE, randomBytes(size - PNG_SIGNATURE.length)]);
    const small = await call('POST', `/v2/bot/richmenu/${await menu()}/content`, png(700 * 1024), { 'content-type': 'image/png' });
    expect(small.status).toBe(200);
    expect(sim.listRichMenus()[0]?.image).toEqual({ contentType: 'image/png', bytes: 700 * 1024 });
    const big = await call('POST', `/v2/bot/richmenu/${await menu()}/content`, png(1024 * 1024 + 1), { 'content-type': 'image/png' });
    expect(big.status).toBe(400);
    const notPng = await call('POST', `/v2/bot/richmenu/${await menu()}/content`, randomBytes(1000), { 'content-type': 'image/png' });
    expect(notPng.status).toBe(400);
  });

  it('does not send a push twice for one X-Line-Retry-Key: 409 with the accepted request id', async () => {
    const key = randomUUID();
    const body = { to: A, messages: [{ type: 'text', text: 'Your order shipped' }] };
    const first = await call('POST', '/v2/bot/message/push', body, { 'x-line-retry-key': key });
    expect(first.status).toBe(200);
    const acceptedId = first.headers.get('x-line-request-id');
    expect(acceptedId).toBeTruthy();
    const again = await call('POST', '/v2/bot/message/push', body, { 'x-line-retry-key': key });
    expect(again.status).toBe(409);
    expect(again.headers.get('x-line-accepted-request-id')).toBe(acceptedId);
    expect(again.headers.get('x-line-request-id')).not.toBe(acceptedId);
    expect(sim.messages(A)).toHaveLength(1);
    expect((await call('POST', '/v2/bot/message/push', body, { 'x-line-retry-key': 'not-a-uuid' })).status).toBe(400);
  });

  it('serves multicast: one request to several users, validated, quota per recipient, deduplicated by retry key', async () => {
    const key = randomUUID();
    const body = { to: [A, B], messages: [{ type: 'text', text: 'Sale ends today' }] };
    const res = await call('POST', '/v2/bot/message/multicast', body, { 'x-line-retry-key': key });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(sim.messages().map((m) => [m.to, m.via])).toEqual([
      [A, 'multicast'],
      [B, 'multicast'],
    ]);
    const again = await call('POST', '/v2/bot/message/multicast', body, { 'x-line-retry-key': key });
    expect(again.status).toBe(409);
    expect(again.headers.get('x-line-accepted-request-id')).toBe(res.headers.get('x-line-request-id'));
    expect(sim.messages()).toHaveLength(2);

    const bad = await call('POST', '/v2/bot/message/multicast', { to: [], messages: [{ type: 'text', text: 'x' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { details: Array<{ property: string }> }).details[0]?.property).toBe('to');
    const tooMany = await call('POST', '/v2/bot/message/multicast', { to: Array.from({ length: 501 }, () => A), messages: [{ type: 'text', text: 'x' }] });
    expect(tooMany.status).toBe(400);
    const notUser = await call('POST', '/v2/bot/message/multicast', { to: ['Cgroup'], messages: [{ type: 'text', text: 'x' }] });
    expect(notUser.status).toBe(400);
    // 2 used of 10: 5 messages to 2 users would be 10 more.
    const overQuota = await call('POST', '/v2/bot/message/multicast', { to: [A, B], messages: Array.from({ length: 5 }, () => ({ type: 'text', text: 'x' })) });
    expect(overQuota.status).toBe(429);
    expect((await call('POST', '/v2/bot/message/multicast', body, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('serves profiles of followers only: 404 after an unfollow', async () => {
    const created = await fetch(`${base}/_sim/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: A, displayName: 'Mei', language: 'zh-TW' }) });
    expect(created.status).toBe(201);
    const res = await call('GET', `/v2/bot/profile/${A}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ displayName: 'Mei', userId: A, language: 'zh-TW' });
    expect((await call('GET', `/v2/bot/profile/${B}`)).status).toBe(404);
    expect((await call('GET', `/v2/bot/profile/${A}`, undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    await sim.emitUnfollow({ userId: A });
    expect((await call('GET', `/v2/bot/profile/${A}`)).status).toBe(404);
    await sim.emitFollow({ userId: A, unblocked: true });
    expect((await call('GET', `/v2/bot/profile/${A}`)).status).toBe(200);
  });
});
