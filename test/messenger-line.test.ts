// Messenger and LINE accounts: verified with the provider when saved, and their signed webhooks received,
// verified and recorded as inbound messages.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';

interface Msg {
  direction: string;
  channel: string;
  recipient: string;
  content: { text: string | null; payload: string | null };
}

describe('Messenger and LINE accounts', () => {
  let t: TestHub;
  let key: string;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
    const ws = await t.hub.workspaces.createWorkspace('Chat merchant');
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
  });
  afterAll(async () => {
    await t?.close();
  });

  const inbound = (channel: string) => async () => {
    const res = await t.api<{ data: Msg[] }>('GET', '/v1/messages', key);
    return res.body.data.find((m) => m.direction === 'inbound' && m.channel === channel);
  };

  it('Messenger: verified page, subscription handshake, signed webhooks', async () => {
    const page = { pageId: '1487925408000967', name: 'Demo Page', pageAccessToken: `EAAP${randomBytes(12).toString('hex')}`, appSecret: randomBytes(12).toString('hex') };
    t.messenger.addPage(page);
    const refused = await t.api<{ error: { message: string } }>('POST', '/v1/channel-accounts', key, { channel: 'messenger', provider: 'meta-messenger', page_id: page.pageId, page_access_token: 'EAAP-wrong-token-00', app_secret: page.appSecret });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('Messenger refused the credentials');

    const account = await t.api<{ id: string; webhook_url: string; account_webhook_url: string; display_name: string; rate_limit_per_second: number }>('POST', '/v1/channel-accounts', key, {
      channel: 'messenger',
      provider: 'meta-messenger',
      page_id: page.pageId,
      page_access_token: page.pageAccessToken,
      app_secret: page.appSecret,
      verify_token: 'handshake-token-1',
    });
    expect(account.status).toBe(201);
    expect(account.body).toMatchObject({ display_name: 'Demo Page', rate_limit_per_second: 300 });
    // The workspace's Meta URL serves every page of the app; the account's own URL keeps working.
    expect(account.body.webhook_url).toMatch(/\/webhooks\/meta\/ws_/);
    expect(account.body.account_webhook_url).toMatch(/\/webhooks\/messenger\/ca_/);
    const own = await fetch(`${account.body.account_webhook_url}?hub.mode=subscribe&hub.verify_token=handshake-token-1&hub.challenge=77`);
    expect(await own.text()).toBe('77');

    const challenge = await fetch(`${account.body.webhook_url}?hub.mode=subscribe&hub.verify_token=handshake-token-1&hub.challenge=4242`);
    expect(await challenge.text()).toBe('4242');
    expect((await fetch(`${account.body.webhook_url}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`)).status).toBe(403);

    t.messenger.addPage({ ...page, webhookUrl: account.body.webhook_url });
    const sent = await t.messenger.emitInbound({ pageId: page.pageId, psid: '1602407863220595', text: 'where is my order?' });
    expect(sent.status).toBe(200);
    const msg = await waitFor(inbound('messenger'), { what: 'inbound Messenger message' });
    expect(msg).toMatchObject({ recipient: '1602407863220595', content: { text: 'where is my order?' } });

    const forged = await fetch(account.body.webhook_url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=' + 'a'.repeat(64) }, body: '{"object":"page","entry":[]}' });
    expect(forged.status).toBe(401);
  });

  it('LINE: verified channel and signed webhooks', async () => {
    const channel = { channelAccessToken: `line_${randomBytes(16).toString('hex')}`, channelSecret: randomBytes(16).toString('hex'), botUserId: `U${randomBytes(16).toString('hex')}`, displayName: 'Demo LINE shop' };
    t.line.addChannel(channel);
    const refused = await t.api<{ error: { message: string } }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: 'line_wrong_token', channel_secret: channel.channelSecret });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('LINE refused the credentials');

    const account = await t.api<{ id: string; webhook_url: string; external_id: string; display_name: string }>('POST', '/v1/channel-accounts', key, {
      channel: 'line',
      provider: 'line',
      channel_access_token: channel.channelAccessToken,
      channel_secret: channel.channelSecret,
    });
    expect(account.status).toBe(201);
    expect(account.body).toMatchObject({ external_id: channel.botUserId, display_name: 'Demo LINE shop' });
    expect(account.body.webhook_url).toMatch(/\/webhooks\/line\/ca_/);

    t.line.addChannel({ ...channel, webhookUrl: account.body.webhook_url });
    await t.line.emitInbound({ userId: 'U4af4980629aaaaaaaaaaaaaaaaaaaaaa', postbackData: 'action=orders' });
    const msg = await waitFor(inbound('line'), { what: 'inbound LINE message' });
    expect(msg).toMatchObject({ recipient: 'U4af4980629aaaaaaaaaaaaaaaaaaaaaa', content: { payload: 'action=orders' } });

    const forged = await fetch(account.body.webhook_url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': 'AAAA' }, body: '{"destination":"x","events":[]}' });
    expect(forged.status).toBe(401);
  });
});
