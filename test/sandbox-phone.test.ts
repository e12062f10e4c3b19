// The sandbox phone shows what the customer's own phone would: their messages as sent (a tapped button by its
// label), the business's answers, and the one-time code the hub e-mailed them while they linked their account.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';

const hex = (n: number) => randomBytes(n).toString('hex');

interface PhoneMessage {
  direction: 'in' | 'out';
  text: string;
  buttons: Array<{ id: string; title: string }>;
  at: string;
  via?: 'sms' | 'email';
  from?: string | null;
}

describe('the sandbox phone', () => {
  let t: TestHub;
  let key = '';
  const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Phone LINE' };
  const user = `U${hex(16)}`;
  const messages = async () => (await t.api<PhoneMessage[]>('GET', `/v1/sandbox/phone/line/messages?address=${user}`, key)).body;
  const send = async (body: { text?: string; payload?: string }) => {
    const before = (await messages()).filter((m) => m.direction === 'in' && !m.via).length;
    expect((await t.api('POST', '/v1/sandbox/phone/line/messages', key, { address: user, ...body })).status).toBe(202);
    return waitFor(async () => {
      const now = await messages();
      return now.filter((m) => m.direction === 'in' && !m.via).length > before ? now : null;
    }, { what: `the answer to ${JSON.stringify(body)}` });
  };

  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false, sandboxPhone: true });
    const ws = await t.hub.workspaces.createWorkspace('Phone Tea');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    t.line.addChannel(channel);
    const line = (await t.api<{ webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    t.line.addChannel({ ...channel, webhookUrl: line.webhook_url });
    const username = `phone-${hex(4)}`;
    const password = hex(12);
    t.smtp.addAccount({ username, password });
    expect((await t.api('POST', '/v1/channel-accounts', key, { channel: 'email', provider: 'smtp', host: '127.0.0.1', port: t.smtpPort, security: 'none', username, password, from_address: 'hello@phonetea.example', from_name: 'Phone Tea' })).status).toBe(201);
    const domain = `phone-${hex(3)}.cyberbiz.co`;
    const token = `eyJ${hex(16)}`;
    const secret = hex(16);
    t.cyberbiz.addShop({ domain, name: 'Phone Tea', accessToken: token, appSecret: secret });
    const store = (await t.api<{ id: string }>('POST', '/v1/store-connections', key, { platform: 'cyberbiz', shop_domain: domain, access_token: token, app_secret: secret })).body;
    t.cyberbiz.addCustomer(domain, { name: 'Mei', email: 'mei@phonetea.example', mobile: '0912000555' });
    expect((await t.api('PUT', '/v1/chat-settings', key, { linking: { store_connection_id: store.id, verify_by: 'email', terms_url: 'https://phonetea.example/terms' } })).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the customer’s messages apart from the business’s, shows tapped buttons by label, and the code they were e-mailed', async () => {
    const hello = await send({ text: 'hi' });
    expect(hello[0]).toMatchObject({ direction: 'out', text: 'hi' });
    const link = hello.filter((m) => m.direction === 'in').flatMap((m) => m.buttons).find((b) => b.id === 'a:link_account')!;
    expect(link.title).not.toBe('a:link_account');
    // Tapped without a label: the phone still shows the label the business gave the button.
    const terms = await send({ payload: 'a:link_account' });
    expect(terms.filter((m) => m.direction === 'out').map((m) => m.text)).toEqual(['hi', link.title]);
    const accept = terms.filter((m) => m.direction === 'in').flatMap((m) => m.buttons).find((b) => b.id === 'link:accept')!;
    await send({ payload: accept.id });
    await send({ text: 'Mei@PhoneTea.example' });
    const code = await waitFor(async () => (await messages()).find((m) => m.via === 'email') ?? null, { what: 'the e-mailed code on the phone' });
    expect(code.direction).toBe('in');
    expect(code.from).toMatch(/verification code/);
    const mailed = t.smtp.messages('mei@phonetea.example').at(-1)!;
    expect(code.text).toContain(/\b(\d{6})\b/.exec(mailed.text ?? '')![1]);
    // The phone's messages are in the order they happened.
    const all = await messages();
    expect(all.map((m) => m.at)).toEqual([...all.map((m) => m.at)].sort());
  });

  it('tells a workspace without a simulated chat account that it has none', async () => {
    const empty = await t.hub.workspaces.createWorkspace('No Channel Tea');
    const emptyKey = (await t.hub.workspaces.createApiKey(empty.id, 'tests')).key;
    const info = await t.api<{ enabled: boolean; channels: unknown[] }>('GET', '/v1/sandbox/phone', emptyKey);
    expect(info.body).toEqual({ enabled: true, channels: [] });
  });
});
