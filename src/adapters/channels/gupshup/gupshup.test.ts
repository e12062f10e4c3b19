// The Gupshup adapter against its simulator over real HTTP: account checks, template listing, sends,
// Gupshup's error classification, and token-secured callbacks received by a local HTTP server.
import { describe, expect, it } from 'vitest';
import type { ChannelAccountCredentials, ChatButton, InteractiveContent, RawWebhook, SendRequest } from '../../../core/channels/ports.js';
import { GupshupAdapter } from './index.js';
import { GupshupSimulator } from './simulator.js';
import { WebhookReceiver } from '../../../../test/support/receiver.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const APP = { appName: 'ShoptalkDemo', apiKey: 'gs-sandbox-key', sourceNumber: '917834811114' };
const CALLBACK_TOKEN = 'cb-secret-7f3a';

const account: ChannelAccountCredentials = {
  settings: { appName: APP.appName, sourceNumber: APP.sourceNumber },
  secrets: { apiKey: APP.apiKey, callbackToken: CALLBACK_TOKEN },
};

const rawWebhook = (body: string | Buffer, query: Record<string, string | undefined>): RawWebhook => ({
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  headers: { 'content-type': 'application/json' },
  query,
});

const templateSend = (to: string, templateId: string | null, values: string[]): SendRequest => ({
  to,
  idempotencyKey: `k-${to}`,
  content: {
    kind: 'template',
    templateName: 'order_placed',
    language: 'en_US',
    templateId,
    parameterFormat: 'POSITIONAL',
    parameters: values.map((value, i) => ({ name: String(i + 1), value })),
  },
});

