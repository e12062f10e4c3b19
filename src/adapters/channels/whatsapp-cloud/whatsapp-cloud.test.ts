// The WhatsApp Cloud adapter against its simulator over real HTTP: account checks, template paging, sends,
// Meta's error classification, and signed status/inbound webhooks received by a local HTTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelAccountCredentials, ChatButton, InteractiveContent, SendRequest } from '../../../core/channels/ports.js';
import { WhatsAppCloudAdapter } from './index.js';
import { WhatsAppCloudSimulator } from './simulator.js';
import { WebhookReceiver, rawWebhook } from '../../../../test/support/receiver.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const PHONE = {
  phoneNumberId: '106540352242922',
  wabaId: '102290129340398',
  accessToken: 'EAAG-sandbox-token',
  appSecret: 'sandbox-app-secret',
  displayPhoneNumber: '15550783881',
};
const OTHER = { ...PHONE, phoneNumberId: '200000000000001', wabaId: '300000000000001', accessToken: 'EAAG-other', appSecret: 'other' };

const account: ChannelAccountCredentials = {
  settings: { phoneNumberId: PHONE.phoneNumberId, wabaId: PHONE.wabaId },
  secrets: { accessToken: PHONE.accessToken, appSecret: PHONE.appSecret },
};

const templateSend = (to: string, templateName: string, values: string[]): SendRequest => ({
  to,
  idempotencyKey: `k-${to}-${templateName}`,
  content: {
    kind: 'template',
    templateName,
    language: 'en_US',
    parameterFormat: 'POSITIONAL',
    parameters: values.map((value, i) => ({ name: String(i + 1), value })),
  },
});

