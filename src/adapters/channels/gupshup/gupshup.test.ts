// The Gupshup adapter against its simulator over real HTTP: account checks, template listing, sends,
// Gupshup's error classification, and token-secured callbacks received by a local HTTP server.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelAccountCredentials, RawWebhook, SendRequest } from '../../../core/channels/ports.js';
import { ProviderError } from '../../../core/errors.js';
import { GupshupAdapter, GupshupSimulator } from './index.js';
import { WebhookReceiver } from '../../../../test/support/receiver.js';

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

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error('expected a ProviderError');
}

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

  beforeAll(async () => {
    adapter = new GupshupAdapter({ baseUrl: await sim.listen() });
    await receiver.listen();
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  beforeEach(() => {
    sim.reset();
    sim.addApp({ ...APP, callbackUrl: null });
    receiver.received.length = 0;
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
      const err = await failure(adapter.verifyAccount({ ...account, secrets: { apiKey: 'wrong' } }));
      expect(err.kind).toBe('permanent');
      expect(err.httpStatus).toBe(401);
      expect(err.message).toMatch(/Gupshup refused the API key: Authentication Failed/);
    });

    it('explains an unknown app name', async () => {
      const err = await failure(adapter.verifyAccount({ ...account, settings: { appName: 'NoSuchApp' } }));
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
      const err = await failure(adapter.send(account, templateSend('919876543210', null, ['a', 'b', 'c'])));
      expect(err.kind).toBe('permanent');
      expect(err.message).toMatch(/template id/);
      expect(sim.requests()).toHaveLength(0);
    });

    it('classifies a pending template as permanent with Gupshup\'s reason', async () => {
      const pending = sim.template(APP.appName, 'promo_pending')!.id;
      const err = await failure(adapter.send(account, templateSend('919876543210', pending, ['a', 'b', 'c'])));
      expect(err.kind).toBe('permanent');
      expect(err.httpStatus).toBe(400);
      expect(err.message).toMatch(/promo_pending is PENDING, not APPROVED/);
    });

    it('classifies a param count mismatch as permanent', async () => {
      const err = await failure(adapter.send(account, templateSend('919876543210', orderPlacedId(), ['only one'])));
      expect(err.kind).toBe('permanent');
      expect(err.message).toMatch(/expects 3, got 1/);
    });

    it('waits on an injected 429', async () => {
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 3 });
      const err = await failure(adapter.send(account, templateSend('919876543210', orderPlacedId(), ['a', 'b', 'c'])));
      expect(err.kind).toBe('retry_after');
      expect(err.retryAfterMs).toBe(3000);
      expect(err.providerCode).toBe('4001');
    });

    it('waits 1s on Gupshup code 4001 without a Retry-After', async () => {
      sim.injectFault({ kind: 'status', status: 400, body: { status: 'error', code: 4001, message: 'API rate limited' } });
      const err = await failure(adapter.send(account, templateSend('919876543210', orderPlacedId(), ['a', 'b', 'c'])));
      expect(err.kind).toBe('retry_after');
      expect(err.retryAfterMs).toBe(1000);
    });

    it('retries on 503', async () => {
      sim.injectFault({ kind: 'status', status: 503 });
      const err = await failure(adapter.send(account, templateSend('919876543210', orderPlacedId(), ['a', 'b', 'c'])));
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
    it('checks the token query parameter', () => {
      expect(adapter.verifyWebhook(account, rawWebhook(body, { token: CALLBACK_TOKEN }))).toBe(true);
      expect(adapter.verifyWebhook(account, rawWebhook(body, { token: 'cb-secret-7f3b' }))).toBe(false);
      expect(adapter.verifyWebhook(account, rawWebhook(body, { token: 'short' }))).toBe(false);
      expect(adapter.verifyWebhook(account, rawWebhook(body, {}))).toBe(false);
      expect(adapter.verifyWebhook({ ...account, secrets: { apiKey: APP.apiKey } }, rawWebhook(body, { token: CALLBACK_TOKEN }))).toBe(false);
    });
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
