// Meta sends every WhatsApp number and Messenger page of one app to the app's one callback URL, batching several
// entries and changes in one delivery. The hub routes each change by the id inside it (phone_number_id, page id)
// to the workspace's account of that app; an id of another workspace, of another app or of no account is refused
// for that change and logged while the rest is processed. Here the test plays Meta: it builds the batched
// deliveries and signs them with the app secret as Meta does (sha256= hex HMAC of the raw body).
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { hubVariants } from './support/variants.js';

const hex = (n: number) => randomBytes(n).toString('hex');
// Logs mask digit runs as personal data (pii.ts): an id shows as its first and last two digits.
// How the logger masks long digit runs: only the last two digits stay.
const masked = (id: string) => `•••••${id.slice(-2)}`;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

interface Msg {
  id: string;
  direction: string;
  channel_account_id: string;
  recipient: string;
  status: string;
  provider_message_id: string | null;
  content: { text?: string | null };
}

const variants = hubVariants('redis');

describe.each(variants)('Meta webhooks routed by the ids inside ($name)', (variant) => {
  let t: TestHub;
  let keyA: string;
  let keyB: string;
  let wsA: string;
  const appSecret = hex(16);
  const otherAppSecret = hex(16);
  const numbers = {
    one: { phoneNumberId: digits(15), wabaId: digits(15), accessToken: `EAAG${hex(12)}`, appSecret },
    two: { phoneNumberId: digits(15), wabaId: digits(15), accessToken: `EAAG${hex(12)}`, appSecret },
    // Same workspace, another Meta app.
    otherApp: { phoneNumberId: digits(15), wabaId: digits(15), accessToken: `EAAG${hex(12)}`, appSecret: otherAppSecret },
    // Same app, another workspace.
    otherWorkspace: { phoneNumberId: digits(15), wabaId: digits(15), accessToken: `EAAG${hex(12)}`, appSecret },
  };
  const accounts: Record<string, { id: string; webhook_url: string; account_webhook_url: string }> = {};
  const pages = {
    one: { pageId: digits(16), name: 'Tea Page One', pageAccessToken: `EAAP${hex(12)}`, appSecret },
    two: { pageId: digits(16), name: 'Tea Page Two', pageAccessToken: `EAAP${hex(12)}`, appSecret },
    otherWorkspace: { pageId: digits(16), name: 'Elsewhere', pageAccessToken: `EAAP${hex(12)}`, appSecret },
  };
  const pageAccounts: Record<string, { id: string; webhook_url: string }> = {};

  const sign = (body: string, secret = appSecret) => 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
  const post = (url: string, payload: unknown, secret = appSecret) => {
    const body = JSON.stringify(payload);
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, secret) }, body });
  };
  const change = (phoneNumberId: string, value: Record<string, unknown>) => ({
    field: 'messages',
    value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: phoneNumberId }, ...value },
  });
  const inboundText = (from: string, text: string) => ({
    contacts: [{ profile: { name: 'Jess' }, wa_id: from }],
    messages: [{ from, id: `wamid.${hex(12)}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
  });
  const messages = async (key: string) => (await t.api<{ data: Msg[] }>('GET', '/v1/messages?limit=100', key)).body.data;

  beforeAll(async () => {
    t = await startTestHub(variant);
    const a = await t.hub.workspaces.createWorkspace('Tea A');
    const b = await t.hub.workspaces.createWorkspace('Tea B');
    wsA = a.id;
    keyA = (await t.hub.workspaces.createApiKey(a.id, 'tests')).key;
    keyB = (await t.hub.workspaces.createApiKey(b.id, 'tests')).key;
    for (const [name, n] of Object.entries(numbers)) {
      t.wa.addPhoneNumber({ ...n, displayPhoneNumber: `1555${digits(7)}`, webhookUrl: null });
      const res = await t.api<{ id: string; webhook_url: string; account_webhook_url: string }>('POST', '/v1/channel-accounts', name === 'otherWorkspace' ? keyB : keyA, {
        channel: 'whatsapp',
        provider: 'meta',
        phone_number_id: n.phoneNumberId,
        waba_id: n.wabaId,
        access_token: n.accessToken,
        app_secret: n.appSecret,
        verify_token: `verify-${name}`,
      });
      expect(res.status).toBe(201);
      accounts[name] = res.body;
    }
    for (const [name, p] of Object.entries(pages)) {
      t.messenger.addPage(p);
      const res = await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', name === 'otherWorkspace' ? keyB : keyA, {
        channel: 'messenger',
        provider: 'meta-messenger',
        page_id: p.pageId,
        page_access_token: p.pageAccessToken,
        app_secret: p.appSecret,
      });
      expect(res.status).toBe(201);
      pageAccounts[name] = res.body;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives one callback URL per workspace for all numbers and pages, with Meta’s handshake', async () => {
    const url = accounts['one']!.webhook_url;
    expect(url).toBe(accounts['two']!.webhook_url);
    expect(url).toBe(pageAccounts['one']!.webhook_url);
    expect(url).toMatch(new RegExp(`/webhooks/meta/${wsA}$`));
    const ok = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=verify-two&hub.challenge=31337`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('31337');
    // Another workspace's token is not this workspace's.
    expect((await fetch(`${url}?hub.mode=subscribe&hub.verify_token=verify-otherWorkspace&hub.challenge=1`)).status).toBe(403);
    expect((await fetch(`${url.replace(wsA, 'ws_unknown')}?hub.mode=subscribe&hub.verify_token=verify-two&hub.challenge=1`)).status).toBe(404);
    // A NUL in the path is refused before routing, naming the parameter.
    expect((await fetch(`${url.replace(wsA, 'ws%00x')}?hub.mode=subscribe&hub.verify_token=verify-two&hub.challenge=1`)).status).toBe(400);
    expect((await post(url.replace(wsA, 'ws%00x'), { object: 'page', entry: [] })).status).toBe(400);
  });

  it('routes each WhatsApp change of one batched delivery to its own number; refuses and logs the others', async () => {
    const [c1, c2, c3, c4, c5] = ['15551230001', '15551230002', '15551230003', '15551230004', '15551230005'];
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        { id: numbers.one.wabaId, changes: [change(numbers.one.phoneNumberId, inboundText(c1!, 'hello number one')), change(numbers.two.phoneNumberId, inboundText(c2!, 'hello number two'))] },
        {
          id: numbers.otherWorkspace.wabaId,
          changes: [
            change(numbers.otherWorkspace.phoneNumberId, inboundText(c3!, 'for workspace B')),
            change('999000111222333', inboundText(c4!, 'for nobody')),
            change(numbers.otherApp.phoneNumberId, inboundText(c5!, 'for another app')),
          ],
        },
      ],
    };
    for (const [n, c] of [[numbers.one, c1], [numbers.two, c2]] as const) t.wa.openWindow(n.phoneNumberId, c!);
    const res = await post(accounts['one']!.webhook_url, payload);
    expect(res.status).toBe(200);

    const inbound = await waitFor(async () => {
      const got = (await messages(keyA)).filter((m) => m.direction === 'inbound');
      return got.length >= 2 ? got : null;
    }, { what: 'two inbound messages' });
    const byText = (text: string) => inbound.find((m) => m.content.text === text);
    expect(byText('hello number one')).toMatchObject({ channel_account_id: accounts['one']!.id, recipient: c1 });
    expect(byText('hello number two')).toMatchObject({ channel_account_id: accounts['two']!.id, recipient: c2 });
    // Refused: not recorded here, nor in the workspace that owns the number.
    expect(inbound).toHaveLength(2);
    expect((await messages(keyB)).filter((m) => m.direction === 'inbound')).toHaveLength(0);
    await waitFor(() => t.logs.some((l) => l.includes('refused') && l.includes(masked('999000111222333'))) || null, { what: 'the refusal in the log' });
    const logged = t.logs.filter((l) => l.includes('refused')).join('\n');
    expect(logged).toContain(masked(numbers.otherWorkspace.phoneNumberId));
    expect(logged).toContain(masked(numbers.otherApp.phoneNumberId));

    // Each number answered from itself; then one delivery carries both numbers' statuses.
    const replies = await waitFor(async () => {
      const out = (await messages(keyA)).filter((m) => m.direction === 'outbound' && m.provider_message_id);
      return out.length >= 2 ? out : null;
    }, { what: 'the replies of both numbers' });
    const replyOf = (accountId: string) => replies.find((m) => m.channel_account_id === accountId)!;
    const r1 = replyOf(accounts['one']!.id);
    const r2 = replyOf(accounts['two']!.id);
    expect(t.wa.messages(c1).length).toBeGreaterThan(0);
    const status = (id: string, to: string, s: string) => ({ statuses: [{ id, status: s, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: to }] });
    const statuses = {
      object: 'whatsapp_business_account',
      entry: [
        { id: numbers.one.wabaId, changes: [change(numbers.one.phoneNumberId, status(r1.provider_message_id!, c1!, 'delivered'))] },
        // Number two's status, and number one's message id under number two's id: that one matches no message there.
        { id: numbers.two.wabaId, changes: [change(numbers.two.phoneNumberId, status(r2.provider_message_id!, c2!, 'read'))] },
      ],
    };
    // The per-account URL of number one keeps working, and routes number two's change to number two.
    expect((await post(accounts['one']!.account_webhook_url, statuses)).status).toBe(200);
    await waitFor(async () => {
      const out = await messages(keyA);
      const s1 = out.find((m) => m.id === r1.id)?.status;
      const s2 = out.find((m) => m.id === r2.id)?.status;
      return s1 === 'delivered' && s2 === 'read' ? true : null;
    }, { what: 'both statuses applied to their own numbers' });
  });

  it('refuses a delivery the app did not sign, and an object it does not handle', async () => {
    const payload = { object: 'whatsapp_business_account', entry: [{ id: numbers.one.wabaId, changes: [change(numbers.one.phoneNumberId, inboundText('15551239999', 'forged'))] }] };
    expect((await post(accounts['one']!.webhook_url, payload, hex(16))).status).toBe(401);
    const instagram = await post(accounts['one']!.webhook_url, { object: 'instagram', entry: [] });
    expect(instagram.status).toBe(400);
    expect(((await instagram.json()) as { error: { message: string } }).error.message).toContain('object');
    // Signed by the other app of this workspace: processed for that app's number only.
    const res = await post(accounts['one']!.webhook_url, { object: 'whatsapp_business_account', entry: [{ id: numbers.otherApp.wabaId, changes: [change(numbers.otherApp.phoneNumberId, inboundText('15551238888', 'other app here')), change(numbers.one.phoneNumberId, inboundText('15551238887', 'not this app'))] }] }, otherAppSecret);
    expect(res.status).toBe(200);
    const got = await waitFor(async () => (await messages(keyA)).find((m) => m.content.text === 'other app here') ?? null, { what: 'the other app’s message' });
    expect(got.channel_account_id).toBe(accounts['otherApp']!.id);
    await waitFor(() => t.logs.some((l) => l.includes('refused') && l.includes(masked(numbers.one.phoneNumberId))) || null, { what: 'the cross-app refusal' });
    expect((await messages(keyA)).some((m) => m.content.text === 'not this app')).toBe(false);
  });

  it('routes each Messenger entry to its own page; refuses pages of no account here and mismatched recipients', async () => {
    const now = Date.now();
    const event = (pageId: string, psid: string, text: string, recipient = pageId) => ({ sender: { id: psid }, recipient: { id: recipient }, timestamp: now, message: { mid: `m_${hex(10)}`, text } });
    const payload = {
      object: 'page',
      entry: [
        { id: pages.one.pageId, time: now, messaging: [event(pages.one.pageId, '6001', 'hi page one')] },
        { id: pages.two.pageId, time: now, messaging: [event(pages.two.pageId, '6002', 'hi page two')] },
        { id: pages.otherWorkspace.pageId, time: now, messaging: [event(pages.otherWorkspace.pageId, '6003', 'hi elsewhere')] },
        { id: '100000000000001', time: now, messaging: [event('100000000000001', '6004', 'hi nobody')] },
        // The entry says page one, the recipient says page two: attributed to neither.
        { id: pages.one.pageId, time: now, messaging: [event(pages.one.pageId, '6005', 'hi confused', pages.two.pageId)] },
      ],
    };
    expect((await post(pageAccounts['one']!.webhook_url, payload)).status).toBe(200);
    const inbound = await waitFor(async () => {
      const got = (await messages(keyA)).filter((m) => m.direction === 'inbound' && ['6001', '6002'].includes(m.recipient));
      return got.length >= 2 ? got : null;
    }, { what: 'both pages’ messages' });
    expect(inbound.find((m) => m.recipient === '6001')?.channel_account_id).toBe(pageAccounts['one']!.id);
    expect(inbound.find((m) => m.recipient === '6002')?.channel_account_id).toBe(pageAccounts['two']!.id);
    await waitFor(() => t.logs.some((l) => l.includes('refused') && l.includes(masked('100000000000001'))) || null, { what: 'the page refusal' });
    const all = await messages(keyA);
    expect(all.some((m) => ['6003', '6004', '6005'].includes(m.recipient))).toBe(false);
    expect((await messages(keyB)).some((m) => m.direction === 'inbound')).toBe(false);
    expect(t.logs.filter((l) => l.includes('refused')).join('\n')).toContain(masked(pages.otherWorkspace.pageId));
  });
});