describe('Gupshup adapter against the simulator', () => {
  const sim = new GupshupSimulator({ statusDelayMs: 5 });
  const receiver = new WebhookReceiver(`/webhooks/gupshup?token=${CALLBACK_TOKEN}`);
  let adapter: GupshupAdapter;

  serveSimulator(sim, [receiver], {
    started: (baseUrl) => (adapter = new GupshupAdapter({ baseUrl })),
    seed: () => sim.addApp({ ...APP, callbackUrl: null }),
  });

  const orderPlacedId = (): string => sim.template(APP.appName, 'order_placed')!.id;

  describe('verifyAccount', () => {
    it('accepts a valid key and app', async () => {
      const verified = await adapter.verifyAccount(account);
      expect(verified.displayName).toBe(`${APP.appName} (${APP.sourceNumber})`);
      expect(verified.details).toMatchObject({ appName: APP.appName, templateCount: 3 });
      expect(sim.requests('/sm/api/v1/template/list/')[0]!.headers['apikey']).toBe(APP.apiKey);
    });

    it('classifies a bad key as permanent', async () => {
      const err = await expectProviderError(adapter.verifyAccount({ ...account, secrets: { apiKey: 'wrong' } }));
      expect(err.kind).toBe('permanent');
      expect(err.httpStatus).toBe(401);
      expect(err.message).toMatch(/Gupshup refused the API key: Authentication Failed/);
    });

    it('explains an unknown app name', async () => {
      const err = await expectProviderError(adapter.verifyAccount({ ...account, settings: { appName: 'NoSuchApp' } }));
      expect(err.kind).toBe('permanent');
      expect(err.message).toMatch(/Gupshup app "NoSuchApp" was not found for this API key: Request Bot Not Found/);
    });
  });

  it('lists templates mapped to provider templates', async () => {
    sim.upsertTemplate(APP.appName, { elementName: 'paused_one', status: 'PAUSED', data: 'Hello {{1}}' });
    const templates = await adapter.listTemplates(account);
    const byName = new Map(templates.map((t) => [t.name, t]));
    expect(byName.get('order_placed')).toEqual({
      id: orderPlacedId(),
      name: 'order_placed',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      bodyText: 'Hi {{1}}, thank you for your order {{2}}. Total: {{3}}.',
      placeholders: ['1', '2', '3'],
      parameterFormat: 'POSITIONAL',
    });
    expect(byName.get('promo_pending')?.status).toBe('PENDING');
    expect(byName.get('old_rejected')?.status).toBe('REJECTED');
    expect(byName.get('paused_one')?.status).toBe('PAUSED');
  });

  describe('send', () => {
    it('sends a template by id with params in placeholder order', async () => {
      const request = templateSend('919876543210', orderPlacedId(), ['Jessica', '#1001', '$42.00']);
      // Listed out of order on purpose: the wire order follows the placeholder numbers.
      if (request.content.kind === 'template') request.content.parameters.reverse();
      const result = await adapter.send(account, request);
      expect(result.providerStatus).toBe('submitted');
      const [msg] = sim.messages('919876543210');
      expect(msg?.id).toBe(result.providerMessageId);
      expect(msg?.renderedText).toBe('Hi Jessica, thank you for your order #1001. Total: $42.00.');
      const form = new URLSearchParams(sim.requests('/wa/api/v1/template/msg')[0]!.body);
      expect(form.get('src.name')).toBe(APP.appName);
      expect(form.get('source')).toBe(APP.sourceNumber);
      expect(JSON.parse(form.get('template') ?? '')).toEqual({ id: orderPlacedId(), params: ['Jessica', '#1001', '$42.00'] });
    });

    it('sends free-form text', async () => {
      const result = await adapter.send(account, { to: '919876543210', idempotencyKey: 't', content: { kind: 'text', text: 'Your parcel is out' } });
      expect(sim.messages('919876543210')[0]).toMatchObject({ id: result.providerMessageId, type: 'text', renderedText: 'Your parcel is out' });
    });

    it('refuses a template without an id before calling Gupshup', async () => {
      const err = await expectProviderError(adapter.send(account, templateSend('919876543210', null, ['a', 'b', 'c'])));
      expect(err.kind).toBe('permanent');
      expect(err.message).toMatch(/template id/);
      expect(sim.requests()).toHaveLength(0);
    });

    it('classifies a pending template as permanent with Gupshup\'s reason', async () => {
      const pending = sim.template(APP.appName, 'promo_pending')!.id;
      const err = await expectProviderError(adapter.send(account, templateSend('919876543210', pending, ['a', 'b', 'c'])));
      expect(err.kind).toBe('permanent');
      expect(err.httpStatus).toBe(400);
      expect(err.message).toMatch(/promo_pending is PENDING, not APPROVED/);
    });

    it('classifies a param count mismatch as permanent', async () => {
      const err = await expectProviderError(adapter.send(account, templateSend('919876543210', orderPlacedId(), ['only one'])));
      expect(err.kind).toBe('permanent');
      expect(err.message).toMatch(/expects 3, got 1/);
    });

    it('waits on an injected 429', async () => {
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 3 });
      const err = await expectProviderError(adapter.send(account, templateSend('919876543210', orderPlacedId(), ['a', 'b', 'c'])));
      expect(err.kind).toBe('retry_after');
      expect(err.retryAfterMs).toBe(3000);
      expect(err.providerCode).toBe('4001');
    });

    it('waits 1s on Gupshup code 4001 without a Retry-After', async () => {
      sim.injectFault({ kind: 'status', status: 400, body: { status: 'error', code: 4001, message: 'API rate limited' } });
      const err = await expectProviderError(adapter.send(account, templateSend('919876543210', orderPlacedId(), ['a', 'b', 'c'])));
      expect(err.kind).toBe('retry_after');
      expect(err.retryAfterMs).toBe(1000);
    });

    it('retries on 503', async () => {
      sim.injectFault({ kind: 'status', status: 503 });
      const err = await expectProviderError(adapter.send(account, templateSend('919876543210', orderPlacedId(), ['a', 'b', 'c'])));
      expect(err.kind).toBe('retryable');
      expect(err.httpStatus).toBe(503);
    });
  });

  describe('callbacks', () => {
    it('delivers enqueued, sent, delivered correlated by gsId; enqueued is not a status', async () => {
      sim.setCallbackUrl(APP.appName, receiver.url);
      const { providerMessageId } = await adapter.send(account, templateSend('919876543210', orderPlacedId(), ['a', 'b', 'c']));
      const hooks = await receiver.waitFor(3);
      const types = hooks.map((h) => (JSON.parse(h.body.toString()) as { payload: { type: string } }).payload.type);
      expect(types).toEqual(['enqueued', 'sent', 'delivered']);
      const statuses = hooks.flatMap((h) => adapter.parseWebhook(h.body).statuses);
      expect(statuses.map((s) => [s.providerMessageId, s.state])).toEqual([
        [providerMessageId, 'sent'],
        [providerMessageId, 'delivered'],
      ]);
      expect(statuses[0]).toMatchObject({ recipient: '919876543210', category: 'utility', errorCode: null });
    });

    it('accepts an invalid recipient, then posts a failed event with 1002', async () => {
      sim.setCallbackUrl(APP.appName, receiver.url);
      sim.injectFault({ kind: 'invalid_recipient', recipient: '15550000000' });
      const { providerMessageId } = await adapter.send(account, templateSend('15550000000', orderPlacedId(), ['a', 'b', 'c']));
      const [hook] = await receiver.waitFor(1);
      expect(adapter.verifyWebhook(account, rawWebhook(hook!.body, Object.fromEntries(hook!.url.searchParams)))).toBe(true);
      const { statuses, messages } = adapter.parseWebhook(hook!.body);
      expect(messages).toEqual([]);
      expect(statuses).toEqual([
        expect.objectContaining({
          providerMessageId,
          state: 'failed',
          recipient: '15550000000',
          errorCode: '1002',
          errorDetail: 'Number Does Not Exists On WhatsApp',
        }),
      ]);
      await new Promise((r) => setTimeout(r, 50));
      expect(receiver.received).toHaveLength(1);
    });

    it('sends no events when status callbacks are off', async () => {
      sim.setCallbackUrl(APP.appName, receiver.url);
      sim.applySettings({ statusCallbacks: false });
      try {
        await adapter.send(account, templateSend('919876543210', orderPlacedId(), ['a', 'b', 'c']));
        await new Promise((r) => setTimeout(r, 50));
        expect(receiver.received).toHaveLength(0);
      } finally {
        sim.applySettings({ statusCallbacks: true });
      }
    });

    it('emits inbound text and quick replies the adapter parses', async () => {
      sim.setCallbackUrl(APP.appName, receiver.url);
      expect(await sim.emitInbound({ appName: APP.appName, from: '919876543210', text: 'Hi', name: 'Smit' })).toBe(200);
      expect(await sim.emitInbound({ appName: APP.appName, from: '919876543210', postbackText: 'TRACK_1001', buttonText: 'Track' })).toBe(200);
      const [text, reply] = receiver.received.map((h) => adapter.parseWebhook(h.body).messages[0]);
      expect(text).toMatchObject({ from: '919876543210', text: 'Hi', payload: null, profileName: 'Smit' });
      expect(reply).toMatchObject({ from: '919876543210', text: 'Track', payload: 'TRACK_1001' });
    });
  });

  describe('verifyWebhook', () => {
    const body = '{"app":"ShoptalkDemo","timestamp":1,"version":2,"type":"message-event","payload":{}}';
    it('sends the documented sender: full phone, country_code and the national dial_code', async () => {
      sim.setCallbackUrl(APP.appName, receiver.url);
      for (const from of ['919876543210', '+14155550123', '886912345678', '48601234567']) {
        expect(await sim.emitInbound({ appName: APP.appName, from, text: 'Hi', name: 'Smit' })).toBe(200);
      }
      const senders = receiver.received.map((h) => (JSON.parse(h.body.toString('utf8')) as { payload: { source: string; sender: Record<string, string> } }).payload);
      expect(senders.map((p) => [p.source, p.sender])).toEqual([
        ['919876543210', { phone: '919876543210', name: 'Smit', country_code: '91', dial_code: '9876543210' }],
        ['14155550123', { phone: '14155550123', name: 'Smit', country_code: '1', dial_code: '4155550123' }],
        ['886912345678', { phone: '886912345678', name: 'Smit', country_code: '886', dial_code: '912345678' }],
        ['48601234567', { phone: '48601234567', name: 'Smit', country_code: '48', dial_code: '601234567' }],
      ]);
      expect(receiver.received.map((h) => adapter.parseWebhook(h.body).messages[0]?.from)).toEqual(['919876543210', '14155550123', '886912345678', '48601234567']);
      await expect(sim.emitInbound({ appName: APP.appName, from: 'abc', text: 'Hi' })).rejects.toThrow(/country code/);
    });

    it('checks the token query parameter', () => {
      expect(adapter.verifyWebhook(account, rawWebhook(body, { token: CALLBACK_TOKEN }))).toBe(true);
      expect(adapter.verifyWebhook(account, rawWebhook(body, { token: 'cb-secret-7f3b' }))).toBe(false);
      expect(adapter.verifyWebhook(account, rawWebhook(body, { token: 'short' }))).toBe(false);
      expect(adapter.verifyWebhook(account, rawWebhook(body, {}))).toBe(false);
      expect(adapter.verifyWebhook({ ...account, secrets: { apiKey: APP.apiKey } }, rawWebhook(body, { token: CALLBACK_TOKEN }))).toBe(false);
    });
  });
});

