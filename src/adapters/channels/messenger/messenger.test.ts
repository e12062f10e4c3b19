// The Messenger adapter against its simulator over real HTTP: page checks, sends inside and outside the
// 24 h window, tagged receipts, Graph error classification, and signed webhooks received by a local server.
import { describe, expect, it } from 'vitest';
import type { ChannelAccountCredentials, SendRequest } from '../../../core/channels/ports.js';
import { MessengerAdapter } from './index.js';
import { MessengerSimulator } from './simulator.js';
import { WebhookReceiver, rawWebhook } from '../../../../test/support/receiver.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const PAGE = { pageId: '104857600000001', name: 'Shoptalk Sandbox Shop', pageAccessToken: 'EAAB-page-token', appSecret: 'page-app-secret' };
const PSID = '6543210987654321';

const account: ChannelAccountCredentials = {
  settings: { pageId: PAGE.pageId },
  secrets: { pageAccessToken: PAGE.pageAccessToken, appSecret: PAGE.appSecret },
};

const textSend = (to: string, text: string): SendRequest => ({ to, idempotencyKey: `k-${to}`, content: { kind: 'text', text } });

const receipt = (overrides: Record<string, unknown> = {}): unknown => ({
  attachment: {
    type: 'template',
    payload: {
      template_type: 'receipt',
      recipient_name: 'Ada Lovelace',
      order_number: '1001',
      currency: 'USD',
      payment_method: 'Visa 2345',
      summary: { subtotal: 50, total_cost: 56.14 },
      elements: [{ title: 'Classic White T-Shirt', quantity: 1, price: 50, currency: 'USD' }],
      ...overrides,
    },
  },
});