describe('WhatsApp Cloud adapter against the simulator', () => {
  const sim = new WhatsAppCloudSimulator({ statusDelayMs: 5, webhookRetryDelaysMs: [10, 20] });
  const receiver = new WebhookReceiver('/webhooks/whatsapp');
  let adapter: WhatsAppCloudAdapter;

  serveSimulator(sim, [receiver], {
    started: (baseUrl) => (adapter = new WhatsAppCloudAdapter({ baseUrl: `${baseUrl}/v23.0`, timeoutMs: 2000 })),
    seed: () => {
      sim.applySettings({ statusWebhooks: true, autoRead: false, statusDelayMs: 5 });
      sim.addPhoneNumber({ ...PHONE, webhookUrl: null });
      sim.addPhoneNumber({ ...OTHER, webhookUrl: null });
    },
  });

  describe('verifyAccount', () => {
    it('returns the display phone number and checks the WABA', async () => {
      const verified = await adapter.verifyAccount(account);
      expect(verified.displayName).toBe(PHONE.displayPhoneNumber);
      expect(verified.details).toMatchObject({ phoneNumberId: PHONE.phoneNumberId, wabaId: PHONE.wabaId, qualityRating: 'GREEN' });
      const paths = sim.requests().map((r) => `${r.method} ${r.path} ${r.query['fields'] ?? ''} ${r.query['limit'] ?? ''}`);
      expect(paths).toEqual([
        `GET /v23.0/${PHONE.phoneNumberId} display_phone_number,verified_name,quality_rating `,
        `GET /v23.0/${PHONE.wabaId}/message_templates name 1`,
      ]);
      expect(sim.requests()[0]?.headers['authorization']).toBe(`Bearer ${PHONE.accessToken}`);
    });

    it('turns a refused token into a permanent 190', async () => {
      const err = await expectProviderError(adapter.verifyAccount({ ...account, secrets: { ...account.secrets, accessToken: 'expired' } }));
      expect(err.kind).toBe('permanent');
      expect(err.providerCode).toBe('190');
      expect(err.httpStatus).toBe(401);
      expect(err.message).toMatch(/^WhatsApp refused the access token: Invalid OAuth access token/);
    });

    it('names an unknown phone number id or WABA id', async () => {
      const phoneErr = await expectProviderError(
        adapter.verifyAccount({ ...account, settings: { ...account.settings, phoneNumberId: '999' } }),
      );
      expect(phoneErr).toMatchObject({ kind: 'permanent', providerCode: '100', httpStatus: 400 });
      expect(phoneErr.message).toContain('phone number id 999');

      const wabaErr = await expectProviderError(adapter.verifyAccount({ ...account, settings: { ...account.settings, wabaId: '888' } }));
      expect(wabaErr).toMatchObject({ kind: 'permanent', providerCode: '100' });
      expect(wabaErr.message).toContain('WhatsApp Business Account id 888');

      // A real WABA that belongs to another token is refused too.
      const foreign = await expectProviderError(adapter.verifyAccount({ ...account, settings: { ...account.settings, wabaId: OTHER.wabaId } }));
      expect(foreign.kind).toBe('permanent');
    });

    it('reports a missing setting without calling Meta', async () => {
      const err = await expectProviderError(adapter.verifyAccount({ settings: { phoneNumberId: '1' }, secrets: {} }));
      expect(err.kind).toBe('permanent');
      expect(err.message).toContain('wabaId, accessToken');
      expect(sim.requests()).toHaveLength(0);
    });
  });

  describe('listTemplates', () => {
    it('follows paging.next and maps templates', async () => {
      for (let i = 0; i < 150; i++) {
        sim.upsertTemplate(PHONE.wabaId, {
          name: `bulk_${String(i).padStart(3, '0')}`,
          language: 'en_US',
          status: i % 2 === 0 ? 'APPROVED' : 'PAUSED',
          category: 'MARKETING',
          bodyText: `Offer ${i} for {{1}}`,
        });
      }
      sim.upsertTemplate(PHONE.wabaId, {
        name: 'named_greeting',
        language: 'pt_BR',
        status: 'APPROVED',
        category: 'UTILITY',
        bodyText: 'Oi {{first_name}}, pedido {{order_id}} de {{first_name}}',
        parameterFormat: 'NAMED',
      });

      const templates = await adapter.listTemplates(account);
      expect(templates).toHaveLength(5 + 150 + 1);
      const calls = sim.requests(`/v23.0/${PHONE.wabaId}/message_templates`);
      expect(calls).toHaveLength(2);
      expect(calls[0]?.query).toMatchObject({ limit: '100', fields: 'name,language,status,category,components,parameter_format,id' });
      expect(calls[1]?.query['after']).toBeTruthy();

      const placed = templates.find((t) => t.name === 'order_placed');
      expect(placed).toMatchObject({
        language: 'en_US',
        status: 'APPROVED',
        category: 'UTILITY',
        bodyText: 'Hi {{1}}, thank you for your order {{2}}. Total: {{3}}. We will let you know when it ships.',
        placeholders: ['1', '2', '3'],
        parameterFormat: 'POSITIONAL',
      });
      expect(placed?.id).toMatch(/^\d+$/);
      expect(templates.find((t) => t.name === 'promo_pending')?.status).toBe('PENDING');
      expect(templates.find((t) => t.name === 'bulk_001')?.status).toBe('PAUSED');
      expect(templates.find((t) => t.name === 'named_greeting')).toMatchObject({
        parameterFormat: 'NAMED',
        placeholders: ['first_name', 'order_id'],
      });
    });

    it('pages with a small limit through the control-free Graph route', async () => {
      const res = await fetch(`${sim.baseUrl}/v23.0/${PHONE.wabaId}/message_templates?limit=2`, {
        headers: { authorization: `Bearer ${PHONE.accessToken}` },
      });
      const page = (await res.json()) as { data: Array<{ name: string }>; paging: { next?: string; cursors: { after: string } } };
      expect(page.data.map((t) => t.name)).toEqual(['order_placed', 'order_shipped']);
      expect(page.paging.next).toMatch(new RegExp(`^${sim.baseUrl}/v23.0/${PHONE.wabaId}/message_templates\\?`));
      const next = (await (await fetch(page.paging.next!, { headers: { authorization: `Bearer ${PHONE.accessToken}` } })).json()) as {
        data: Array<{ name: string }>;
      };
      expect(next.data.map((t) => t.name)).toEqual(['order_delivered', 'promo_pending']);
    });
  });

  describe('send', () => {
    it('sends a template with the exact Graph JSON and records the rendered text', async () => {
      const request = templateSend('15551234567', 'order_placed', ['Jessica', '#1001', '$25.00']);
      if (request.content.kind === 'template') request.content.parameters.reverse(); // order on the wire follows {{n}}
      const result = await adapter.send(account, request);
      expect(result.providerMessageId).toMatch(/^wamid\.[A-Za-z0-9_-]+$/);
      expect(result.providerStatus).toBe('accepted');

      const sent = sim.requests(`/v23.0/${PHONE.phoneNumberId}/messages`)[0];
      expect(sent?.headers['authorization']).toBe(`Bearer ${PHONE.accessToken}`);
      expect(sent?.headers['content-type']).toBe('application/json');
      expect(sent?.json).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '15551234567',
        type: 'template',
        template: {
          name: 'order_placed',
          language: { code: 'en_US' },
          components: [
            {
              type: 'body',
              parameters: [
                { type: 'text', text: 'Jessica' },
                { type: 'text', text: '#1001' },
                { type: 'text', text: '$25.00' },
              ],
            },
          ],
        },
      });

      const outbox = sim.messages('15551234567');
      expect(outbox).toHaveLength(1);
      expect(outbox[0]).toMatchObject({
        id: result.providerMessageId,
        type: 'template',
        templateName: 'order_placed',
        language: 'en_US',
        renderedText: 'Hi Jessica, thank you for your order #1001. Total: $25.00. We will let you know when it ships.',
      });
      const viaControl = (await (await fetch(`${sim.baseUrl}/_sim/messages?to=15551234567`)).json()) as Array<{ id: string }>;
      expect(viaControl.map((m) => m.id)).toEqual([result.providerMessageId]);
    });

    it('sends NAMED parameters with parameter_name and omits the body component without parameters', async () => {
      sim.upsertTemplate(PHONE.wabaId, {
        name: 'named_greeting',
        language: 'en_US',
        status: 'APPROVED',
        category: 'UTILITY',
        bodyText: 'Hello {{first_name}}, order {{order_id}} is ready.',
        parameterFormat: 'NAMED',
      });
      sim.upsertTemplate(PHONE.wabaId, { name: 'no_params', language: 'en_US', status: 'APPROVED', category: 'UTILITY', bodyText: 'Thanks!' });
      await adapter.send(account, {
        to: '15551234567',
        idempotencyKey: 'n1',
        content: {
          kind: 'template',
          templateName: 'named_greeting',
          language: 'en_US',
          parameterFormat: 'NAMED',
          parameters: [
            { name: 'order_id', value: '#7' },
            { name: 'first_name', value: 'Ana' },
          ],
        },
      });
      await adapter.send(account, templateSend('15551234567', 'no_params', []));
      const [named, plain] = sim.requests(`/v23.0/${PHONE.phoneNumberId}/messages`);
      expect((named?.json as { template: unknown }).template).toEqual({
        name: 'named_greeting',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', parameter_name: 'order_id', text: '#7' },
              { type: 'text', parameter_name: 'first_name', text: 'Ana' },
            ],
          },
        ],
      });
      expect((plain?.json as { template: unknown }).template).toEqual({ name: 'no_params', language: { code: 'en_US' } });
      expect(sim.messages().map((m) => m.renderedText)).toEqual(['Hello Ana, order #7 is ready.', 'Thanks!']);
    });

    it('refuses a template that is not approved with a permanent 132001', async () => {
      const err = await expectProviderError(adapter.send(account, templateSend('15551234567', 'promo_pending', ['a', 'b', 'c'])));
      expect(err).toMatchObject({ kind: 'permanent', providerCode: '132001', httpStatus: 400 });
      expect(err.message).toContain('template name (promo_pending) does not exist in en_US');
      expect(err.message).toContain('Template name does not exist in the translation');

      const unknown = await expectProviderError(adapter.send(account, templateSend('15551234567', 'nope', [])));
      expect(unknown.providerCode).toBe('132001');
      expect(sim.messages()).toHaveLength(0);
    });

    it('refuses a parameter count mismatch with a permanent 132000', async () => {
      const err = await expectProviderError(adapter.send(account, templateSend('15551234567', 'order_placed', ['Jessica'])));
      expect(err).toMatchObject({ kind: 'permanent', providerCode: '132000', httpStatus: 400 });
      expect(err.message).toContain('number of localizable_params (1) does not match the expected number of params (3)');
    });

    it('waits for Retry-After on an injected 429', async () => {
      sim.injectFault({ kind: 'status', status: 429, retryAfter: 2 });
      const err = await expectProviderError(adapter.send(account, templateSend('15551234567', 'order_placed', ['a', 'b', 'c'])));
      expect(err).toMatchObject({ kind: 'retry_after', retryAfterMs: 2000, providerCode: '130429', httpStatus: 429 });
    });

    it('waits 6 s on the pair rate limit and 1 s on a throughput code without Retry-After', async () => {
      sim.injectFault({
        kind: 'status',
        status: 400,
        body: { error: { message: '(#131056) (Business Account, Consumer Account) pair rate limit hit', type: 'OAuthException', code: 131056 } },
      });
      const pair = await expectProviderError(adapter.send(account, templateSend('15551234567', 'order_placed', ['a', 'b', 'c'])));
      expect(pair).toMatchObject({ kind: 'retry_after', retryAfterMs: 6000, providerCode: '131056' });

      sim.injectFault({ kind: 'status', status: 400, body: { error: { message: '(#130429) Rate limit hit', code: 130429 } } });
      const throughput = await expectProviderError(adapter.send(account, templateSend('15551234567', 'order_placed', ['a', 'b', 'c'])));
      expect(throughput).toMatchObject({ kind: 'retry_after', retryAfterMs: 1000, providerCode: '130429', httpStatus: 400 });
    });

    it('retries an injected 503 and a Graph "temporarily unavailable" code', async () => {
      sim.injectFault({ kind: 'status', status: 503 });
      const err = await expectProviderError(adapter.send(account, templateSend('15551234567', 'order_placed', ['a', 'b', 'c'])));
      expect(err).toMatchObject({ kind: 'retryable', httpStatus: 503, providerCode: '131016' });

      sim.injectFault({ kind: 'status', status: 400, body: { error: { message: 'Service temporarily unavailable', code: 2 } } });
      const transient = await expectProviderError(adapter.send(account, templateSend('15551234567', 'order_placed', ['a', 'b', 'c'])));
      expect(transient).toMatchObject({ kind: 'retryable', providerCode: '2', httpStatus: 400 });
    });

    it('treats a response slower than the adapter timeout as retryable', async () => {
      const impatient = new WhatsAppCloudAdapter({ baseUrl: `${sim.baseUrl}/v23.0`, timeoutMs: 200 });
      sim.injectFault({ kind: 'delay', ms: 1200 });
      const err = await expectProviderError(impatient.send(account, templateSend('15551234567', 'order_placed', ['a', 'b', 'c'])));
      expect(err.kind).toBe('retryable');
      // The slow request still lands (which is why a timeout is only retryable); let it finish so it
      // does not spill into the next test's outbox.
      const deadline = Date.now() + 3000;
      while (sim.messages().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(sim.messages()).toHaveLength(1);
    });

    it('refuses a wrong token on send with a permanent 190', async () => {
      const err = await expectProviderError(
        adapter.send({ ...account, secrets: { ...account.secrets, accessToken: 'nope' } }, templateSend('15551234567', 'order_placed', ['a', 'b', 'c'])),
      );
      expect(err).toMatchObject({ kind: 'permanent', providerCode: '190', httpStatus: 401 });
    });
  });

  describe('webhooks', () => {
    it('accepts an invalid recipient, then posts a signed failed status 131026', async () => {
      sim.setWebhookUrl(PHONE.phoneNumberId, receiver.url);
      sim.injectFault({ kind: 'invalid_recipient', recipient: '15550000000' });
      const result = await adapter.send(account, templateSend('15550000000', 'order_placed', ['a', 'b', 'c']));
      expect(result.providerStatus).toBe('accepted');

      const [hook] = await receiver.waitFor(1);
      expect(hook?.headers['x-hub-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(adapter.verifyWebhook(account, rawWebhook(hook!))).toBe(true);
      const parsed = adapter.parseWebhook(hook!.body);
      expect(parsed.messages).toEqual([]);
      expect(parsed.statuses).toEqual([
        {
          providerMessageId: result.providerMessageId,
          state: 'failed',
          occurredAt: expect.any(Number) as number,
          recipient: '15550000000',
          errorCode: '131026',
          errorDetail: 'Message Undeliverable.',
          category: null,
          // The number the status belongs to (metadata.phone_number_id): the hub routes by it.
          accountExternalId: PHONE.phoneNumberId,
        },
      ]);
      const envelope = JSON.parse(hook!.body.toString()) as {
        entry: Array<{ id: string; changes: Array<{ value: { metadata: unknown; statuses: Array<{ errors: Array<{ title: string }> }> } }> }>;
      };
      expect(envelope.entry[0]?.id).toBe(PHONE.wabaId);
      expect(envelope.entry[0]?.changes[0]?.value.metadata).toEqual({
        display_phone_number: PHONE.displayPhoneNumber,
        phone_number_id: PHONE.phoneNumberId,
      });
      expect(envelope.entry[0]?.changes[0]?.value.statuses[0]?.errors[0]?.title).toBe('Message undeliverable');

      await new Promise((r) => setTimeout(r, 50));
      expect(receiver.received).toHaveLength(1); // no sent/delivered for an undeliverable message
      expect(sim.messages()[0]?.statuses.map((s) => [s.status, s.webhookStatus])).toEqual([['failed', 200]]);
    });

    it('posts sent, delivered and read with pricing for a delivered template', async () => {
      sim.setWebhookUrl(PHONE.phoneNumberId, receiver.url);
      sim.applySettings({ autoRead: true });
      const result = await adapter.send(account, templateSend('15551234567', 'order_shipped', ['Jo', '#1', 'https://t.example/1']));
      const hooks = await receiver.waitFor(3);
      const statuses = hooks.flatMap((h) => adapter.parseWebhook(h.body).statuses);
      expect(statuses.map((s) => s.state)).toEqual(['sent', 'delivered', 'read']);
      expect(statuses.every((s) => s.providerMessageId === result.providerMessageId && s.category === 'utility')).toBe(true);
      const first = JSON.parse(hooks[0]!.body.toString()) as { entry: Array<{ changes: Array<{ value: { statuses: unknown[] } }> }> };
      expect(first.entry[0]?.changes[0]?.value.statuses[0]).toEqual({
        id: result.providerMessageId,
        status: 'sent',
        timestamp: expect.stringMatching(/^\d{10}$/) as string,
        recipient_id: '15551234567',
        pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' },
      });
    });

    it('fails free-form text outside the 24h window with 131047 and delivers it once the customer wrote', async () => {
      sim.setWebhookUrl(PHONE.phoneNumberId, receiver.url);
      const text: SendRequest = { to: '15557654321', idempotencyKey: 't1', content: { kind: 'text', text: 'Your parcel is at the door' } };
      const outside = await adapter.send(account, text);
      expect(outside.providerStatus).toBeNull();
      const [failed] = await receiver.waitFor(1);
      expect(adapter.parseWebhook(failed!.body).statuses[0]).toMatchObject({ state: 'failed', errorCode: '131047' });

      const delivered = await sim.emitInbound({ phoneNumberId: PHONE.phoneNumberId, from: '15557654321', text: 'where is my order?', profileName: 'Jo' });
      expect(delivered).toBe(200);
      const inbound = adapter.parseWebhook(receiver.received[1]!.body);
      expect(inbound.messages[0]).toMatchObject({ from: '15557654321', text: 'where is my order?', profileName: 'Jo', payload: null });

      const inside = await adapter.send(account, text);
      await receiver.waitFor(4);
      const later = receiver.received.slice(2).flatMap((h) => adapter.parseWebhook(h.body).statuses);
      expect(later.map((s) => [s.providerMessageId, s.state, s.category])).toEqual([
        [inside.providerMessageId, 'sent', 'service'],
        [inside.providerMessageId, 'delivered', 'service'],
      ]);
      expect(sim.requests(`/v23.0/${PHONE.phoneNumberId}/messages`)[0]?.json).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '15557654321',
        type: 'text',
        text: { preview_url: false, body: 'Your parcel is at the door' },
      });
    });

    it('emits button taps through the control route, signed', async () => {
      sim.setWebhookUrl(PHONE.phoneNumberId, receiver.url);
      const res = await fetch(`${sim.baseUrl}/_sim/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phoneNumberId: PHONE.phoneNumberId, from: '15551234567', buttonPayload: 'TRACK_1001', buttonTitle: 'Track', buttonType: 'template', contextId: 'wamid.ctx' }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ delivered: 200 });
      const [hook] = await receiver.waitFor(1);
      expect(adapter.verifyWebhook(account, rawWebhook(hook!))).toBe(true);
      expect(adapter.parseWebhook(hook!.body).messages[0]).toMatchObject({
        text: 'Track',
        payload: 'TRACK_1001',
        replyToProviderMessageId: 'wamid.ctx',
      });
      expect(sim.isWindowOpen(PHONE.phoneNumberId, '15551234567')).toBe(true);
    });

    it('rejects tampered, foreign, missing and malformed signatures', async () => {
      sim.setWebhookUrl(PHONE.phoneNumberId, receiver.url);
      await sim.emitInbound({ phoneNumberId: PHONE.phoneNumberId, from: '15551234567', text: 'hi' });
      const hook = rawWebhook(receiver.received[0]!);
      expect(adapter.verifyWebhook(account, hook)).toBe(true);

      const tampered = Buffer.from(hook.body);
      tampered[tampered.length - 3] = tampered[tampered.length - 3]! ^ 1;
      expect(adapter.verifyWebhook(account, { ...hook, body: tampered })).toBe(false);
      expect(adapter.verifyWebhook({ ...account, secrets: { ...account.secrets, appSecret: 'other' } }, hook)).toBe(false);
      expect(adapter.verifyWebhook(account, { ...hook, headers: {} })).toBe(false);
      expect(adapter.verifyWebhook(account, { ...hook, headers: { 'x-hub-signature-256': 'sha256=abc' } })).toBe(false);
      expect(adapter.verifyWebhook(account, { ...hook, headers: { 'x-hub-signature-256': hook.headers['x-hub-signature-256']!.slice(7) } })).toBe(false);
      expect(adapter.verifyWebhook({ ...account, secrets: { accessToken: 'x' } }, hook)).toBe(false);
    });

    it('posts nothing when status webhooks are off', async () => {
      sim.setWebhookUrl(PHONE.phoneNumberId, receiver.url);
      const settings = await fetch(`${sim.baseUrl}/_sim/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ statusWebhooks: false }),
      });
      expect(await settings.json()).toMatchObject({ statusWebhooks: false });
      await adapter.send(account, templateSend('15551234567', 'order_placed', ['a', 'b', 'c']));
      await new Promise((r) => setTimeout(r, 50));
      expect(receiver.received).toHaveLength(0);
      expect(sim.messages()[0]?.statuses).toEqual([]);
    });
  });
});