describe('Gupshup interactive messages against the simulator', () => {
  const sim = new GupshupSimulator({ statusCallbacks: false });
  const receiver = new WebhookReceiver(`/webhooks/gupshup?token=${CALLBACK_TOKEN}`);
  let adapter: GupshupAdapter;
  const CUSTOMER = '919876543210';

  const interactive = (content: Omit<InteractiveContent, 'kind'>): SendRequest => ({
    to: CUSTOMER,
    idempotencyKey: 'k-interactive-1',
    content: { kind: 'interactive', ...content },
  });
  const choices = (n: number): ChatButton[] => Array.from({ length: n }, (_, i) => ({ id: `choice_${i + 1}`, title: `Option ${i + 1}` }));
  /** The `message` form field of the last send, parsed. */
  const sentMessage = (): unknown => {
    const last = sim.requests('/wa/api/v1/msg').at(-1);
    return JSON.parse(new URLSearchParams(last?.body ?? '').get('message') ?? 'null');
  };
  const post = (path: string, body: unknown) =>
    fetch(`${sim.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  serveSimulator(sim, [receiver], {
    started: (baseUrl) => (adapter = new GupshupAdapter({ baseUrl })),
    seed: () => sim.addApp({ ...APP, callbackUrl: receiver.url }),
  });

  it('sends 2 choices as a quick_reply whose postbackTexts are the ids', async () => {
    const sent = await adapter.send(account, interactive({ text: 'Confirm delivery address?', buttons: [{ id: 'addr_ok', title: 'Yes' }, { id: 'addr_change', title: 'Change' }] }));
    expect(sentMessage()).toEqual({
      type: 'quick_reply',
      msgid: 'k-interactive-1',
      content: { type: 'text', text: 'Confirm delivery address?' },
      options: [
        { type: 'text', title: 'Yes', postbackText: 'addr_ok' },
        { type: 'text', title: 'Change', postbackText: 'addr_change' },
      ],
    });
    const [recorded] = sim.messages(CUSTOMER);
    expect(recorded).toMatchObject({
      id: sent.providerMessageId,
      type: 'quick_reply',
      msgid: 'k-interactive-1',
      renderedText: 'Confirm delivery address?',
      options: [
        { title: 'Yes', postbackText: 'addr_ok', description: null },
        { title: 'Change', postbackText: 'addr_change', description: null },
      ],
    });
  });

  it('sends 6 choices as a list', async () => {
    await adapter.send(account, interactive({ text: 'Which size?', buttons: choices(6) }));
    expect(sentMessage()).toEqual({
      type: 'list',
      title: 'Options',
      body: 'Which size?',
      msgid: 'k-interactive-1',
      globalButtons: [{ type: 'text', title: 'Choose' }],
      items: [{ options: choices(6).map((c) => ({ type: 'text', title: c.title, postbackText: c.id })) }],
    });
    expect(sim.messages(CUSTOMER)[0]).toMatchObject({ type: 'list', listTitle: 'Options', listButton: 'Choose' });
    expect(sim.messages(CUSTOMER)[0]?.options.map((o) => o.postbackText)).toEqual(choices(6).map((c) => c.id));
  });

  it('refuses 11 choices and a 21-character title before calling Gupshup', async () => {
    const tooMany = await expectProviderError(adapter.send(account, interactive({ text: 'Pick one', buttons: choices(11) })));
    expect(tooMany.kind).toBe('permanent');
    expect(tooMany.message).toContain('at most 10 choices');
    const tooLong = await expectProviderError(adapter.send(account, interactive({ text: 'Pick one', buttons: [{ id: 'a', title: 'Twenty-one characters' }] })));
    expect(tooLong.kind).toBe('permanent');
    expect(tooLong.message).toContain('"Twenty-one characters" is 21 characters; the limit is 20');
    expect(sim.requests()).toHaveLength(0);
  });

  it('appends cards and links to the body; without choices it sends text', async () => {
    await adapter.send(
      account,
      interactive({
        text: 'Your order',
        buttons: [{ id: 'help', title: 'Help' }],
        cards: [{ title: 'Order #1001', subtitle: 'Shipped', url: 'https://shop.example/o/1001' }],
        links: [{ title: 'Track', url: 'https://t.example/1001' }],
      }),
    );
    expect((sentMessage() as { content: { text: string } }).content.text).toBe(
      'Your order\n\n• Order #1001 — Shipped\n  https://shop.example/o/1001\n• Track\n  https://t.example/1001',
    );
    await adapter.send(account, interactive({ text: 'Track here', buttons: [], links: [{ title: 'Track', url: 'https://t.example/1' }] }));
    expect(sentMessage()).toEqual({ type: 'text', text: 'Track here\n\n• Track\n  https://t.example/1' });
    await adapter.send(account, { to: CUSTOMER, idempotencyKey: 'k', content: { kind: 'text', text: 'hi', replyToken: 'line-token' } });
    expect(sentMessage()).toEqual({ type: 'text', text: 'hi' });
  });

  it('returns a quick-reply tap and a list choice as the inbound payload', async () => {
    const buttons = await adapter.send(account, interactive({ text: 'Confirm?', buttons: [{ id: 'addr_ok', title: 'Yes' }, { id: 'addr_change', title: 'Change' }] }));
    expect(await sim.emitInbound({ appName: APP.appName, from: CUSTOMER, postbackText: 'addr_ok', contextId: buttons.providerMessageId })).toBe(200);
    const list = await adapter.send(account, interactive({ text: 'Which size?', buttons: choices(5) }));
    const res = await post('/_sim/inbound', { appName: APP.appName, from: CUSTOMER, postbackText: 'choice_3', contextId: list.providerMessageId });
    expect(res.status).toBe(200);

    const hooks = await receiver.waitFor(2);
    const inner = hooks.map((h) => (JSON.parse(h.body.toString()) as { payload: { type: string; payload: unknown } }).payload);
    expect(inner[0]).toMatchObject({ type: 'quick_reply', payload: { text: 'Yes', type: 'button', postbackText: 'addr_ok' } });
    expect(inner[1]).toMatchObject({ type: 'list_reply', payload: { title: 'Option 3', id: 'k-interactive-1', reply: 'Option 3 3', postbackText: 'choice_3' } });
    const parsed = hooks.map((h) => adapter.parseWebhook(h.body).messages[0]);
    expect(parsed.map((m) => [m?.payload, m?.text, m?.replyToProviderMessageId])).toEqual([
      ['addr_ok', 'Yes', buttons.providerMessageId],
      ['choice_3', 'Option 3', list.providerMessageId],
    ]);
  });

  it('answers 400 to a tap that is not an option of the message it replies to', async () => {
    const sent = await adapter.send(account, interactive({ text: 'Confirm?', buttons: [{ id: 'yes', title: 'Yes' }] }));
    const res = await post('/_sim/inbound', { appName: APP.appName, from: CUSTOMER, postbackText: 'no', contextId: sent.providerMessageId });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('not an option');
    expect(receiver.received).toHaveLength(0);
  });

  it('validates quick_reply and list messages sent straight to the API', async () => {
    const send = (message: unknown) =>
      fetch(`${sim.baseUrl}/wa/api/v1/msg`, {
        method: 'POST',
        headers: { apikey: APP.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ channel: 'whatsapp', source: APP.sourceNumber, destination: CUSTOMER, 'src.name': APP.appName, message: JSON.stringify(message) }).toString(),
      });
    const option = (title: string) => ({ type: 'text', title, postbackText: title });
    const quick = (options: unknown[]) => ({ type: 'quick_reply', msgid: 'm', content: { type: 'text', text: 'Pick' }, options });
    const list = (options: unknown[], extra: Record<string, unknown> = {}) => ({
      type: 'list', title: 'T', body: 'Pick', msgid: 'm', globalButtons: [{ type: 'text', title: 'Choose' }], items: [{ options }], ...extra,
    });
    const cases: Array<[unknown, string]> = [
      [quick(['a', 'b', 'c', 'd'].map(option)), 'at most 3 options'],
      [quick([option('Twenty-one characters')]), 'longer than 20 characters'],
      [quick([]), 'non-empty'],
      [list(Array.from({ length: 11 }, (_, i) => option(`Row ${i}`))), 'at most 10 options'],
      [list([option('A')], { globalButtons: [] }), 'globalButtons'],
      [{ type: 'carousel' }, 'type must be text, quick_reply or list'],
    ];
    for (const [message, problem] of cases) {
      const res = await send(message);
      expect(res.status).toBe(400);
      expect((await res.json()) as { status: string; message: string }).toMatchObject({ status: 'error', message: expect.stringContaining(problem) as string });
    }
    expect(sim.messages()).toHaveLength(0);
    expect((await send(list([option('A')]))).status).toBe(202);
  });

  it('waits on a 429 with Retry-After and retries a 5xx for interactive sends', async () => {
    const request = interactive({ text: 'Confirm?', buttons: [{ id: 'yes', title: 'Yes' }] });
    sim.injectFault({ kind: 'status', status: 429, retryAfter: 2 });
    expect(await expectProviderError(adapter.send(account, request))).toMatchObject({ kind: 'retry_after', retryAfterMs: 2000 });
    sim.injectFault({ kind: 'status', status: 502 });
    expect(await expectProviderError(adapter.send(account, request))).toMatchObject({ kind: 'retryable', httpStatus: 502 });
  });
});

describe('Gupshup callback parsing (reference samples)', () => {
  const adapter = new GupshupAdapter({ baseUrl: 'http://127.0.0.1:1' });

  it('parses an inbound text message', () => {
    const sample = {
      app: 'DemoApp',
      timestamp: 1580227766370,
      version: 2,
      type: 'message',
      payload: {
        id: 'ABEGkYaYVSEEAhAL3SLAWwHKeKrt6s3FKB0c',
        source: '918x98xx21x4',
        type: 'text',
        payload: { text: 'Hi' },
        sender: { phone: '918x98xx21x4', name: 'Smit', country_code: '91', dial_code: '8x98xx21x4' },
      },
    };
    expect(adapter.parseWebhook(Buffer.from(JSON.stringify(sample)))).toEqual({
      statuses: [],
      messages: [
        {
          providerMessageId: 'ABEGkYaYVSEEAhAL3SLAWwHKeKrt6s3FKB0c',
          from: '918x98xx21x4',
          occurredAt: 1580227766370,
          text: 'Hi',
          payload: null,
          profileName: 'Smit',
          replyToProviderMessageId: null,
        },
      ],
    });
  });

  it('reads the number from sender.country_code + dial_code when source and phone are absent', () => {
    const message = (payloadFields: Record<string, unknown>) =>
      Buffer.from(JSON.stringify({ app: 'DemoApp', timestamp: 1580227766370, version: 2, type: 'message', payload: { id: 'ABEG1', type: 'text', payload: { text: 'Hi' }, ...payloadFields } }));
    const from = (fields: Record<string, unknown>) => adapter.parseWebhook(message(fields)).messages[0]?.from;
    expect(from({ sender: { name: 'Smit', country_code: '91', dial_code: '9876543210' } })).toBe('919876543210');
    expect(from({ sender: { phone: '+919876543210', name: 'Smit', country_code: '91', dial_code: '9876543210' } })).toBe('919876543210');
    expect(from({ source: '919876543210', sender: { phone: '919876543210', country_code: '91', dial_code: '9876543210' } })).toBe('919876543210');
  });

  it('parses a quick-reply tap', () => {
    const sample = {
      app: 'DemoApp',
      timestamp: 1580227766370,
      version: 2,
      type: 'message',
      payload: {
        id: 'ABEGkYaYVSEEAhAL3SLAWwHKeKrt6s3FKB0d',
        source: '918x98xx21x4',
        type: 'quick_reply',
        payload: { text: 'Track order', type: 'button', postbackText: 'TRACK_1001' },
        sender: { phone: '918x98xx21x4', name: 'Smit', country_code: '91', dial_code: '8x98xx21x4' },
        context: { id: 'gBEGkYaYVSEEAgkL-some-id', gsId: '3867730a-bb97-4ea5-bad6-e6e34201ce89' },
      },
    };
    const [msg] = adapter.parseWebhook(Buffer.from(JSON.stringify(sample))).messages;
    expect(msg).toMatchObject({ text: 'Track order', payload: 'TRACK_1001', replyToProviderMessageId: '3867730a-bb97-4ea5-bad6-e6e34201ce89' });
  });

  it('parses a list reply by its postbackText', () => {
    const sample = {
      app: 'DemoApp',
      timestamp: 1580228523976,
      version: 2,
      type: 'message',
      payload: {
        id: 'ABEGkYaYVSEEAhCzqobr15BdMPcRup1fIXAJ',
        source: '918x98xx21x4',
        type: 'list_reply',
        payload: { title: 'section 1 row 1', id: 'list1', reply: 'section 1 row 1 1', postbackText: 'row_1', description: 'first row' },
        sender: { phone: '918x98xx21x4', name: 'John', country_code: '91', dial_code: '8x98xx21x4' },
        context: { id: 'gBEGkYaYVSEEAgnPGGVYGg1uNU4', gsId: 'cbdafe39-1023-42a7-89d6-6c01a3388bb5' },
      },
    };
    const [msg] = adapter.parseWebhook(Buffer.from(JSON.stringify(sample))).messages;
    expect(msg).toMatchObject({ text: 'section 1 row 1', payload: 'row_1', replyToProviderMessageId: 'cbdafe39-1023-42a7-89d6-6c01a3388bb5' });
  });

  it('ignores enqueued, template-event and unknown types; rejects non-JSON', () => {
    const enqueued = { app: 'A', timestamp: 1, version: 2, type: 'message-event', payload: { id: 'x', type: 'enqueued', destination: '91', payload: { whatsappMessageId: 'g', type: 'template' } } };
    const templateEvent = { app: 'A', timestamp: 1, version: 2, type: 'template-event', payload: { type: 'status-update', id: 'u', status: 'approved' } };
    const other = { app: 'A', timestamp: 1, version: 2, type: 'user-event', payload: { type: 'opted-in' } };
    for (const body of [enqueued, templateEvent, other]) {
      expect(adapter.parseWebhook(Buffer.from(JSON.stringify(body)))).toEqual({ statuses: [], messages: [] });
    }
    expect(() => adapter.parseWebhook(Buffer.from('not json'))).toThrow(/not valid JSON/);
  });
});
