// The LINE adapter against its simulator over real HTTP: account checks, push with retry keys, replies with
// issued tokens, LINE's error classification, and signed webhooks received by a local HTTP server.
import { describe, expect, it } from 'vitest';
import type { ChannelAccountCredentials, RawWebhook, SendRequest } from '../../../core/channels/ports.js';
import { LineAdapter, retryKeyFor } from './index.js';
import { LineSimulator } from './simulator.js';
import { WebhookReceiver, rawWebhook } from '../../../../test/support/receiver.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const CHANNEL = {
  channelAccessToken: 'line-sandbox-token',
  channelSecret: 'line-sandbox-secret',
  botUserId: 'U0123456789abcdef0123456789abcdef',
  displayName: 'Shoptalk Sandbox',
};
const USER = 'U4af4980629aaaabbbbccccddddeeeeff';

const account: ChannelAccountCredentials = {
  settings: { channelId: '1657000000' },
  secrets: { channelAccessToken: CHANNEL.channelAccessToken, channelSecret: CHANNEL.channelSecret },
};

const textSend = (text: string, idempotencyKey: string): SendRequest => ({ to: USER, content: { kind: 'text', text }, idempotencyKey });

describe('LINE adapter + simulator', () => {
  const sim = new LineSimulator();
  const receiver = new WebhookReceiver('/webhooks/line');
  let adapter: LineAdapter;

  serveSimulator(sim, [receiver], {
    started: (baseUrl) => (adapter = new LineAdapter({ baseUrl })),
    seed: () => sim.addChannel({ ...CHANNEL, webhookUrl: receiver.url }),
  });

  it('verifies the channel access token through bot info', async () => {
    const verified = await adapter.verifyAccount(account);
    expect(verified.displayName).toBe('Shoptalk Sandbox');
    expect(verified.details).toMatchObject({ userId: CHANNEL.botUserId, channelId: '1657000000' });

    const bad = { ...account, secrets: { ...account.secrets, channelAccessToken: 'wrong' } };
    const err = await expectProviderError(adapter.verifyAccount(bad));
    expect(err.kind).toBe('permanent');
    expect(err.message).toMatch(/^LINE refused the channel access token: Authentication failed/);
  });

  it('lists no templates and refuses template sends', async () => {
    expect(await adapter.listTemplates()).toEqual([]);
    const err = await expectProviderError(
      adapter.send(account, {
        to: USER,
        idempotencyKey: 'k-t',
        content: { kind: 'template', templateName: 'x', language: 'en', parameters: [], parameterFormat: 'POSITIONAL' },
      }),
    );
    expect(err.kind).toBe('permanent');
  });

  it('pushes text with a deterministic retry key', async () => {
    const result = await adapter.send(account, textSend('Your order shipped', 'order-1001-shipped'));
    expect(result.providerStatus).toBe('accepted');
    const out = sim.messages(USER);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ id: result.providerMessageId, text: 'Your order shipped', via: 'push' });
    const key = sim.requests('/v2/bot/message/push')[0]?.headers['x-line-retry-key'];
    expect(key).toBe(retryKeyFor('order-1001-shipped'));
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sends once for a repeated idempotency key (409 counts as success with the same id)', async () => {
    const first = await adapter.send(account, textSend('hello', 'same-key'));
    const second = await adapter.send(account, textSend('hello', 'same-key'));
    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(second.providerStatus).toBe('already_sent');
    expect(sim.messages(USER)).toHaveLength(1);
    expect(sim.requests('/v2/bot/message/push')).toHaveLength(2);
  });

  it('rejects an empty text with LINE details as permanent', async () => {
    const err = await expectProviderError(adapter.send(account, textSend('', 'k-empty')));
    expect(err.kind).toBe('permanent');
    expect(err.httpStatus).toBe(400);
    expect(err.message).toContain('messages[0].text: May not be empty');
  });

  it('replies with an issued token once; a reused or expired token is permanent', async () => {
    const token = await sim.emitInbound({ userId: USER, text: 'where is my order?' });
    const result = await adapter.reply(account, token, [{ type: 'text', text: 'On its way', quickReply: { items: [] } }]);
    expect(sim.messages(USER)).toMatchObject([{ id: result.providerMessageId, via: 'reply', text: 'On its way' }]);

    const reused = await expectProviderError(adapter.reply(account, token, [{ type: 'text', text: 'again' }]));
    expect(reused.kind).toBe('permanent');
    expect(reused.message).toContain('Invalid reply token');

    const stale = await sim.emitInbound({ userId: USER, text: 'hi' });
    sim.expireReplyToken(stale);
    expect((await expectProviderError(adapter.reply(account, stale, [{ type: 'text', text: 'late' }]))).kind).toBe('permanent');
    expect((await expectProviderError(adapter.reply(account, 'never-issued', [{ type: 'text', text: 'x' }]))).kind).toBe('permanent');
  });

  it('classifies 429 as retry_after, the monthly limit as permanent, 503 as retryable', async () => {
    sim.injectFault({ kind: 'status', status: 429, retryAfter: 3 });
    const limited = await expectProviderError(adapter.send(account, textSend('a', 'k-429')));
    expect(limited).toMatchObject({ kind: 'retry_after', retryAfterMs: 3000, httpStatus: 429 });

    sim.injectFault({ kind: 'status', status: 429 });
    expect((await expectProviderError(adapter.send(account, textSend('a', 'k-429b')))).retryAfterMs).toBe(1000);

    sim.addChannel({ ...CHANNEL, monthlyLimit: 1 });
    await adapter.send(account, textSend('first', 'k-q1'));
    const quota = await expectProviderError(adapter.send(account, textSend('second', 'k-q2')));
    expect(quota).toMatchObject({ kind: 'permanent', httpStatus: 429, providerCode: 'monthly_limit' });

    sim.injectFault({ kind: 'status', status: 503 });
    expect(await expectProviderError(adapter.send(account, textSend('a', 'k-503')))).toMatchObject({ kind: 'retryable', httpStatus: 503 });
  });

  it('verifies and parses signed webhooks: text, postback, tampered, connectivity check', async () => {
    const textToken = await sim.emitInbound({ userId: USER, text: 'hi there' });
    const postbackToken = await sim.emitInbound({ userId: USER, postbackData: 'action=track&order=1001' });
    expect(await sim.emitEvents([])).toBe(200);
    expect(receiver.received).toHaveLength(3);
    const [textHook, postbackHook, emptyHook] = receiver.received.map((r) => rawWebhook(r));

    expect(adapter.verifyWebhook(account, textHook!)).toBe(true);
    const text = adapter.parseWebhook(textHook!.body);
    expect(text.statuses).toEqual([]);
    expect(text.messages).toHaveLength(1);
    expect(text.messages[0]).toMatchObject({ from: USER, text: 'hi there', payload: null });
    expect(text.messages[0]?.providerMessageId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(adapter.parseWebhookEvents(textHook!.body)[0]?.replyToken).toBe(textToken);

    expect(adapter.verifyWebhook(account, postbackHook!)).toBe(true);
    const events = adapter.parseWebhookEvents(postbackHook!.body);
    expect(events).toMatchObject([{ from: USER, text: null, payload: 'action=track&order=1001', replyToken: postbackToken }]);

    const tampered = { ...textHook!, body: Buffer.from(textHook!.body.toString('utf8').replace('hi there', 'hi thera')) };
    expect(adapter.verifyWebhook(account, tampered)).toBe(false);
    expect(adapter.verifyWebhook(account, { ...textHook!, headers: {} })).toBe(false);
    expect(adapter.verifyWebhook({ ...account, secrets: { ...account.secrets, channelSecret: 'other' } }, textHook!)).toBe(false);

    expect(adapter.verifyWebhook(account, emptyHook!)).toBe(true);
    expect(adapter.parseWebhook(emptyHook!.body)).toEqual({ statuses: [], messages: [] });
  });

  it('exposes control routes: channels, inbound, messages', async () => {
    const other = { ...CHANNEL, botUserId: 'Uffffffffffffffffffffffffffffffff', channelAccessToken: 'other-token' };
    const post = (path: string, body: unknown) =>
      fetch(`${sim.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/_sim/channels', other)).status).toBe(201);
    expect((await post('/_sim/channels', { botUserId: 'x' })).status).toBe(400);
    const inbound = await post('/_sim/inbound', { userId: USER, text: 'hi', botUserId: CHANNEL.botUserId });
    expect(inbound.status).toBe(201);
    const { replyToken } = (await inbound.json()) as { replyToken: string };
    // A token belongs to the channel whose webhook issued it.
    const foreign = { settings: {}, secrets: { channelAccessToken: 'other-token' } };
    expect((await expectProviderError(adapter.reply(foreign, replyToken, [{ type: 'text', text: 'x' }]))).kind).toBe('permanent');
    await adapter.reply(account, replyToken, [{ type: 'text', text: 'hello back' }]);
    const listed = (await (await fetch(`${sim.baseUrl}/_sim/messages?to=${USER}`)).json()) as Array<{ text: string }>;
    expect(listed.map((m) => m.text)).toEqual(['hello back']);
  });

  it('parses follow and unfollow as events, and marks standby and group/room events as not to be answered', () => {
    const GROUP = 'Ca56f94637cc4347f90a25382909b24b9';
    const ROOM = 'Ra8dbf4673c4c812cd491258042226c99';
    const common = (n: string) => ({ webhookEventId: `01H000000000000000000000${n}`, timestamp: 1, deliveryContext: { isRedelivery: false } });
    const body = Buffer.from(
      JSON.stringify({
        destination: CHANNEL.botUserId,
        events: [
          { type: 'follow', ...common('0A'), mode: 'active', source: { type: 'user', userId: USER }, replyToken: 'r1', follow: { isUnblocked: false } },
          { type: 'unfollow', ...common('0B'), mode: 'active', source: { type: 'user', userId: USER } },
          { type: 'message', ...common('0C'), mode: 'standby', source: { type: 'user', userId: USER }, message: { type: 'text', id: '1', text: 'hello' } },
          { type: 'message', ...common('0D'), mode: 'active', replyToken: 'r2', source: { type: 'group', groupId: GROUP, userId: USER }, message: { type: 'text', id: '2', text: 'in a group' } },
          { type: 'message', ...common('0E'), mode: 'active', replyToken: 'r3', source: { type: 'room', roomId: ROOM }, message: { type: 'text', id: '3', text: 'in a room' } },
          { type: 'join', ...common('0F'), mode: 'active', replyToken: 'r4', source: { type: 'group', groupId: GROUP } },
        ],
      }),
    );
    const events = adapter.parseWebhookEvents(body);
    expect(events).toHaveLength(5);
    expect(events[0]).toMatchObject({ event: 'follow', from: USER, replyToken: 'r1', noReply: null });
    expect(events[1]).toMatchObject({ event: 'unfollow', from: USER, replyToken: null, noReply: null });
    expect(events[2]).toMatchObject({ event: 'message', text: 'hello', noReply: { reason: 'standby' } });
    // Group and room messages keep no reply token: an answer would go to the whole group.
    expect(events[3]).toMatchObject({ from: USER, text: 'in a group', replyToken: null, noReply: { reason: 'group', chatId: GROUP } });
    expect(events[4]).toMatchObject({ from: ROOM, text: 'in a room', replyToken: null, noReply: { reason: 'room', chatId: ROOM } });
  });

  it('checks X-Line-Signature against a known-answer vector (base64 HMAC-SHA256 of the raw body)', () => {
    // Computed independently: printf '%s' BODY | openssl dgst -sha256 -hmac SECRET -binary | base64
    const secret = '8a9b2c3d4e5f60718293a4b5c6d7e8f9';
    const body = Buffer.from('{"destination":"xxxxxxxxxx","events":[]}', 'utf8');
    const creds = { settings: {}, secrets: { channelAccessToken: 'x', channelSecret: secret } };
    const hook = (signature: string): RawWebhook => ({ body, headers: { 'x-line-signature': signature }, query: {} });
    expect(adapter.verifyWebhook(creds, hook('1M3MeVprBxaAHWKZdN8MAzysLkzmggEX5ObcS9BM7Rg='))).toBe(true);
    expect(adapter.verifyWebhook(creds, hook('1M3MeVprBxaAHWKZdN8MAzysLkzmggEX5ObcS9BM7Rh='))).toBe(false);
    expect(adapter.verifyWebhook({ ...creds, secrets: { ...creds.secrets, channelSecret: secret.toUpperCase() } }, hook('1M3MeVprBxaAHWKZdN8MAzysLkzmggEX5ObcS9BM7Rg='))).toBe(false);
  });

  it('reads a user profile, and classifies an unknown user', async () => {
    sim.addUser({ userId: USER, displayName: 'Mei Lin', pictureUrl: 'https://profile.line-scdn.net/abc', language: 'zh-TW' });
    expect(await adapter.getProfile(account, USER)).toEqual({ displayName: 'Mei Lin', pictureUrl: 'https://profile.line-scdn.net/abc', language: 'zh-TW' });
    expect((await expectProviderError(adapter.getProfile(account, 'U00000000000000000000000000000000'))).httpStatus).toBe(404);
  });
});
