// Notifications on SMS, e-mail, LINE and Messenger: built-in texts in the setting's language or the merchant's
// own Liquid text, recipients from the order or from identities the customer linked, the channels' policies
// (Messenger's 24-hour window and tags), and opt-outs (STOP, unsubscribe links, hard bounces).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantSetup, TestHub } from './support/hub.js';
import { setUpMerchant, startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';

interface Msg {
  id: string;
  direction: string;
  channel: string;
  recipient: string | null;
  status: string;
  reason: string | null;
  error_code: string | null;
  order_id: string | null;
  template_name: string | null;
  content: Record<string, unknown> | null;
}

const hex = (n: number) => randomBytes(n).toString('hex');

describe('notifications on SMS, e-mail, LINE and Messenger', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ name: 'sqlite', db: 'sqlite', redis: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  const messages = async (key: string, orderId?: string) =>
    (await t.api<{ data: Msg[] }>('GET', `/v1/messages?limit=200${orderId ? `&order_id=${orderId}` : ''}`, key)).body.data;
  const orderByName = async (key: string, name: string) => {
    const res = await t.api<{ data: Array<{ id: string; name: string }> }>('GET', `/v1/orders?query=${encodeURIComponent(name)}`, key);
    return res.body.data[0] ?? null;
  };
  const messageFor = (key: string, name: string, channel: string) => async () => {
    const order = await orderByName(key, name);
    if (!order) return null;
    return (await messages(key, order.id)).find((m) => m.channel === channel && m.direction === 'outbound') ?? null;
  };

  describe('SMS through a Twilio-style API', () => {
    let m: MerchantSetup;
    let account: { id: string; webhook_url: string; settings: Record<string, string> };
    const accountSid = `AC${hex(16)}`;
    const authToken = hex(16);
    const from = '+15005550006';

    beforeAll(async () => {
      m = await setUpMerchant(t, { enable: false });
      t.twilio.addAccount({ accountSid, authToken, numbers: [from] });
    });

    it('verifies the account when it is saved', async () => {
      const refused = await t.api<{ error: { code: string; message: string } }>('POST', '/v1/channel-accounts', m.key, { channel: 'sms', provider: 'twilio', account_sid: accountSid, auth_token: 'wrong-token-123', from });
      expect(refused.status).toBe(422);
      expect(refused.body.error.message).toMatch(/Twilio/);
      const badSid = await t.api<{ error: { message: string } }>('POST', '/v1/channel-accounts', m.key, { channel: 'sms', provider: 'twilio', account_sid: 'nope', auth_token: authToken, from });
      expect(badSid.status).toBe(400);
      expect(badSid.body.error.message).toContain('account_sid');
      const created = await t.api<typeof account>('POST', '/v1/channel-accounts', m.key, { channel: 'sms', provider: 'twilio', account_sid: accountSid, auth_token: authToken, from });
      expect(created.status).toBe(201);
      account = created.body;
      expect(account.webhook_url).toMatch(/\/webhooks\/sms\/ca_/);
      expect(account.settings['statusCallbackUrl']).toBe(account.webhook_url);
      t.twilio.setSmsUrl(from, account.webhook_url);
    });

    it('sends the built-in text in the chosen language, and tracks its delivery', async () => {
      const bad = await t.api<{ error: { message: string } }>('PUT', '/v1/notification-settings/order.placed/sms', m.key, { enabled: true, template: { language: 'de' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('template.language');
      const named = await t.api<{ error: { message: string } }>('PUT', '/v1/notification-settings/order.placed/sms', m.key, { enabled: true, template: { name: 'order_placed' } });
      expect(named.status).toBe(400);
      expect(named.body.error.message).toMatch(/SMS has no provider templates/);

      const enabled = await t.api<{ preview: string; template: { name: string; language: string } }>('PUT', '/v1/notification-settings/order.placed/sms', m.key, { enabled: true, template: { language: 'pl' } });
      expect(enabled.status).toBe(200);
      expect(enabled.body.template).toMatchObject({ name: 'builtin', language: 'pl' });
      expect(enabled.body.preview).toContain('dziękujemy za zamówienie ORD123456');

      const { order } = await t.shopify.placeOrder(m.shop, { phone: '+48 601 234 567' });
      const sent = await waitFor(async () => {
        const msg = await messageFor(m.key, order.name, 'sms')();
        return msg?.status === 'delivered' ? msg : null;
      }, { what: 'a delivered SMS' });
      expect(sent.recipient).toBe('48601234567');
      const [sms] = t.twilio.messages('+48601234567');
      expect(sms!.body).toContain(`dziękujemy za zamówienie ${order.name}`);
      expect(sms!.from).toBe(from);
    });

    it('honours STOP and START from the customer', async () => {
      const stop = await t.twilio.emitInbound({ from: '+48601234567', to: from, body: 'STOP' });
      expect(stop.status).toBe(200);
      await waitFor(async () => (await t.api<{ data: Array<{ address: string; source: string }> }>('GET', '/v1/opt-outs?channel=sms', m.key)).body.data.find((o) => o.address === '48601234567'), {
        what: 'the opt-out',
      });
      const { order } = await t.shopify.placeOrder(m.shop, { phone: '+48 601 234 567' });
      const skipped = await waitFor(messageFor(m.key, order.name, 'sms'), { what: 'the skipped SMS' });
      expect(skipped).toMatchObject({ status: 'skipped' });
      expect(skipped.reason).toMatch(/opted out of SMS messages/);

      await t.twilio.emitInbound({ from: '+48601234567', to: from, body: 'start' });
      await waitFor(async () => (await t.api<{ data: unknown[] }>('GET', '/v1/opt-outs?channel=sms', m.key)).body.data.length === 0 || null, { what: 'the opt-in' });
    });
  });

  describe('e-mail over SMTP', () => {
    let m: MerchantSetup;
    let account: { id: string; webhook_url: string; webhook_secret: string };
    const username = `shop-${hex(4)}`;
    const password = hex(12);

    beforeAll(async () => {
      m = await setUpMerchant(t, { enable: false });
      t.smtp.addAccount({ username, password });
    });

    it('checks the login when the account is saved', async () => {
      const base = { channel: 'email', provider: 'smtp', host: '127.0.0.1', port: t.smtpPort, security: 'none', username, from_address: 'orders@kapaskraft.example', from_name: 'KapasKraft' };
      const refused = await t.api<{ error: { message: string } }>('POST', '/v1/channel-accounts', m.key, { ...base, password: 'wrong-password' });
      expect(refused.status).toBe(422);
      expect(refused.body.error.message).toMatch(/username or password/);
      const created = await t.api<typeof account>('POST', '/v1/channel-accounts', m.key, { ...base, password });
      expect(created.status).toBe(201);
      account = created.body;
      expect(account.webhook_secret).toMatch(/^whsec_/);
      expect(account.webhook_url).toMatch(/\/webhooks\/email\/ca_/);
      t.smtp.addAccount({ username, password, webhookUrl: account.webhook_url, webhookSecret: account.webhook_secret });
    });

    it('refuses a template with an unknown variable, naming it', async () => {
      const res = await t.api<{ error: { message: string; details: { fields: Array<{ field: string }> } } }>('PUT', '/v1/notification-settings/order.placed/email', m.key, {
        enabled: true,
        template: { subject: 'Order {{ customer_order_id }}', body: 'Hello {{ first_name }}' },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields[0]!.field).toBe('template.body');
      expect(res.body.error.message).toContain('first_name');
    });

    it('sends the merchant’s own text with a one-click unsubscribe link that works', async () => {
      const enabled = await t.api<{ preview: string; template: { body: string } }>('PUT', '/v1/notification-settings/order.placed/email', m.key, {
        enabled: true,
        template: { subject: '{{ brand }}: order {{ customer_order_id }}', body: 'Dear {{ customer_name }}, your order {{ customer_order_id }} is confirmed.{% if order_total %} Total {{ order_total }}.{% endif %}' },
      });
      expect(enabled.status).toBe(200);
      expect(enabled.body.preview).toContain('Dear Asha Verma, your order ORD123456 is confirmed. Total ₹998.00.');

      const { order } = await t.shopify.placeOrder(m.shop, { email: 'Buyer.One@Example.com' });
      const sent = await waitFor(async () => {
        const msg = await messageFor(m.key, order.name, 'email')();
        return msg?.status === 'sent' ? msg : null;
      }, { what: 'a sent e-mail' });
      expect(sent.recipient).toBe('buyer.one@example.com');
      const [mail] = t.smtp.messages('buyer.one@example.com');
      expect(mail!.subject).toContain(`order ${order.name}`);
      expect(mail!.text).toContain(`your order ${order.name} is confirmed`);
      expect(mail!.html).toContain('<p>');
      expect(mail!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      const link = /<(https?:\/\/[^>]+\/unsubscribe\/[^>]+)>/.exec(mail!.listUnsubscribe ?? '')![1]!;

      const page = await fetch(link);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<form method="post">');
      expect((await t.api<{ data: unknown[] }>('GET', '/v1/opt-outs?channel=email', m.key)).body.data).toHaveLength(0);
      expect((await fetch(link.slice(0, -3) + 'xyz', { method: 'POST' })).status).toBe(404);
      const unsubscribed = await fetch(link, { method: 'POST' });
      expect(unsubscribed.status).toBe(200);
      const optOuts = await t.api<{ data: Array<{ address: string; source: string }> }>('GET', '/v1/opt-outs?channel=email', m.key);
      expect(optOuts.body.data).toEqual([expect.objectContaining({ address: 'buyer.one@example.com', source: 'email:unsubscribe-link' })]);

      const again = await t.shopify.placeOrder(m.shop, { email: 'buyer.one@example.com' });
      const skipped = await waitFor(messageFor(m.key, again.order.name, 'email'), { what: 'the skipped e-mail' });
      expect(skipped.status).toBe('skipped');
      expect(skipped.reason).toMatch(/opted out of e-mail messages/);
    });

    it('turns a hard bounce into a failed message and stops mailing the address', async () => {
      const { order } = await t.shopify.placeOrder(m.shop, { email: 'gone@example.com' });
      const sent = await waitFor(async () => {
        const msg = await messageFor(m.key, order.name, 'email')();
        return msg?.status === 'sent' ? msg : null;
      }, { what: 'the e-mail' });
      const [mail] = t.smtp.messages('gone@example.com');
      expect(await t.smtp.emitBounce({ messageId: mail!.id, recipient: 'gone@example.com', smtpCode: 550, diagnostic: '5.1.1 mailbox does not exist' })).toBe(200);
      const failed = await waitFor(async () => ((await messages(m.key, sent.order_id!)).find((x) => x.id === sent.id && x.status === 'failed')) ?? null, { what: 'the bounce' });
      expect(failed).toMatchObject({ error_code: '550' });
      const optOuts = await t.api<{ data: Array<{ address: string; source: string }> }>('GET', '/v1/opt-outs?channel=email', m.key);
      expect(optOuts.body.data.map((o) => o.source)).toContain('email:bounce 550');
    });
  });

  describe('LINE and Messenger, to customers who linked their chat account', () => {
    let key: string;
    let connection: { id: string; webhook_url: string };
    let line: { id: string; webhook_url: string };
    let messenger: { id: string; webhook_url: string };
    const domain = `shop-${hex(3)}.cyberbiz.co`;
    const lineChannel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Demo LINE shop' };
    const page = { pageId: '1487925408777967', name: 'Demo Page', pageAccessToken: `EAAP${hex(12)}`, appSecret: hex(12) };
    const lineUser = `U${hex(16)}`;
    const psid = '6602407863220595';

    beforeAll(async () => {
      const ws = await t.hub.workspaces.createWorkspace('Taipei Tea');
      key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
      const accessToken = `eyJ${hex(16)}`;
      const appSecret = hex(16);
      t.cyberbiz.addShop({ domain, name: 'Taipei Tea', accessToken, appSecret });
      const c = await t.api<typeof connection>('POST', '/v1/store-connections', key, { platform: 'cyberbiz', shop_domain: domain, access_token: accessToken, app_secret: appSecret });
      expect(c.status).toBe(201);
      connection = c.body;
      t.cyberbiz.addShop({ domain, name: 'Taipei Tea', accessToken, appSecret, webhookUrl: connection.webhook_url });
      t.line.addChannel(lineChannel);
      line = (await t.api<typeof line>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: lineChannel.channelAccessToken, channel_secret: lineChannel.channelSecret })).body;
      t.messenger.addPage(page);
      messenger = (await t.api<typeof messenger>('POST', '/v1/channel-accounts', key, { channel: 'messenger', provider: 'meta-messenger', page_id: page.pageId, page_access_token: page.pageAccessToken, app_secret: page.appSecret })).body;
      t.messenger.addPage({ ...page, webhookUrl: messenger.webhook_url });
    });

    it('pushes the Traditional Chinese text on LINE to the linked member, and explains a customer who did not link', async () => {
      const enabled = await t.api<{ preview: string }>('PUT', '/v1/notification-settings/order.placed/line', key, { enabled: true, template: { language: 'zh-TW' } });
      expect(enabled.status).toBe(200);
      expect(enabled.body.preview).toContain('感謝您在 KapasKraft 訂購');

      const linkedOrder = t.cyberbiz.createOrder(domain);
      const customer = await t.api<{ id: string; identities: Array<{ kind: string }> }>('POST', '/v1/customers', key, {
        name: 'Lin Mei',
        identities: [
          { kind: 'store', value: String(linkedOrder.customer!.id), store_connection_id: connection.id },
          { kind: 'line', value: lineUser, channel_account_id: line.id },
          { kind: 'messenger', value: psid, channel_account_id: messenger.id },
        ],
      });
      expect(customer.status).toBe(201);
      const taken = await t.api<{ error: { code: string } }>('POST', '/v1/customers', key, { identities: [{ kind: 'line', value: lineUser, channel_account_id: line.id }] });
      expect(taken.status).toBe(409);
      const wrongScope = await t.api<{ error: { message: string } }>('POST', '/v1/customers', key, { identities: [{ kind: 'line', value: lineUser, channel_account_id: messenger.id }] });
      expect(wrongScope.status).toBe(400);
      expect(wrongScope.body.error.message).toContain('channel_account_id');

      await t.cyberbiz.emitOrderEvent(linkedOrder.id, 'orders/create');
      const sent = await waitFor(async () => {
        const msg = await messageFor(key, String(linkedOrder.order_number), 'line')();
        return msg?.status === 'sent' ? msg : null;
      }, { what: 'the LINE push' });
      expect(sent.recipient).toBe(lineUser);
      const push = t.line.requests('/v2/bot/message/push').map((r) => r.json as { to: string; messages: Array<{ text: string }> }).find((b) => b.to === lineUser);
      expect(push!.messages[0]!.text).toContain(`訂單編號 ${linkedOrder.order_number}`);

      const stranger = t.cyberbiz.createOrder(domain);
      await t.cyberbiz.emitOrderEvent(stranger.id, 'orders/create');
      const skipped = await waitFor(messageFor(key, String(stranger.order_number), 'line'), { what: 'the skipped LINE message' });
      expect(skipped.status).toBe('skipped');
      expect(skipped.reason).toMatch(/has not linked a LINE account/);
    });

    it('tags Messenger updates outside the 24-hour window and answers normally inside it', async () => {
      const enabled = await t.api('PUT', '/v1/notification-settings/order.shipped/messenger', key, { enabled: true });
      expect(enabled.status).toBe(200);
      const points = await t.api<{ error: { message: string } }>('PUT', '/v1/notification-settings/points.earned/messenger', key, { enabled: true });
      expect(points.status).toBe(400);

      const customer = (await t.api<{ data: Array<{ identities: Array<{ kind: string; value: string }> }> }>('GET', `/v1/customers?query=${psid}`, key)).body.data[0]!;
      const storeId = customer.identities.find((i) => i.kind === 'store')!.value;
      // The customer wrote to the page two days ago: known to it, but outside the 24-hour window.
      t.messenger.registerPsid(page.pageId, psid, Date.now() - 48 * 3600_000);
      const template = t.cyberbiz.createOrder(domain).customer!;
      const first = t.cyberbiz.createOrder(domain, { customer: { ...template, id: Number(storeId) } });
      await t.cyberbiz.emitOrderEvent(first.id, 'orders/fulfilled', { tracking: { number: 'TW123456' } });
      const tagged = await waitFor(async () => {
        const msg = await messageFor(key, String(first.order_number), 'messenger')();
        return msg?.status === 'sent' || msg?.status === 'delivered' ? msg : null;
      }, { what: 'the tagged Messenger update' });
      expect(tagged.content).toMatchObject({ kind: 'native', body: { messaging_type: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE' } });
      expect(String((tagged.content!['body'] as { message: { text: string } }).message.text)).toContain('TW123456');

      await t.messenger.emitInbound({ pageId: page.pageId, psid, text: 'thanks!' });
      await waitFor(async () => (await messages(key)).find((x) => x.direction === 'inbound' && x.recipient === psid) ?? null, { what: 'the inbound message' });
      const second = t.cyberbiz.createOrder(domain, { customer: first.customer });
      await t.cyberbiz.emitOrderEvent(second.id, 'orders/fulfilled');
      const inWindow = await waitFor(async () => {
        const msg = await messageFor(key, String(second.order_number), 'messenger')();
        return msg?.status === 'sent' || msg?.status === 'delivered' ? msg : null;
      }, { what: 'the Messenger reply inside the window' });
      expect(inWindow.content).toMatchObject({ kind: 'native', body: { messaging_type: 'RESPONSE' } });
      expect(t.messenger.messages(psid).length).toBeGreaterThanOrEqual(2);
    });
  });
});
