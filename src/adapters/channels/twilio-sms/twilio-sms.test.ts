// The Twilio SMS adapter against its simulator over real HTTP: account and sender checks, form-encoded sends,
// Twilio's error classification, STOP/START opt-outs, and signed status callbacks and inbound messages
// received by a local HTTP server.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ChannelAccountCredentials, RawWebhook, SendRequest } from '../../../core/channels/ports.js';
import { TwilioSmsAdapter, smsOptKeyword } from './index.js';
import { TwilioSmsSimulator } from './simulator.js';
import { WebhookReceiver, rawWebhook } from '../../../../test/support/receiver.js';
import type { ReceivedRequest } from '../../../../test/support/receiver.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'twilio-sandbox-auth-token';
const SERVICE_SID = 'MG0123456789abcdef0123456789abcdef';
const FROM = '+15005550006';
const CUSTOMER = '14155550123';

const textSend = (text: string, to = CUSTOMER): SendRequest => ({ to, content: { kind: 'text', text }, idempotencyKey: `k-${to}-${text.length}` });

describe('Twilio SMS adapter + simulator', () => {
  const sim = new TwilioSmsSimulator({ statusDelayMs: 5 });
  const statusReceiver = new WebhookReceiver('/webhooks/twilio/acc-1?kind=status');
  const inboundReceiver = new WebhookReceiver('/webhooks/twilio/acc-1');
  let adapter: TwilioSmsAdapter;
  let account: ChannelAccountCredentials;

  serveSimulator(sim, [statusReceiver, inboundReceiver], {
    started: (baseUrl) => {
      adapter = new TwilioSmsAdapter({ baseUrl });
      account = { settings: { accountSid: ACCOUNT_SID, from: FROM, statusCallbackUrl: statusReceiver.url }, secrets: { authToken: AUTH_TOKEN } };
    },
    seed: () => {
      sim.addAccount({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [FROM], messagingServiceSids: [SERVICE_SID], friendlyName: 'Shoptalk SMS' });
      sim.setSmsUrl(FROM, inboundReceiver.url);
    },
  });

  describe('verifyAccount', () => {
    it('checks the account and that the From number belongs to it', async () => {
      const verified = await adapter.verifyAccount(account);
      expect(verified.displayName).toBe(FROM);
      expect(verified.details).toMatchObject({ accountSid: ACCOUNT_SID, friendlyName: 'Shoptalk SMS', status: 'active', from: FROM, messagingServiceSid: null });
      expect(verified.details['phoneNumberSid']).toMatch(/^PN[0-9a-f]{32}$/);
      const lookup = sim.requests(`/2010-04-01/Accounts/${ACCOUNT_SID}/IncomingPhoneNumbers.json`)[0];
      expect(lookup?.query).toEqual({ PhoneNumber: FROM });
    });

    it('refuses a wrong Auth Token with a clear permanent error that does not leak it', async () => {
      const bad = { ...account, secrets: { authToken: 'wrong-token' } };
      const err = await expectProviderError(adapter.verifyAccount(bad));
      expect(err).toMatchObject({ kind: 'permanent', httpStatus: 401, providerCode: '20003' });
      expect(err.message).toMatch(/^Twilio refused the Account SID \/ Auth Token/);
      expect(err.message).not.toContain('wrong-token');
    });

    it('refuses a suspended account and a From number of another account', async () => {
      sim.addAccount({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: [FROM], status: 'suspended' });
      const suspended = await expectProviderError(adapter.verifyAccount(account));
      expect(suspended.kind).toBe('permanent');
      expect(suspended.message).toContain('is suspended');

      sim.addAccount({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, numbers: ['+15005550001'] });
      const foreign = await expectProviderError(adapter.verifyAccount(account));
      expect(foreign.kind).toBe('permanent');
      expect(foreign.message).toBe(`The From number ${FROM} is not a phone number of Twilio account ${ACCOUNT_SID}`);
    });

    it('skips the number check for a Messaging Service and reports missing settings without calling', async () => {
      const viaService = { ...account, settings: { accountSid: ACCOUNT_SID, messagingServiceSid: SERVICE_SID } };
      expect((await adapter.verifyAccount(viaService)).details).toMatchObject({ messagingServiceSid: SERVICE_SID, from: null });
      expect(sim.requests(`/2010-04-01/Accounts/${ACCOUNT_SID}/IncomingPhoneNumbers.json`)).toHaveLength(0);

      const noSender = await expectProviderError(adapter.verifyAccount({ ...account, settings: { accountSid: ACCOUNT_SID } }));
      expect(noSender.message).toContain('settings.from');
      const noSid = await expectProviderError(adapter.verifyAccount({ ...account, settings: { from: FROM } }));
      expect(noSid.message).toContain('settings.accountSid');
      expect(sim.requests()).toHaveLength(1);
    });
  });

  describe('send', () => {
    it('lists no templates and refuses template content', async () => {
      expect(await adapter.listTemplates()).toEqual([]);
      const err = await expectProviderError(
        adapter.send(account, {
          to: CUSTOMER,
          idempotencyKey: 'k-t',
          content: { kind: 'template', templateName: 'x', language: 'en', parameters: [], parameterFormat: 'POSITIONAL' },
        }),
      );
      expect(err.kind).toBe('permanent');
      expect(err.message).toMatch(/^SMS has no provider templates/);
    });

    it('posts the form with To in E.164, From, Body and StatusCallback', async () => {
      const result = await adapter.send(account, textSend('Your order #1001 shipped & is on its way'));
      expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
      expect(result.providerStatus).toBe('queued');
      const req = sim.requests(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`)[0]!;
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
        To: '+' + CUSTOMER,
        From: FROM,
        Body: 'Your order #1001 shipped & is on its way',
        StatusCallback: statusReceiver.url,
      });
      expect(sim.messages(CUSTOMER)).toMatchObject([{ sid: result.providerMessageId, from: FROM, body: 'Your order #1001 shipped & is on its way' }]);
    });

    it('sends through a Messaging Service without a From', async () => {
      const viaService = { ...account, settings: { accountSid: ACCOUNT_SID, messagingServiceSid: SERVICE_SID } };
      const result = await adapter.send(viaService, textSend('hi'));
      expect(result.providerStatus).toBe('accepted');
      const form = new URLSearchParams(sim.requests('/2010-04-01')[0]!.body);
      expect(form.get('MessagingServiceSid')).toBe(SERVICE_SID);
      expect(form.has('From')).toBe(false);
      expect(form.has('StatusCallback')).toBe(false);
    });

    it('refuses a body over 1600 characters before calling Twilio', async () => {
      const err = await expectProviderError(adapter.send(account, textSend('x'.repeat(1601))));
      expect(err).toMatchObject({ kind: 'permanent', providerCode: '21617' });
      expect(sim.requests()).toHaveLength(0);
      await adapter.send(account, textSend('x'.repeat(1600)));
    });

    it('classifies invalid numbers (bad format or invalid_recipient fault) as permanent 21211', async () => {
      const badFormat = await expectProviderError(adapter.send(account, textSend('hi', '12')));
      expect(badFormat).toMatchObject({ kind: 'permanent', providerCode: '21211', httpStatus: 400 });
      expect(badFormat.message).toContain('invalid To phone number');

      sim.injectFault({ kind: 'invalid_recipient', recipient: '15550000000' });
      expect(await expectProviderError(adapter.send(account, textSend('hi', '15550000000')))).toMatchObject({ kind: 'permanent', providerCode: '21211' });
    });

    it('refuses sends to a number that replied STOP until it replies START', async () => {
      await sim.emitInbound({ from: CUSTOMER, to: FROM, body: ' stop ' });
      expect(sim.isOptedOut(FROM, CUSTOMER)).toBe(true);
      const err = await expectProviderError(adapter.send(account, textSend('promo')));
      expect(err).toMatchObject({ kind: 'permanent', providerCode: '21610' });
      expect(err.message).toContain('replied STOP');

      await sim.emitInbound({ from: CUSTOMER, to: FROM, body: 'START' });
      await adapter.send(account, textSend('welcome back'));
      expect(sim.messages(CUSTOMER).map((m) => m.body)).toEqual(['welcome back']);
    });

    it('classifies 21408 and 21614 as permanent, 429 as retry_after, 5xx as retryable', async () => {
      const twilioBody = (code: number, message: string) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 });
      sim.injectFault({ kind: 'status', status: 400, body: twilioBody(21408, 'Permission to send an SMS has not been enabled for the region indicated by the To number') });
      expect(await expectProviderError(adapter.send(account, textSend('a')))).toMatchObject({ kind: 'permanent', providerCode: '21408' });
      sim.injectFault({ kind: 'status', status: 400, body: twilioBody(21614, "'To' number is not a valid mobile number") });
      expect(await expectProviderError(adapter.send(account, textSend('a')))).toMatchObject({ kind: 'permanent', providerCode: '21614' });

      sim.injectFault({ kind: 'status', status: 429, retryAfter: 2 });
      expect(await expectProviderError(adapter.send(account, textSend('a')))).toMatchObject({ kind: 'retry_after', retryAfterMs: 2000, httpStatus: 429, providerCode: '20429' });
      sim.injectFault({ kind: 'status', status: 429 });
      expect((await expectProviderError(adapter.send(account, textSend('a')))).retryAfterMs).toBe(1000);

      sim.injectFault({ kind: 'status', status: 400, body: { code: 20429, message: 'Too Many Requests', more_info: '', status: 400 } });
      expect(await expectProviderError(adapter.send(account, textSend('a')))).toMatchObject({ kind: 'retry_after', retryAfterMs: 1000, providerCode: '20429' });

      sim.injectFault({ kind: 'status', status: 503 });
      expect(await expectProviderError(adapter.send(account, textSend('a')))).toMatchObject({ kind: 'retryable', httpStatus: 503 });
      sim.injectFault({ kind: 'status', status: 500 });
      expect((await expectProviderError(adapter.verifyAccount(account))).kind).toBe('retryable');
    });
  });

  describe('webhooks', () => {
    // Callbacks of an earlier test's sends may still be in flight, so wait for this message's own.
    async function callbacksFor(messageSid: string, count: number): Promise<ReceivedRequest[]> {
      const mine = () => statusReceiver.received.filter((r) => new URLSearchParams(r.body.toString()).get('MessageSid') === messageSid);
      for (let waited = 0; mine().length < count && waited < 3000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      expect(mine()).toHaveLength(count);
      return mine();
    }

    it('posts signed status callbacks: queued is ignored, then sent and delivered', async () => {
      const { providerMessageId } = await adapter.send(account, textSend('hello'));
      const hooks = await callbacksFor(providerMessageId, 3);
      for (const hook of hooks) {
        expect(hook.headers['content-type']).toBe('application/x-www-form-urlencoded');
        expect(adapter.verifyWebhook(account, rawWebhook(hook, statusReceiver.url))).toBe(true);
      }
      expect(hooks.map((h) => new URLSearchParams(h.body.toString()).get('MessageStatus'))).toEqual(['queued', 'sent', 'delivered']);
      const parsed = hooks.map((h) => adapter.parseWebhook(h.body));
      expect(parsed.flatMap((p) => p.messages)).toEqual([]);
      const statuses = parsed.flatMap((p) => p.statuses);
      expect(statuses.map((s) => [s.providerMessageId, s.state])).toEqual([
        [providerMessageId, 'sent'],
        [providerMessageId, 'delivered'],
      ]);
      expect(statuses[1]).toMatchObject({ recipient: CUSTOMER, errorCode: null, errorDetail: null, category: null });
      expect(Math.abs(statuses[1]!.occurredAt - Date.now())).toBeLessThan(5000);
    });

    it('ends a send to an unreachable number undelivered with 30003', async () => {
      sim.setUnreachable(CUSTOMER);
      const { providerMessageId } = await adapter.send(account, textSend('hello'));
      const hooks = await callbacksFor(providerMessageId, 3);
      const last = adapter.parseWebhook(hooks[2]!.body).statuses;
      expect(last).toEqual([
        expect.objectContaining({ providerMessageId, state: 'failed', errorCode: '30003', errorDetail: 'Unreachable destination handset' }),
      ]);
      expect(sim.messages(CUSTOMER)[0]).toMatchObject({ status: 'undelivered', errorCode: 30003 });
    });

    it('posts a signed inbound SMS that parses to a chat message', async () => {
      const { messageSid, status } = await sim.emitInbound({ from: '+' + CUSTOMER, to: FROM, body: 'Where is my order?' });
      expect(status).toBe(200);
      const hook = rawWebhook(inboundReceiver.received[0]!, inboundReceiver.url);
      expect(adapter.verifyWebhook(account, hook)).toBe(true);
      expect(adapter.parseWebhook(hook.body)).toEqual({
        statuses: [],
        messages: [
          {
            providerMessageId: messageSid,
            from: CUSTOMER,
            occurredAt: expect.any(Number) as number,
            text: 'Where is my order?',
            payload: null,
            profileName: null,
            replyToProviderMessageId: null,
          },
        ],
      });
    });

    it('refuses tampered bodies, other URLs, wrong tokens and missing url or header', async () => {
      await sim.emitInbound({ from: CUSTOMER, to: FROM, body: 'hi' });
      const hook = rawWebhook(inboundReceiver.received[0]!, inboundReceiver.url);
      const tampered = { ...hook, body: Buffer.from(hook.body.toString().replace('Body=hi', 'Body=ho')) };
      expect(adapter.verifyWebhook(account, tampered)).toBe(false);
      expect(adapter.verifyWebhook(account, { ...hook, url: hook.url + '?x=1' })).toBe(false);
      expect(adapter.verifyWebhook({ ...account, secrets: { authToken: 'other' } }, hook)).toBe(false);
      const { url: _url, ...withoutUrl } = hook;
      expect(adapter.verifyWebhook(account, withoutUrl)).toBe(false);
      expect(adapter.verifyWebhook(account, { ...hook, headers: {} })).toBe(false);
      expect(adapter.verifyWebhook(account, { ...hook, headers: { 'x-twilio-signature': 'not base64!' } })).toBe(false);
    });

    it('redelivers a callback byte for byte: same body, signature, idempotency token and message id', async () => {
      await sim.emitInbound({ from: CUSTOMER, to: FROM, body: 'hello' });
      expect(await sim.redeliver(0)).toBe(200);
      const [first, again] = inboundReceiver.received.map((r) => rawWebhook(r, inboundReceiver.url));
      const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
      expect(sha(again!.body)).toBe(sha(first!.body));
      expect(again!.headers['x-twilio-signature']).toBe(first!.headers['x-twilio-signature']);
      expect(again!.headers['i-twilio-idempotency-token']).toBe(first!.headers['i-twilio-idempotency-token']);
      expect(adapter.verifyWebhook(account, again!)).toBe(true);
      expect(adapter.parseWebhook(again!.body).messages[0]?.providerMessageId).toBe(adapter.parseWebhook(first!.body).messages[0]?.providerMessageId);
      expect(sim.webhooks()).toHaveLength(2);
    });
  });

  describe('control API and provider routes', () => {
    const post = (path: string, body: unknown, contentType = 'application/json') =>
      fetch(`${sim.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

    it('registers accounts and numbers, emits inbound SMS and marks numbers unreachable', async () => {
      const other = { accountSid: 'ACffffffffffffffffffffffffffffffff', authToken: 'tok', numbers: ['15005550009'] };
      expect((await post('/_sim/accounts', other)).status).toBe(201);
      expect((await post('/_sim/numbers', { number: '+15005550009', smsUrl: inboundReceiver.url })).status).toBe(201);
      const inbound = await post('/_sim/inbound', { from: CUSTOMER, to: '+15005550009', body: 'hi' });
      expect(inbound.status).toBe(201);
      expect(((await inbound.json()) as { messageSid: string }).messageSid).toMatch(/^SM[0-9a-f]{32}$/);
      expect((await post('/_sim/unreachable', { number: CUSTOMER })).status).toBe(200);
      await adapter.send(account, textSend('x'));
      const listed = (await (await fetch(`${sim.baseUrl}/_sim/messages?to=${CUSTOMER}`)).json()) as Array<{ body: string }>;
      expect(listed.map((m) => m.body)).toEqual(['x']);
      const accounts = (await (await fetch(`${sim.baseUrl}/_sim/accounts`)).json()) as Array<{ numbers: string[] }>;
      expect(accounts.map((a) => a.numbers)).toEqual([[FROM], ['+15005550009']]);
    });

    it('answers bad control input with 4xx and a clear message', async () => {
      const cases: Array<[string, unknown, number, RegExp]> = [
        ['/_sim/accounts', { accountSid: 'nope', authToken: 't', numbers: [] }, 400, /accountSid must be/],
        ['/_sim/accounts', { accountSid: ACCOUNT_SID, authToken: 't' }, 400, /numbers must be an array/],
        ['/_sim/accounts', { accountSid: ACCOUNT_SID, authToken: 't', numbers: ['abc'] }, 400, /not an E\.164/],
        ['/_sim/accounts', { accountSid: ACCOUNT_SID, authToken: 't', numbers: [], status: 'frozen' }, 400, /status must be/],
        ['/_sim/accounts', 'not json', 400, /JSON object/],
        ['/_sim/numbers', { number: '+15005550077', smsUrl: 'http://x' }, 404, /no registered account/],
        ['/_sim/numbers', { number: FROM, smsUrl: 'ftp://x' }, 400, /smsUrl/],
        ['/_sim/inbound', { from: CUSTOMER, body: 'hi' }, 400, /to is required/],
        ['/_sim/inbound', { from: CUSTOMER, to: FROM }, 400, /body is required/],
        ['/_sim/unreachable', { number: CUSTOMER, unreachable: 'yes' }, 400, /boolean/],
        ['/_sim/settings', { statusDelayMs: -1 }, 400, /statusDelayMs/],
        ['/_sim/webhooks/redeliver', { index: 5 }, 404, /no webhook #5/],
      ];
      for (const [path, body, status, message] of cases) {
        const res = await post(path, body);
        expect({ path, status: res.status }).toEqual({ path, status });
        expect(((await res.json()) as { error: string }).error).toMatch(message);
      }
      sim.addAccount({ accountSid: 'ACffffffffffffffffffffffffffffffff', authToken: 'tok', numbers: ['+15005550010'] });
      const noUrl = await post('/_sim/inbound', { from: CUSTOMER, to: '+15005550010', body: 'hi' });
      expect(noUrl.status).toBe(409);
    });

    it('answers the Messages route as Twilio does: 401 20003, 21604, 21602, 21603', async () => {
      const url = `${sim.baseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
      const auth = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
      const send = async (form: Record<string, string>, authorization = auth) => {
        const res = await fetch(url, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
        return { status: res.status, body: (await res.json()) as { code: number; more_info: string } };
      };
      expect(await send({ To: '+' + CUSTOMER, From: FROM, Body: 'x' }, 'Basic Zm9vOmJhcg==')).toMatchObject({ status: 401, body: { code: 20003 } });
      expect(await send({ From: FROM, Body: 'x' })).toMatchObject({ status: 400, body: { code: 21604 } });
      expect(await send({ To: '+' + CUSTOMER, From: FROM })).toMatchObject({ status: 400, body: { code: 21602, more_info: 'https://www.twilio.com/docs/errors/21602' } });
      expect(await send({ To: '+' + CUSTOMER, Body: 'x' })).toMatchObject({ status: 400, body: { code: 21603 } });
      expect(await send({ To: '+' + CUSTOMER, From: '+15005550001', Body: 'x' })).toMatchObject({ status: 400, body: { code: 21606 } });
    });

    const get = async (path: string, authorization = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')) => {
      const res = await fetch(`${sim.baseUrl}${path}`, { headers: { authorization } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const twilioErrorShape = (code: number, status: number) => ({
      status,
      body: { code, message: expect.any(String), more_info: `https://www.twilio.com/docs/errors/${code}`, status },
    });

    it('serves a message by sid (fetch), with its later status, and 20404 for an unknown sid', async () => {
      const { providerMessageId } = await adapter.send(account, textSend('fetch me'));
      const path = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${providerMessageId}.json`;
      const fetched = await get(path);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toMatchObject({ sid: providerMessageId, account_sid: ACCOUNT_SID, to: '+' + CUSTOMER, from: FROM, body: 'fetch me', uri: path, error_code: null });
      expect(await get(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/SM00000000000000000000000000000000.json`)).toEqual(twilioErrorShape(20404, 404));
      expect(await get(path, 'Basic Zm9vOmJhcg==')).toEqual(twilioErrorShape(20003, 401));
    });

    it('lists messages newest first in Twilio pages, filtered by To', async () => {
      sim.applySettings({ statusCallbacks: false });
      try {
        const sids: string[] = [];
        for (const text of ['one', 'two', 'three']) sids.push((await adapter.send(account, textSend(text))).providerMessageId);
        await adapter.send(account, textSend('other', '14155550999'));
        const base = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
        const first = await get(`${base}?To=%2B${CUSTOMER}&PageSize=2`);
        expect(first.status).toBe(200);
        expect(first.body).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, previous_page_uri: null });
        expect((first.body['messages'] as Array<{ sid: string }>).map((m) => m.sid)).toEqual([sids[2], sids[1]]);
        expect(first.body['first_page_uri']).toBe(`${base}?To=%2B${CUSTOMER}&PageSize=2&Page=0`);
        const next = first.body['next_page_uri'] as string;
        expect(next).toMatch(/[?&]Page=1&PageToken=/);
        const second = await get(next);
        expect((second.body['messages'] as Array<{ sid: string }>).map((m) => m.sid)).toEqual([sids[0]]);
        expect(second.body).toMatchObject({ page: 1, start: 2, end: 2, next_page_uri: null });
        expect(second.body['previous_page_uri']).toMatch(/[?&]Page=0/);
        expect(((await get(base)).body['messages'] as unknown[]).length).toBe(4);
        expect(await get(`${base}?PageSize=1001`)).toEqual(twilioErrorShape(20007, 400));
      } finally {
        sim.applySettings({ statusCallbacks: true });
      }
    });

    it('answers unknown provider routes in Twilio\'s error shape, control routes with {error}', async () => {
      expect(await get(`/2010-04-01/Accounts/${ACCOUNT_SID}/Nope.json`)).toEqual(twilioErrorShape(20404, 404));
      const control = await fetch(`${sim.baseUrl}/_sim/nope`);
      expect(control.status).toBe(404);
      expect(await control.json()).toEqual({ error: 'no route GET /_sim/nope' });
    });

    it('maps Twilio error codes to permanent failures that say what is wrong', async () => {
      const twilioBody = (code: number, message: string) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 });
      const cases: Array<[number, RegExp]> = [
        [21211, /invalid To phone number/],
        [21610, /unsubscribed/],
        [21612, /cannot be reached by SMS/],
        [21212, /invalid From phone number/],
        [21606, /not an SMS-capable number/],
      ];
      for (const [code, said] of cases) {
        sim.injectFault({ kind: 'status', status: 400, body: twilioBody(code, `Twilio says ${code}`) });
        const err = await expectProviderError(adapter.send(account, textSend('x')));
        expect(err).toMatchObject({ kind: 'permanent', providerCode: String(code), httpStatus: 400 });
        expect(err.message).toMatch(said);
        expect(err.message).toContain(`Twilio says ${code}`);
      }
      const auth = await expectProviderError(adapter.send({ ...account, secrets: { authToken: 'wrong' } }, textSend('x')));
      expect(auth).toMatchObject({ kind: 'permanent', providerCode: '20003', httpStatus: 401 });
      expect(auth.message).toMatch(/refused the Account SID \/ Auth Token/);
    });
  });
});