describe('WhatsApp Cloud simulator on its own', () => {
  const sim = new WhatsAppCloudSimulator({ apiPrefix: '/v99.0', maxOutbox: 3, statusWebhooks: false });

  beforeAll(async () => {
    await sim.listen();
  });
  afterAll(async () => {
    await sim.close();
  });

  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${sim.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });

  it('configures phone numbers and templates through control routes and enforces Meta validation', async () => {
    expect((await post('/_sim/phone-numbers', { ...PHONE })).status).toBe(201);
    expect((await post('/_sim/phone-numbers', { phoneNumberId: 'x' })).status).toBe(400);
    const tpl = await post('/_sim/templates', { wabaId: PHONE.wabaId, name: 'welcome', language: 'es', status: 'APPROVED', category: 'UTILITY', bodyText: 'Hola {{1}}' });
    expect(tpl.status).toBe(201);

    const url = `/v99.0/${PHONE.phoneNumberId}/messages`;
    const missing = await post(url, { to: '15551234567', type: 'text', text: { body: 'x' } }, PHONE.accessToken);
    expect(missing.status).toBe(400);
    const missingBody = (await missing.json()) as { error: { code: number; error_data: { details: string } } };
    expect(missingBody.error.code).toBe(100);
    expect(missingBody.error.error_data.details).toContain('messaging_product');

    const noTo = (await (await post(url, { messaging_product: 'whatsapp', type: 'text' }, PHONE.accessToken)).json()) as {
      error: { error_data: { details: string } };
    };
    expect(noTo.error.error_data.details).toContain('to');

    const unknownPhone = await post(`/v99.0/123/messages`, { messaging_product: 'whatsapp' }, PHONE.accessToken);
    expect(unknownPhone.status).toBe(400);
    expect(((await unknownPhone.json()) as { error: { code: number } }).error.code).toBe(100);

    const badToken = await post(url, { messaging_product: 'whatsapp' }, 'wrong');
    expect(badToken.status).toBe(401);
    expect(((await badToken.json()) as { error: { code: number; type: string } }).error).toMatchObject({ code: 190, type: 'OAuthException' });

    const sendEs = async (to: string) =>
      post(url, { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template: { name: 'welcome', language: { code: 'es' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }] } }, PHONE.accessToken);
    const ok = await sendEs('15551234567');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ input: '15551234567', wa_id: '15551234567' }], messages: [{ message_status: 'accepted' }] });
    expect(sim.messages()[0]?.renderedText).toBe('Hola Ana');

    // The outbox keeps only the newest maxOutbox messages.
    for (const to of ['15550000001', '15550000002', '15550000003', '15550000004']) expect((await sendEs(to)).status).toBe(200);
    expect(sim.messages().map((m) => m.to)).toEqual(['15550000002', '15550000003', '15550000004']);

    sim.reset();
    expect(sim.messages()).toEqual([]);
    expect(sim.phoneNumbers()).toHaveLength(1);
    expect(sim.listTemplates(PHONE.wabaId).map((t) => t.name)).toContain('welcome');
  });
});

