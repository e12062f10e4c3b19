// The SMTP e-mail adapter against its simulator over real sockets: account checks (login, refusal, nothing
// listening), sends with deterministic Message-IDs read back from the simulator's mailbox, SMTP reply
// classification, and the relay's signed inbound / delivery / bounce posts received by a local HTTP server.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChannelAccountCredentials, SendRequest } from '../../../core/channels/ports.js';
import { MAIL_SIGNATURE_HEADER, SmtpEmailAdapter, messageIdFor, verifyMailSignature } from './index.js';
import { SmtpSimulator } from './simulator.js';
import { WebhookReceiver, rawWebhook } from '../../../../test/support/receiver.js';
import { expectProviderError } from '../../../../test/support/provider-error.js';
import { serveSimulator } from '../../../../test/support/simulator-tests.js';

const SECRET = 'whsec_mail_relay_test';
const FROM = 'orders@shop.example.com';
const CUSTOMER = 'jane.doe@example.org';

/** A port nothing listens on: bind one, then release it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const textSend = (idempotencyKey: string, text: string, extra: { subject?: string; html?: string; to?: string } = {}): SendRequest => ({
  to: extra.to ?? CUSTOMER,
  idempotencyKey,
  content: { kind: 'text', text, ...(extra.subject ? { subject: extra.subject } : {}), ...(extra.html ? { html: extra.html } : {}) },
});

describe('SMTP e-mail adapter + simulator', () => {
  const sim = new SmtpSimulator();
  const receiver = new WebhookReceiver('/webhooks/email');
  const adapter = new SmtpEmailAdapter({ timeoutMs: 2000 });
  let account: ChannelAccountCredentials;

  const withSecrets = (secrets: Record<string, string>): ChannelAccountCredentials => ({ ...account, secrets: { ...account.secrets, ...secrets } });
  const withSettings = (settings: Record<string, string>): ChannelAccountCredentials => ({ ...account, settings: { ...account.settings, ...settings } });

  serveSimulator(sim, [receiver], {
    started: async () => {
      const port = await sim.listenSmtp();
      account = {
        settings: { host: '127.0.0.1', port: String(port), security: 'none', fromAddress: FROM, fromName: 'Example Shop', username: 'shop-smtp', replyTo: 'help@shop.example.com' },
        secrets: { password: 'smtp-password', webhookSecret: SECRET },
      };
    },
    seed: () => sim.addAccount({ username: 'shop-smtp', password: 'smtp-password', webhookUrl: receiver.url, webhookSecret: SECRET, reportDelivery: false }),
  });
  // Registered after serveSimulator's hooks, so it runs before them: the adapter lets go of its connections first.
  afterAll(() => adapter.close());

  it('verifies the account by logging in; a wrong password or nothing listening is permanent', async () => {
    const verified = await adapter.verifyAccount(account);
    expect(verified.displayName).toBe(FROM);
    expect(verified.details).toMatchObject({ host: '127.0.0.1', security: 'none', username: 'shop-smtp' });

    const refused = await expectProviderError(adapter.verifyAccount(withSecrets({ password: 'wrong' })));
    expect(refused).toMatchObject({ kind: 'permanent', message: 'the SMTP server refused the username or password', providerCode: '535' });
    expect(refused.message).not.toContain('wrong');

    const port = await closedPort();
    const unreachable = await expectProviderError(adapter.verifyAccount(withSettings({ port: String(port) })));
    expect(unreachable.kind).toBe('permanent');
    expect(unreachable.message).toMatch(new RegExp(`^could not connect to smtp 127\\.0\\.0\\.1:${port}: `));

    const badSettings = await expectProviderError(adapter.verifyAccount(withSettings({ fromAddress: 'not-an-address' })));
    expect(badSettings).toMatchObject({ kind: 'permanent', message: 'settings.fromAddress must be a valid e-mail address' });
  });

  it('lists no templates, refuses template sends and invalid recipients', async () => {
    expect(await adapter.listTemplates()).toEqual([]);
    const template = await expectProviderError(
      adapter.send(account, { to: CUSTOMER, idempotencyKey: 'k-t', content: { kind: 'template', templateName: 'x', language: 'en', parameters: [], parameterFormat: 'POSITIONAL' } }),
    );
    expect(template).toMatchObject({ kind: 'permanent', message: 'e-mail has no provider templates' });
    for (const to of ['nobody', 'a@b', 'jane@example.org\r\nBcc: x@y.z', 'Jane <jane@example.org>']) {
      expect((await expectProviderError(adapter.send(account, textSend('k-bad', 'hi', { to })))).kind).toBe('permanent');
    }
    expect(sim.messages()).toEqual([]);
  });

  it('sends text with an HTML alternative and a Message-ID derived from the idempotency key', async () => {
    const html = '<p>Votre commande <b>#1001</b> a été expédiée 🚚</p>';
    const result = await adapter.send(account, textSend('order-1001-shipped', 'Votre commande #1001 a été expédiée 🚚\nSuivi : ABC123', { subject: 'Commande #1001 expédiée', html }));
    expect(result).toEqual({ providerMessageId: messageIdFor('order-1001-shipped', FROM), providerStatus: 'accepted' });
    expect(result.providerMessageId).toMatch(/^[0-9a-f]{32}@shop\.example\.com$/);

    const [received] = sim.messages(CUSTOMER);
    expect(received).toMatchObject({
      id: result.providerMessageId,
      username: 'shop-smtp',
      envelopeFrom: FROM,
      recipients: [CUSTOMER],
      subject: 'Commande #1001 expédiée',
      text: 'Votre commande #1001 a été expédiée 🚚\nSuivi : ABC123',
      html,
      listUnsubscribe: '<mailto:help@shop.example.com?subject=unsubscribe>',
      replyTo: 'help@shop.example.com',
      to: CUSTOMER,
    });
    expect(received?.headers['message-id']).toBe(`<${result.providerMessageId}>`);
    expect(received?.from).toBe(`Example Shop <${FROM}>`);

    // A retried send carries the same Message-ID, so the hub's provider message id is stable.
    const again = await adapter.send(account, textSend('order-1001-shipped', 'Votre commande #1001 a été expédiée 🚚'));
    expect(again.providerMessageId).toBe(result.providerMessageId);
    expect(sim.messages(CUSTOMER).map((m) => m.id)).toEqual([result.providerMessageId, result.providerMessageId]);
    expect((await adapter.send(account, textSend('order-1002-shipped', 'x'))).providerMessageId).not.toBe(result.providerMessageId);
  });

  it('takes the subject from the first line of text, cut to 78 characters', async () => {
    const long = 'Your order #1001 has shipped and is on its way with the carrier, tracking number ABC123456789';
    await adapter.send(account, textSend('k-subject-long', `\n${long}\nsecond line`));
    await adapter.send(account, textSend('k-subject-short', 'Thanks for your order!\nMore details inside.'));
    const [first, second] = sim.messages(CUSTOMER);
    expect(first?.subject).toHaveLength(78);
    expect(first?.subject).toBe(`${long.slice(0, 77)}…`);
    expect(second?.subject).toBe('Thanks for your order!');
    expect(first?.html).toBeNull();
  });

  it('maps SMTP replies: 550 permanent, 451 retryable, 535 permanent, connection refused retryable', async () => {
    sim.setRecipientMode('gone@example.org', 'reject');
    const rejected = await expectProviderError(adapter.send(account, textSend('k-550', 'hello', { to: 'gone@example.org' })));
    expect(rejected).toMatchObject({ kind: 'permanent', providerCode: '550' });
    expect(rejected.message).toContain('mailbox unavailable');

    sim.setRecipientMode('busy@example.org', 'tempfail');
    const deferred = await expectProviderError(adapter.send(account, textSend('k-451', 'hello', { to: 'busy@example.org' })));
    expect(deferred).toMatchObject({ kind: 'retryable', providerCode: '451' });
    sim.setRecipientMode('busy@example.org', 'accept');
    await adapter.send(account, textSend('k-451', 'hello', { to: 'busy@example.org' }));
    expect(sim.messages('busy@example.org')).toHaveLength(1);

    const login = await expectProviderError(adapter.send(withSecrets({ password: 'changed' }), textSend('k-535', 'hello')));
    expect(login).toMatchObject({ kind: 'permanent', message: 'the SMTP server refused the username or password' });

    const port = await closedPort();
    const down = await expectProviderError(adapter.send(withSettings({ port: String(port) }), textSend('k-down', 'hello')));
    expect(down.kind).toBe('retryable');
    expect(down.message).toMatch(/^could not reach the SMTP server/);
  });

  it('plays injected faults on the next SMTP transaction: 4xx retryable, 554 permanent, delays', async () => {
    sim.injectFault({ kind: 'status', status: 452 });
    expect(await expectProviderError(adapter.send(account, textSend('k-452', 'hello')))).toMatchObject({ kind: 'retryable', providerCode: '452' });
    // 421 closes the session; depending on timing the reply or the closed connection reaches the client first.
    sim.injectFault({ kind: 'status', status: 421, times: 2 });
    expect((await expectProviderError(adapter.send(account, textSend('k-421', 'hello')))).kind).toBe('retryable');
    sim.reset();
    sim.injectFault({ kind: 'status', status: 554 });
    expect(await expectProviderError(adapter.send(account, textSend('k-554', 'hello')))).toMatchObject({ kind: 'permanent', providerCode: '554' });
    sim.injectFault({ kind: 'invalid_recipient', recipient: 'blocked@example.org' });
    expect(await expectProviderError(adapter.send(account, textSend('k-inv', 'hello', { to: 'blocked@example.org' })))).toMatchObject({ kind: 'permanent', providerCode: '550' });
    await adapter.send(account, textSend('k-ok', 'hello'));
    expect(sim.messages(CUSTOMER)).toHaveLength(1);

    // A server slower than the socket timeout: retryable, the message may not have gone out.
    const impatient = new SmtpEmailAdapter({ timeoutMs: 100 });
    sim.injectFault({ kind: 'delay', ms: 1000 });
    try {
      expect((await expectProviderError(impatient.send(account, textSend('k-slow', 'hello')))).kind).toBe('retryable');
    } finally {
      impatient.close();
    }
  });

  it('posts a signed delivered report after accepting when the account asks for it', async () => {
    sim.addAccount({ username: 'shop-smtp', password: 'smtp-password', webhookUrl: receiver.url, webhookSecret: SECRET, reportDelivery: true });
    const sent = await adapter.send(account, textSend('k-report', 'hello'));
    const [hook] = (await receiver.waitFor(1)).map((r) => rawWebhook(r));
    expect(adapter.verifyWebhook(account, hook!)).toBe(true);
    const parsed = adapter.parseWebhook(hook!.body);
    expect(parsed.messages).toEqual([]);
    expect(parsed.statuses).toEqual([
      { providerMessageId: sent.providerMessageId, state: 'delivered', occurredAt: expect.any(Number), recipient: CUSTOMER, errorCode: null, errorDetail: null, category: null },
    ]);
  });

  it('verifies and parses inbound e-mails; a re-posted e-mail keeps its id', async () => {
    const sent = await adapter.send(account, textSend('k-thread', 'Your order shipped'));
    const { messageId } = await sim.emitInbound({ from: 'Jane Doe <Jane.Doe@Example.org>', to: FROM, subject: 'Re: Your order shipped', text: 'Where is my parcel?', inReplyTo: `<${sent.providerMessageId}>` });
    await sim.emitInbound({ from: CUSTOMER, to: FROM, text: 'Where is my parcel?', messageId });
    const [first, repeat] = (await receiver.waitFor(2)).map((r) => rawWebhook(r));

    expect(adapter.verifyWebhook(account, first!)).toBe(true);
    const parsed = adapter.parseWebhook(first!.body);
    expect(parsed.statuses).toEqual([]);
    expect(parsed.messages).toEqual([
      { providerMessageId: messageId, from: CUSTOMER, occurredAt: expect.any(Number), text: 'Where is my parcel?', payload: null, profileName: null, replyToProviderMessageId: sent.providerMessageId },
    ]);
    expect(adapter.parseWebhook(repeat!.body).messages[0]?.providerMessageId).toBe(messageId);
    expect(adapter.parseWebhook(repeat!.body).messages[0]?.replyToProviderMessageId).toBeNull();
  });

  it('refuses wrong secrets, tampered bodies, missing headers and stale timestamps', async () => {
    await sim.emitInbound({ from: CUSTOMER, to: FROM, text: 'hello' });
    const [hook] = (await receiver.waitFor(1)).map((r) => rawWebhook(r));
    expect(adapter.verifyWebhook(account, hook!)).toBe(true);
    expect(adapter.verifyWebhook(withSecrets({ webhookSecret: 'other' }), hook!)).toBe(false);
    expect(adapter.verifyWebhook({ ...account, secrets: {} }, hook!)).toBe(false);
    expect(adapter.verifyWebhook(account, { ...hook!, headers: {} })).toBe(false);
    expect(adapter.verifyWebhook(account, { ...hook!, body: Buffer.from(hook!.body.toString('utf8').replace('hello', 'hellO')) })).toBe(false);
    expect(adapter.verifyWebhook(account, { ...hook!, headers: { [MAIL_SIGNATURE_HEADER]: 't=abc,v1=zz' } })).toBe(false);

    const body = JSON.stringify({ events: [] });
    expect(adapter.parseWebhook(Buffer.from(body))).toEqual({ statuses: [], messages: [] });
    expect(() => adapter.parseWebhook(Buffer.from('not json'))).toThrow(/not valid JSON/);
  });

  // A known answer, not our own signer: v1 is `openssl dgst -sha256 -hmac mail_kat_secret` over "<t>.<body>"
  // (the relay scheme: t=<unix seconds>,v1=<hex HMAC-SHA256(webhook secret, "<t>.<raw body>")>).
  it('checks the relay signature against a known answer, with a five-minute window', () => {
    const body = Buffer.from('{"events":[{"type":"delivered","messageId":"m1@shop.example"}]}');
    const v1 = 'cb654423f578d69ba3632dfadb0b1de6004c6d482515ddee4da8572914ce54f9';
    const header = `t=1700000000,v1=${v1}`;
    const at = (seconds: number): number => seconds * 1000;
    expect(verifyMailSignature('mail_kat_secret', header, body, at(1_700_000_060))).toBe(true);
    expect(verifyMailSignature('mail_kat_secret', header.toUpperCase().replace('T=', 't=').replace('V1=', 'v1='), body, at(1_700_000_000))).toBe(true);
    // While a relay rotates its secret it may send two v1 values; one matching is enough.
    expect(verifyMailSignature('mail_kat_secret', `t=1700000000,v1=${'0'.repeat(64)},v1=${v1}`, body, at(1_700_000_000))).toBe(true);
    expect(verifyMailSignature('mail_kat_secret', header, body, at(1_700_000_301))).toBe(false);
    expect(verifyMailSignature('mail_kat_secret', header, body, at(1_699_999_699))).toBe(false);
    expect(verifyMailSignature('mail_kat_secreT', header, body, at(1_700_000_000))).toBe(false);
    expect(verifyMailSignature('mail_kat_secret', 't=1700000001,v1=' + v1, body, at(1_700_000_000))).toBe(false);
    expect(verifyMailSignature('mail_kat_secret', header, Buffer.from(body.toString().replace('m1@', 'm2@')), at(1_700_000_000))).toBe(false);
  });

  it('requires AUTH once an account is registered: without a login 530, a wrong one 535; an open relay takes mail without', async () => {
    const anonymous = withSettings({ username: '' });
    const required = await expectProviderError(adapter.send(anonymous, textSend('k-530', 'hello')));
    expect(required).toMatchObject({ kind: 'permanent', providerCode: '530', message: 'the SMTP server requires a login: set the username and password of the account' });
    const wrong = await expectProviderError(adapter.send(withSecrets({ password: 'not-it' }), textSend('k-535', 'hello')));
    expect(wrong).toMatchObject({ kind: 'permanent', providerCode: '535' });
    expect(sim.messages()).toHaveLength(0);

    const relay = new SmtpSimulator();
    try {
      const port = await relay.listenSmtp();
      await adapter.send({ ...anonymous, settings: { ...anonymous.settings, port: String(port) } }, textSend('k-open', 'hello'));
      expect(relay.messages(CUSTOMER).map((m) => m.username)).toEqual([null]);
    } finally {
      await relay.close();
    }
  });

  it('parses bounces as failed with the SMTP code and diagnostic; deferred reports are ignored', async () => {
    const sent = await adapter.send(account, textSend('k-bounce', 'hello'));
    expect(await sim.emitBounce({ messageId: `<${sent.providerMessageId}>`, smtpCode: 550, diagnostic: '550 5.1.1 <jane.doe@example.org>: user unknown' })).toBe(200);
    expect(await sim.emitReport('deferred', { messageId: sent.providerMessageId })).toBe(200);
    const [bounce, deferred] = (await receiver.waitFor(2)).map((r) => rawWebhook(r));

    expect(adapter.verifyWebhook(account, bounce!)).toBe(true);
    expect(adapter.parseWebhook(bounce!.body).statuses).toEqual([
      {
        providerMessageId: sent.providerMessageId,
        state: 'failed',
        occurredAt: expect.any(Number),
        recipient: CUSTOMER,
        errorCode: '550',
        errorDetail: '550 5.1.1 <jane.doe@example.org>: user unknown',
        category: null,
      },
    ]);
    expect(adapter.verifyWebhook(account, deferred!)).toBe(true);
    expect(adapter.parseWebhook(deferred!.body)).toEqual({ statuses: [], messages: [] });
  });

  it('exposes control routes and answers bad input with 4xx', async () => {
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${sim.baseUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });

    expect((await call('POST', '/_sim/accounts', { username: 'other', password: 'pw', reportDelivery: false })).status).toBe(201);
    expect((await call('POST', '/_sim/accounts', { username: 'x' })).status).toBe(400);
    expect((await call('POST', '/_sim/accounts', { username: 'x', password: 'y', webhookUrl: 'not a url' })).status).toBe(400);
    expect((await call('POST', '/_sim/accounts', { username: 'x', password: 'y', reportDelivery: 'yes' })).status).toBe(400);
    expect((await call('POST', '/_sim/accounts', 'not json')).status).toBe(400);
    const accounts = (await (await call('GET', '/_sim/accounts')).json()) as Array<{ username: string }>;
    expect(accounts.map((a) => a.username).sort()).toEqual(['other', 'shop-smtp']);
    expect(await (await call('GET', '/_sim/smtp')).json()).toEqual(sim.smtpEndpoint);

    expect((await call('POST', '/_sim/recipients', { address: 'gone@example.org', mode: 'bounce' })).status).toBe(400);
    expect((await call('POST', '/_sim/recipients', { address: 'gone@example.org', mode: 'reject' })).status).toBe(200);
    expect((await expectProviderError(adapter.send(account, textSend('k-http-550', 'x', { to: 'gone@example.org' })))).providerCode).toBe('550');

    const sent = await adapter.send(account, textSend('k-http', 'via control'));
    const mailbox = (await (await call('GET', `/_sim/mailbox?to=${encodeURIComponent(CUSTOMER)}`)).json()) as Array<{ id: string; text: string }>;
    expect(mailbox).toMatchObject([{ id: sent.providerMessageId, text: 'via control' }]);

    // Two accounts now: inbound e-mails must name the receiving one.
    expect((await call('POST', '/_sim/inbound', { from: CUSTOMER, to: FROM, text: 'hi' })).status).toBe(400);
    expect((await call('POST', '/_sim/inbound', { to: FROM, text: 'hi', username: 'shop-smtp' })).status).toBe(400);
    expect((await call('POST', '/_sim/inbound', { from: 'nope', to: FROM, text: 'hi', username: 'shop-smtp' })).status).toBe(400);
    expect((await call('POST', '/_sim/inbound', { from: CUSTOMER, to: FROM, text: 'hi', username: 'nobody' })).status).toBe(404);
    const inbound = await call('POST', '/_sim/inbound', { from: CUSTOMER, to: FROM, text: 'hi', username: 'shop-smtp' });
    expect(inbound.status).toBe(201);
    expect(await inbound.json()).toMatchObject({ status: 200, messageId: expect.stringMatching(/@relay\.shoptalk\.test$/) });

    expect((await call('POST', '/_sim/bounce', { messageId: 'unknown@x' })).status).toBe(404);
    expect((await call('POST', '/_sim/bounce', { messageId: sent.providerMessageId, smtpCode: 'five fifty' })).status).toBe(400);
    expect((await call('POST', '/_sim/bounce', { messageId: sent.providerMessageId, recipient: 'someone@else.org' })).status).toBe(400);
    expect((await call('POST', '/_sim/bounce', { messageId: sent.providerMessageId })).status).toBe(201);
    expect((await call('POST', '/_sim/reports', { type: 'opened', messageId: sent.providerMessageId })).status).toBe(400);
    expect((await call('POST', '/_sim/reports', { type: 'delivered', messageId: sent.providerMessageId })).status).toBe(201);
  });
});