// Known answers from Twilio's official SDK tests (twilio/twilio-php tests/Twilio/Unit/RequestValidatorTest.php,
// the same vector as the worked example of twilio.com/docs/usage/security): Auth Token "12345", the URL and
// parameters below, and the signature Twilio computes for them. Nothing here is signed by our own code.
describe('X-Twilio-Signature known-answer vectors', () => {
  const adapter = new TwilioSmsAdapter({ baseUrl: 'http://127.0.0.1:1' });
  const account: ChannelAccountCredentials = { settings: { accountSid: ACCOUNT_SID, from: FROM }, secrets: { authToken: '12345' } };
  const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const body = Buffer.from('CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212');
  const hook = (signature: string, url = URL_, form = body): RawWebhook => ({ body: form, headers: { 'x-twilio-signature': signature }, query: {}, url });

  it('accepts the documented signature, in any parameter order', () => {
    expect(adapter.verifyWebhook(account, hook('RSOYDt4T1cUTdK1PDd93/VVr8B8='))).toBe(true);
    const reordered = Buffer.from('To=%2B18005551212&Digits=1234&CallSid=CA1234567890ABCDE&From=%2B14158675309&Caller=%2B14158675309');
    expect(adapter.verifyWebhook(account, hook('RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL_, reordered))).toBe(true);
  });

  it('accepts signatures over the URL with the default port written out (443 for https, 80 for http)', () => {
    expect(adapter.verifyWebhook(account, hook('kvajT1Ptam85bY51eRf/AJRuM3w='))).toBe(true);
    expect(adapter.verifyWebhook(account, hook('0ZXoZLH/DfblKGATFgpif+LLRf4=', 'http://mycompany.com/myapp.php?foo=1&bar=2'))).toBe(true);
  });

  it('counts a repeated parameter value once, values sorted', () => {
    const repeated = Buffer.from('Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234&Digits=1234');
    expect(adapter.verifyWebhook(account, hook('IK+Dwps556ElfBT0I3Rgjkr1wJU=', URL_, repeated))).toBe(true);
  });

  it('refuses the documented signature for another token, URL or value', () => {
    expect(adapter.verifyWebhook({ ...account, secrets: { authToken: '12346' } }, hook('RSOYDt4T1cUTdK1PDd93/VVr8B8='))).toBe(false);
    expect(adapter.verifyWebhook(account, hook('RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL_ + '&extra=1'))).toBe(false);
    expect(adapter.verifyWebhook(account, hook('RSOYDt4T1cUTdK1PDd93/VVr8B8=', URL_, Buffer.from(body.toString().replace('Digits=1234', 'Digits=9999'))))).toBe(false);
    expect(adapter.verifyWebhook(account, hook('FAIL'))).toBe(false);
  });
});

describe('Twilio webhook parsing (reference shapes)', () => {
  const adapter = new TwilioSmsAdapter({ baseUrl: 'http://127.0.0.1:1' });
  const form = (fields: Record<string, string>): Buffer => Buffer.from(new URLSearchParams(fields).toString());
  const callback = (status: string, extra: Record<string, string> = {}) =>
    form({ SmsSid: 'SM1', SmsStatus: status, MessageStatus: status, To: '+' + CUSTOMER, MessageSid: 'SM1', AccountSid: ACCOUNT_SID, From: FROM, ApiVersion: '2010-04-01', ...extra });

  it('maps read, failed with a known code, undelivered with an unknown code, and ignores interim states', () => {
    expect(adapter.parseWebhook(callback('read')).statuses[0]).toMatchObject({ state: 'read', errorCode: null });
    expect(adapter.parseWebhook(callback('failed', { ErrorCode: '21610' })).statuses[0]).toMatchObject({
      state: 'failed',
      errorCode: '21610',
      errorDetail: 'Recipient unsubscribed (replied STOP)',
    });
    expect(adapter.parseWebhook(callback('undelivered', { ErrorCode: '30008' })).statuses[0]).toMatchObject({
      state: 'failed',
      errorCode: '30008',
      errorDetail: 'Twilio reported the message undelivered with error 30008',
    });
    for (const s of ['queued', 'accepted', 'sending', 'scheduled', 'constructor']) {
      expect(adapter.parseWebhook(callback(s))).toEqual({ statuses: [], messages: [] });
    }
  });

  it('treats Body without MessageStatus as inbound and rejects bodies without a MessageSid', () => {
    const inbound = adapter.parseWebhook(form({ MessageSid: 'SM2', From: '+' + CUSTOMER, To: FROM, Body: 'STOP' }));
    expect(inbound.messages[0]).toMatchObject({ providerMessageId: 'SM2', from: CUSTOMER, text: 'STOP' });
    const media = adapter.parseWebhook(form({ MessageSid: 'MM3', SmsStatus: 'received', From: '+' + CUSTOMER, Body: '', NumMedia: '1' }));
    expect(media.messages[0]).toMatchObject({ providerMessageId: 'MM3', text: null });
    expect(() => adapter.parseWebhook(Buffer.from('{"not":"a form"}'))).toThrow(/no MessageSid/);
  });

  it('recognises Twilio default opt keywords on the whole trimmed message only', () => {
    for (const k of ['STOP', 'stopall', ' Unsubscribe ', 'cancel', 'END', 'quit', 'OptOut', 'revoke']) expect(smsOptKeyword(k)).toBe('opt_out');
    for (const k of ['START', 'yes', 'Unstop']) expect(smsOptKeyword(k)).toBe('opt_in');
    for (const k of ['HELP', ' info\n']) expect(smsOptKeyword(k)).toBe('help');
    for (const k of ['stop please', 'STOP!', '', 'no', 'information']) expect(smsOptKeyword(k)).toBeNull();
  });
});