describe('parseWebhook with reference samples', () => {
  const adapter = new WhatsAppCloudAdapter({ baseUrl: 'https://graph.facebook.com/v23.0' });
  const envelope = (value: unknown) =>
    Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value }] }] }));
  const metadata = { display_phone_number: '15550783881', phone_number_id: '106540352242922' };

  it('parses an inbound text with the contact profile', () => {
    const parsed = adapter.parseWebhook(
      envelope({
        messaging_product: 'whatsapp',
        metadata,
        contacts: [{ profile: { name: 'Jessica' }, wa_id: '15551234567' }],
        messages: [{ from: '15551234567', id: 'wamid.ID', timestamp: '1700000000', type: 'text', text: { body: 'hi' } }],
      }),
    );
    expect(parsed).toEqual({
      statuses: [],
      messages: [
        {
          providerMessageId: 'wamid.ID',
          from: '15551234567',
          occurredAt: 1_700_000_000_000,
          text: 'hi',
          payload: null,
          profileName: 'Jessica',
          replyToProviderMessageId: null,
          accountExternalId: '106540352242922',
        },
      ],
    });
  });

  it('parses an interactive button_reply and a list_reply', () => {
    const parsed = adapter.parseWebhook(
      envelope({
        messaging_product: 'whatsapp',
        metadata,
        contacts: [{ profile: { name: 'Jessica' }, wa_id: '15551234567' }],
        messages: [
          {
            from: '15551234567',
            id: 'wamid.B1',
            timestamp: '1700000001',
            type: 'interactive',
            interactive: { type: 'button_reply', button_reply: { id: 'addr_ok', title: 'Yes' } },
            context: { from: '15550783881', id: 'wamid.BUTTONS' },
          },
          {
            from: '15551234567',
            id: 'wamid.L1',
            timestamp: '1700000002',
            type: 'interactive',
            interactive: { type: 'list_reply', list_reply: { id: 'size_m', title: 'Medium', description: 'M' } },
          },
        ],
      }),
    );
    expect(parsed.messages.map((m) => [m.text, m.payload, m.replyToProviderMessageId, m.profileName])).toEqual([
      ['Yes', 'addr_ok', 'wamid.BUTTONS', 'Jessica'],
      ['Medium', 'size_m', null, 'Jessica'],
    ]);
  });

  it('parses a template quick-reply tap', () => {
    const parsed = adapter.parseWebhook(
      envelope({
        messaging_product: 'whatsapp',
        metadata,
        contacts: [{ profile: { name: 'Sam' }, wa_id: '16315551234' }],
        messages: [
          {
            context: { from: '15550783881', id: 'wamid.TEMPLATE' },
            from: '16315551234',
            id: 'wamid.ID',
            timestamp: '1700000000',
            type: 'button',
            button: { text: 'Track', payload: 'TRACK_1001' },
          },
        ],
      }),
    );
    expect(parsed.messages[0]).toMatchObject({ text: 'Track', payload: 'TRACK_1001', replyToProviderMessageId: 'wamid.TEMPLATE', profileName: 'Sam' });
  });

  it('tolerates wa_id "", unknown message types, other fields and unknown statuses', () => {
    const parsed = adapter.parseWebhook(
      Buffer.from(
        JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [
            {
              id: 'WABA',
              changes: [
                {
                  field: 'messages',
                  value: {
                    messaging_product: 'whatsapp',
                    metadata,
                    contacts: [{ profile: { name: 'Bea' }, wa_id: '', user_id: 'BR.123' }],
                    messages: [{ from: '', id: 'wamid.S', timestamp: '1700000000', type: 'sticker', sticker: { id: '1' } }],
                    statuses: [
                      { id: 'wamid.X', status: 'delivered', timestamp: '1750030073', recipient_id: '15551234567', pricing: { category: 'marketing' } },
                      { id: 'wamid.Y', status: 'deleted', timestamp: '1750030073', recipient_id: '15551234567' },
                      {
                        id: 'wamid.Z',
                        status: 'failed',
                        timestamp: '1750030074',
                        recipient_id: '15551234567',
                        errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message' }],
                      },
                    ],
                  },
                },
                { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1 } },
              ],
            },
          ],
        }),
      ),
    );
    expect(parsed.messages).toEqual([
      { providerMessageId: 'wamid.S', from: '', occurredAt: 1_700_000_000_000, text: null, payload: null, profileName: 'Bea', replyToProviderMessageId: null, accountExternalId: '106540352242922' },
    ]);
    expect(parsed.statuses).toEqual([
      { providerMessageId: 'wamid.X', state: 'delivered', occurredAt: 1_750_030_073_000, recipient: '15551234567', errorCode: null, errorDetail: null, category: 'marketing', accountExternalId: '106540352242922' },
      { providerMessageId: 'wamid.Z', state: 'failed', occurredAt: 1_750_030_074_000, recipient: '15551234567', errorCode: '131047', errorDetail: 'Re-engagement message', category: null, accountExternalId: '106540352242922' },
    ]);
  });

  it('throws a clear error for bodies that are not this envelope', () => {
    expect(() => adapter.parseWebhook(Buffer.from('not json'))).toThrow(/not valid JSON/);
    expect(() => adapter.parseWebhook(Buffer.from(JSON.stringify({ object: 'page', entry: [] })))).toThrow(/whatsapp_business_account/);
  });
});