describe('Messenger adapter against the simulator', () => {
  const sim = new MessengerSimulator({ deliveryDelayMs: 5, webhookRetryDelaysMs: [10] });
  const receiver = new WebhookReceiver('/webhooks/messenger');
  let adapter: MessengerAdapter;

  serveSimulator(sim, [receiver], {
    started: (baseUrl) => (adapter = new MessengerAdapter({ baseUrl: `${baseUrl}/v25.0`, timeoutMs: 2000 })),
    seed: () => sim.addPage({ ...PAGE, webhookUrl: null }),
  });

  describe('verifyAccount', () => {
    it('returns the page name and sends the token as access_token', async () => {
      const verified = await adapter.verifyAccount(account);
      expect(verified).toEqual({ displayName: PAGE.name, details: { pageId: PAGE.pageId, name: PAGE.name } });
      const req = sim.requests()[0];
      expect(`${req?.method} ${req?.path}`).toBe(`GET /v25.0/${PAGE.pageId}`);
      expect(req?.query).toMatchObject({ fields: 'name,id', access_token: PAGE.pageAccessToken });
    });

    it('turns a refused token into a permanent 190', async () => {
      const err = await expectProviderError(adapter.verifyAccount({ ...account, secrets: { ...account.secrets, pageAccessToken: 'expired' } }));
      expect(err.kind).toBe('permanent');
      expect(err.providerCode).toBe('190');
      expect(err.message).toMatch(/^Messenger refused the page access token/);
    });

    it('lists no templates', async () => {
      expect(await adapter.listTemplates(account)).toEqual([]);
    });
  });

  describe('send', () => {
    it('sends text as an UPDATE inside the 24 h window', async () => {
      sim.registerPsid(PAGE.pageId, PSID);
      const result = await adapter.send(account, textSend(PSID, 'Your order #1001 has shipped'));
      expect(result.providerMessageId).toMatch(/^m_/);
      expect(sim.requests()[0]?.json).toEqual({
        recipient: { id: PSID },
        messaging_type: 'UPDATE',
        message: { text: 'Your order #1001 has shipped' },
      });
      expect(sim.messages(PSID)).toMatchObject([
        { id: result.providerMessageId, messagingType: 'UPDATE', tag: null, kind: 'text', renderedText: 'Your order #1001 has shipped' },
      ]);
    });

    it('refuses text outside the window as permanent code 10', async () => {
      sim.registerPsid(PAGE.pageId, PSID, Date.now() - 25 * 60 * 60 * 1000);
      const err = await expectProviderError(adapter.send(account, textSend(PSID, 'late')));
      expect(err.kind).toBe('permanent');
      expect(err.providerCode).toBe('10');
      expect(err.message).toContain('code 10/2018278');
      expect(sim.messages()).toEqual([]);
    });

    it('refuses an unknown PSID as permanent 100/2018001', async () => {
      const err = await expectProviderError(adapter.send(account, textSend('999', 'hello')));
      expect(err.kind).toBe('permanent');
      expect(err.providerCode).toBe('100');
      expect(err.message).toContain('code 100/2018001');
    });

    it('refuses template content without calling Graph', async () => {
      const err = await expectProviderError(
        adapter.send(account, {
          to: PSID,
          idempotencyKey: 'k',
          content: { kind: 'template', templateName: 'order_shipped', language: 'en_US', parameters: [], parameterFormat: 'POSITIONAL' },
        }),
      );
      expect(err.kind).toBe('permanent');
      expect(err.message).toContain('does not support provider templates');
      expect(sim.requests()).toEqual([]);
    });

    it('sends a tagged receipt outside the window via sendMessage', async () => {
      sim.registerPsid(PAGE.pageId, PSID, Date.now() - 3 * 24 * 60 * 60 * 1000);
      const result = await adapter.sendMessage(account, {
        recipient: PSID,
        messagingType: 'MESSAGE_TAG',
        tag: 'POST_PURCHASE_UPDATE',
        message: receipt(),
      });
      expect(result.providerMessageId).toMatch(/^m_/);
      const [msg] = sim.messages(PSID);
      expect(msg).toMatchObject({ messagingType: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE', kind: 'receipt' });
      expect(msg?.renderedText).toBe('Receipt 1001 for Ada Lovelace: 56.14 USD paid with Visa 2345 (Classic White T-Shirt)');
    });

    it('refuses a receipt missing a required field as permanent', async () => {
      sim.registerPsid(PAGE.pageId, PSID);
      const err = await expectProviderError(
        adapter.sendMessage(account, { recipient: PSID, messagingType: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE', message: receipt({ payment_method: '' }) }),
      );
      expect(err.kind).toBe('permanent');
      expect(err.providerCode).toBe('100');
      expect(err.message).toContain('payment_method');
    });

    it('refuses MESSAGE_TAG without a valid tag', async () => {
      sim.registerPsid(PAGE.pageId, PSID);
      const err = await expectProviderError(adapter.sendMessage(account, { recipient: PSID, messagingType: 'MESSAGE_TAG', message: { text: 'x' } }));
      expect(err.kind).toBe('permanent');
      expect(err.message).toContain('Param tag');
    });

    it('maps an invalid_recipient fault to permanent 551', async () => {
      sim.registerPsid(PAGE.pageId, PSID);
      sim.injectFault({ kind: 'invalid_recipient', recipient: PSID });
      const err = await expectProviderError(adapter.send(account, textSend(PSID, 'hi')));
      expect(err.kind).toBe('permanent');
      expect(err.providerCode).toBe('551');
      expect(err.message).toContain('551/1545041');
    });

    it('classifies 429 as retry_after and 503 as retryable', async () => {
      sim.registerPsid(PAGE.pageId, PSID);
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 2 });
      const limited = await expectProviderError(adapter.send(account, textSend(PSID, 'hi')));
      expect(limited.kind).toBe('retry_after');
      expect(limited.retryAfterMs).toBe(2000);
      expect(limited.providerCode).toBe('613');

      sim.injectFault({ kind: 'status', status: 429 });
      expect((await expectProviderError(adapter.send(account, textSend(PSID, 'hi')))).retryAfterMs).toBe(1000);

      sim.injectFault({ kind: 'status', status: 503 });
      const down = await expectProviderError(adapter.send(account, textSend(PSID, 'hi')));
      expect(down.kind).toBe('retryable');
      expect(down.httpStatus).toBe(503);
    });
  });

  describe('webhooks', () => {
    it('posts a signed inbound message that verifies and parses, then a delivery for the reply', async () => {
      sim.addPage({ ...PAGE, webhookUrl: receiver.url });
      const inbound = await sim.emitInbound({ pageId: PAGE.pageId, psid: PSID, text: 'where is my order?' });
      expect(inbound.status).toBe(200);
      const [first] = await receiver.waitFor(1);
      expect(adapter.verifyWebhook(account, rawWebhook(first!))).toBe(true);
      expect(adapter.parseWebhook(first!.body)).toMatchObject({
        statuses: [],
        messages: [{ providerMessageId: inbound.mid, from: PSID, text: 'where is my order?', payload: null }],
      });

      const sent = await adapter.send(account, textSend(PSID, 'It ships today'));
      const all = await receiver.waitFor(2);
      const delivery = all[1]!;
      expect(delivery.headers['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(adapter.verifyWebhook(account, rawWebhook(delivery))).toBe(true);
      const parsed = adapter.parseWebhook(delivery.body);
      expect(parsed.messages).toEqual([]);
      expect(parsed.statuses).toMatchObject([{ providerMessageId: sent.providerMessageId, state: 'delivered', recipient: PSID }]);
    });

    it('rejects a tampered body or a wrong secret', async () => {
      sim.addPage({ ...PAGE, webhookUrl: receiver.url });
      await sim.emitInbound({ pageId: PAGE.pageId, psid: PSID, text: 'hi' });
      const [got] = await receiver.waitFor(1);
      const tampered = { ...rawWebhook(got!), body: Buffer.from(got!.body.toString('utf8').replace('hi', 'ho')) };
      expect(adapter.verifyWebhook(account, tampered)).toBe(false);
      expect(adapter.verifyWebhook({ ...account, secrets: { ...account.secrets, appSecret: 'other' } }, rawWebhook(got!))).toBe(false);
      expect(adapter.verifyWebhook(account, { ...rawWebhook(got!), headers: {} })).toBe(false);
    });

    it('parses postbacks, quick replies, echoes and reads', () => {
      const body = Buffer.from(
        JSON.stringify({
          object: 'page',
          entry: [
            {
              id: PAGE.pageId,
              time: 1458692752478,
              messaging: [
                { sender: { id: PSID }, recipient: { id: PAGE.pageId }, timestamp: 1527459824, postback: { mid: 'm_pb', title: 'Track order', payload: 'TRACK_1001' } },
                { sender: { id: PSID }, recipient: { id: PAGE.pageId }, timestamp: 1458692752478, message: { mid: 'm_qr', text: 'Yes', quick_reply: { payload: 'CONFIRM_YES' } } },
                { sender: { id: PAGE.pageId }, recipient: { id: PSID }, timestamp: 1458692752478, message: { mid: 'm_echo', text: 'our reply', is_echo: true } },
                { sender: { id: PSID }, recipient: { id: PAGE.pageId }, timestamp: 1458692752478, read: { watermark: 1458668856253 } },
              ],
            },
          ],
        }),
      );
      expect(adapter.parseWebhook(body)).toEqual({
        statuses: [],
        messages: [
          // Each names its page (entry id and recipient agree), which the hub routes by.
          { providerMessageId: 'm_pb', from: PSID, occurredAt: 1527459824000, text: 'Track order', payload: 'TRACK_1001', profileName: null, replyToProviderMessageId: null, accountExternalId: PAGE.pageId },
          { providerMessageId: 'm_qr', from: PSID, occurredAt: 1458692752478, text: 'Yes', payload: 'CONFIRM_YES', profileName: null, replyToProviderMessageId: null, accountExternalId: PAGE.pageId },
        ],
      });
    });

    it('emits one delivered status per mid and refuses non-page envelopes', () => {
      const body = Buffer.from(
        JSON.stringify({
          object: 'page',
          entry: [{ id: PAGE.pageId, messaging: [{ sender: { id: PSID }, recipient: { id: PAGE.pageId }, delivery: { mids: ['m_1', 'm_2'], watermark: 1458668856253 } }] }],
        }),
      );
      expect(adapter.parseWebhook(body).statuses.map((s) => [s.providerMessageId, s.state, s.occurredAt])).toEqual([
        ['m_1', 'delivered', 1458668856253],
        ['m_2', 'delivered', 1458668856253],
      ]);
      expect(() => adapter.parseWebhook(Buffer.from('{"object":"instagram","entry":[]}'))).toThrow(/page envelope/);
      expect(() => adapter.parseWebhook(Buffer.from('nope'))).toThrow(/not valid JSON/);
    });
  });
});