describe('WhatsApp Cloud interactive messages against the simulator', () => {
  const sim = new WhatsAppCloudSimulator({ statusWebhooks: false });
  const receiver = new WebhookReceiver('/webhooks/whatsapp');
  let adapter: WhatsAppCloudAdapter;
  const CUSTOMER = '15551234567';
  const messagesPath = `/v23.0/${PHONE.phoneNumberId}/messages`;

  const interactive = (content: Omit<InteractiveContent, 'kind'>): SendRequest => ({
    to: CUSTOMER,
    idempotencyKey: 'k-interactive',
    content: { kind: 'interactive', ...content },
  });
  const choices = (n: number): ChatButton[] => Array.from({ length: n }, (_, i) => ({ id: `choice_${i + 1}`, title: `Option ${i + 1}` }));
  const wire = (): unknown => sim.requests(messagesPath).at(-1)?.json;

  serveSimulator(sim, [receiver], {
    started: (baseUrl) => (adapter = new WhatsAppCloudAdapter({ baseUrl: `${baseUrl}/v23.0`, timeoutMs: 2000 })),
    seed: () => {
      sim.addPhoneNumber({ ...PHONE, webhookUrl: receiver.url });
      sim.openWindow(PHONE.phoneNumberId, CUSTOMER);
    },
  });

  it('sends 2 choices as reply buttons with the exact ids and titles', async () => {
    const sent = await adapter.send(account, interactive({ text: 'Confirm delivery address?', buttons: [{ id: 'addr_ok', title: 'Yes' }, { id: 'addr_change', title: 'Change' }] }));
    expect(wire()).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: CUSTOMER,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Confirm delivery address?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'addr_ok', title: 'Yes' } },
            { type: 'reply', reply: { id: 'addr_change', title: 'Change' } },
          ],
        },
      },
    });
    expect(sim.message(sent.providerMessageId)).toMatchObject({
      type: 'interactive',
      renderedText: 'Confirm delivery address?',
      interactive: {
        type: 'button',
        listButton: null,
        choices: [
          { id: 'addr_ok', title: 'Yes', description: null },
          { id: 'addr_change', title: 'Change', description: null },
        ],
      },
    });
  });

  it('sends 6 choices as a list with one section of rows', async () => {
    const sent = await adapter.send(account, interactive({ text: 'Which size?', buttons: choices(6) }));
    const body = wire() as { interactive: unknown };
    expect(body.interactive).toEqual({
      type: 'list',
      body: { text: 'Which size?' },
      action: { button: 'Choose', sections: [{ rows: choices(6).map((c) => ({ id: c.id, title: c.title })) }] },
    });
    expect(sim.message(sent.providerMessageId)?.interactive).toMatchObject({ type: 'list', listButton: 'Choose' });
    expect(sim.message(sent.providerMessageId)?.interactive?.choices.map((c) => c.id)).toEqual(choices(6).map((c) => c.id));
  });

  it('refuses 11 choices, and a 21-character button title, before calling Meta', async () => {
    const tooMany = await expectProviderError(adapter.send(account, interactive({ text: 'Pick one', buttons: choices(11) })));
    expect(tooMany.kind).toBe('permanent');
    expect(tooMany.message).toContain('at most 10 choices');

    const longTitle = 'Twenty-one characters';
    expect(longTitle).toHaveLength(21);
    const tooLong = await expectProviderError(adapter.send(account, interactive({ text: 'Pick one', buttons: [{ id: 'a', title: longTitle }, { id: 'b', title: 'Short' }] })));
    expect(tooLong.kind).toBe('permanent');
    expect(tooLong.message).toContain(`"${longTitle}" is 21 characters; the limit is 20`);

    const twice = await expectProviderError(adapter.send(account, interactive({ text: 'Pick', buttons: [{ id: 'a', title: 'Same' }, { id: 'b', title: 'Same' }] })));
    expect(twice.message).toContain('distinct reply button titles');
    expect(sim.requests(messagesPath)).toHaveLength(0);
  });

  it('appends cards and links to the body, and drops cards first with "…and N more" when it is too long', async () => {
    await adapter.send(
      account,
      interactive({
        text: 'Your recent orders:',
        buttons: [{ id: 'more', title: 'More orders' }],
        cards: [
          { title: 'Order #1001', subtitle: 'Shipped', url: 'https://shop.example/orders/1001', linkTitle: 'View order' },
          { title: 'Order #1002', subtitle: 'Paid', url: null },
        ],
        links: [{ title: 'All orders', url: 'https://shop.example/orders' }],
      }),
    );
    expect((wire() as { interactive: { body: { text: string } } }).interactive.body.text).toBe(
      'Your recent orders:\n\n• Order #1001 — Shipped\n  https://shop.example/orders/1001\n• Order #1002 — Paid\n• All orders\n  https://shop.example/orders',
    );

    const cards = Array.from({ length: 30 }, (_, i) => ({ title: `Order #${2000 + i}`, subtitle: 'Delivered', url: `https://shop.example/orders/${2000 + i}` }));
    await adapter.send(account, interactive({ text: 'History', buttons: [{ id: 'x', title: 'Thanks' }], cards, links: [{ title: 'All orders', url: 'https://shop.example/orders' }] }));
    const body = (wire() as { interactive: { body: { text: string } } }).interactive.body.text;
    expect([...body].length).toBeLessThanOrEqual(1024);
    expect(body).toMatch(/• All orders\n {2}https:\/\/shop\.example\/orders\n…and \d+ more$/);
    expect(body).toContain('• Order #2000 — Delivered');

    const tooLong = await expectProviderError(adapter.send(account, interactive({ text: 'x'.repeat(1025), buttons: [{ id: 'x', title: 'OK' }] })));
    expect(tooLong.message).toContain('message text is 1025 characters; the limit is 1024');
  });

  it('sends a message without choices as plain text, and ignores a text replyToken', async () => {
    await adapter.send(account, interactive({ text: 'Track it here', buttons: [], links: [{ title: 'Tracking', url: 'https://t.example/1' }] }));
    expect(wire()).toMatchObject({ type: 'text', text: { preview_url: false, body: 'Track it here\n\n• Tracking\n  https://t.example/1' } });
    await adapter.send(account, { to: CUSTOMER, idempotencyKey: 'k', content: { kind: 'text', text: 'hello', replyToken: 'line-token' } });
    expect(wire()).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: CUSTOMER, type: 'text', text: { preview_url: false, body: 'hello' } });
  });

  it('returns a tapped button id and a chosen list row id as the inbound payload', async () => {
    const buttons = await adapter.send(account, interactive({ text: 'Confirm?', buttons: [{ id: 'addr_ok', title: 'Yes' }, { id: 'addr_change', title: 'Change' }] }));
    expect(await sim.emitInbound({ phoneNumberId: PHONE.phoneNumberId, from: CUSTOMER, buttonPayload: 'addr_change', contextId: buttons.providerMessageId })).toBe(200);
    const list = await adapter.send(account, interactive({ text: 'Which size?', buttons: choices(5) }));
    const res = await fetch(`${sim.baseUrl}/_sim/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumberId: PHONE.phoneNumberId, from: CUSTOMER, buttonPayload: 'choice_4', contextId: list.providerMessageId }),
    });
    expect(res.status).toBe(200);

    const hooks = await receiver.waitFor(2);
    expect(hooks.every((h) => adapter.verifyWebhook(account, rawWebhook(h)))).toBe(true);
    const [tap, row] = hooks.map((h) => JSON.parse(h.body.toString()) as { entry: Array<{ changes: Array<{ value: { messages: Array<{ interactive: unknown }> } }> }> });
    expect(tap?.entry[0]?.changes[0]?.value.messages[0]?.interactive).toEqual({ type: 'button_reply', button_reply: { id: 'addr_change', title: 'Change' } });
    expect(row?.entry[0]?.changes[0]?.value.messages[0]?.interactive).toEqual({ type: 'list_reply', list_reply: { id: 'choice_4', title: 'Option 4' } });
    const parsed = hooks.map((h) => adapter.parseWebhook(h.body).messages[0]);
    expect(parsed.map((m) => [m?.payload, m?.text, m?.replyToProviderMessageId])).toEqual([
      ['addr_change', 'Change', buttons.providerMessageId],
      ['choice_4', 'Option 4', list.providerMessageId],
    ]);
  });

  it('answers 400 to a tap that is not a choice of the message it replies to, or an unknown buttonType', async () => {
    const sent = await adapter.send(account, interactive({ text: 'Confirm?', buttons: [{ id: 'yes', title: 'Yes' }] }));
    const post = (body: unknown) =>
      fetch(`${sim.baseUrl}/_sim/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const wrong = await post({ phoneNumberId: PHONE.phoneNumberId, from: CUSTOMER, buttonPayload: 'no', contextId: sent.providerMessageId });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toContain('not a choice');
    const badType = await post({ phoneNumberId: PHONE.phoneNumberId, from: CUSTOMER, buttonPayload: 'yes', buttonType: 'carousel' });
    expect(badType.status).toBe(400);
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses what Meta refuses with 131009: four buttons, a long title, too many rows', async () => {
    const send = (interactiveBody: unknown) =>
      fetch(`${sim.baseUrl}${messagesPath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${PHONE.accessToken}` },
        body: JSON.stringify({ messaging_product: 'whatsapp', to: CUSTOMER, type: 'interactive', interactive: interactiveBody }),
      });
    const reply = (id: string, title: string) => ({ type: 'reply', reply: { id, title } });
    const cases: Array<[unknown, number, string]> = [
      [{ type: 'button', body: { text: 'Pick' }, action: { buttons: ['a', 'b', 'c', 'd'].map((id) => reply(id, id)) } }, 131009, 'between 1 and 3'],
      [{ type: 'button', body: { text: 'Pick' }, action: { buttons: [reply('a', 'Twenty-one characters')] } }, 131009, 'at most 20 characters'],
      [{ type: 'list', body: { text: 'Pick' }, action: { button: 'Choose', sections: [{ rows: choices(11) }] } }, 131009, 'at most 10 rows'],
      [{ type: 'list', body: { text: 'Pick' }, action: { sections: [{ rows: choices(2) }] } }, 100, "action['button']"],
    ];
    for (const [body, code, details] of cases) {
      const res = await send(body);
      expect(res.status).toBe(400);
      const error = ((await res.json()) as { error: { code: number; message: string; error_data: { details: string } } }).error;
      expect(error.code).toBe(code);
      if (code === 131009) expect(error.message).toBe('(#131009) Parameter value is not valid');
      expect(error.error_data.details).toContain(details);
    }
    expect(sim.messages()).toHaveLength(0);
  });
});

describe('WhatsApp Cloud interactive sends under faults', () => {
  const sim = new WhatsAppCloudSimulator({ statusWebhooks: false });
  let adapter: WhatsAppCloudAdapter;
  const request: SendRequest = {
    to: '15551234567',
    idempotencyKey: 'k-fault',
    content: { kind: 'interactive', text: 'Confirm?', buttons: [{ id: 'yes', title: 'Yes' }] },
  };

  beforeAll(async () => {
    await sim.listen();
    adapter = new WhatsAppCloudAdapter({ baseUrl: `${sim.baseUrl}/v23.0` });
    sim.addPhoneNumber({ ...PHONE, webhookUrl: null });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('waits on a 429 with Retry-After and retries a 5xx', async () => {
    sim.injectFault({ kind: 'status', status: 429, retryAfter: 2 });
    expect(await expectProviderError(adapter.send(account, request))).toMatchObject({ kind: 'retry_after', retryAfterMs: 2000 });
    sim.injectFault({ kind: 'status', status: 500 });
    expect(await expectProviderError(adapter.send(account, request))).toMatchObject({ kind: 'retryable', httpStatus: 500 });
    expect((await adapter.send(account, request)).providerMessageId).toMatch(/^wamid\./);
  });
});
