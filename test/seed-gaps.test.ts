// Seed statements that did not hold end to end: 91APP account linking through Member Connect Cloud, events
// addressed to a store customer (CYBERBIZ coupons and bonus points), SHOPLINE's loyalty, credit, coupon and
// delivered webhooks, Eshopbox's shared WhatsApp account, the brand variable, the hub's own loyalty events on
// WhatsApp, SMS and e-mail, and Gupshup's number check.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { hubVariants } from './support/variants.js';
import { sayOnLine, texts } from './support/chat.js';

const hex = (n: number) => randomBytes(n).toString('hex');

const variants = hubVariants('redis');

describe.each(variants)('seed gaps ($name)', (variant) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub(variant);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function workspace(name: string) {
    const ws = await t.hub.workspaces.createWorkspace(name);
    const key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    return { id: ws.id, key };
  }

  async function lineAccount(key: string) {
    const channel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Shop LINE' };
    t.line.addChannel(channel);
    const account = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'line', provider: 'line', channel_access_token: channel.channelAccessToken, channel_secret: channel.channelSecret })).body;
    t.line.addChannel({ ...channel, webhookUrl: account.webhook_url });
    return { ...channel, id: account.id };
  }

  async function smsAccount(key: string) {
    const sms = { accountSid: `AC${hex(16)}`, authToken: hex(16), from: '+15005550009' };
    t.twilio.addAccount({ accountSid: sms.accountSid, authToken: sms.authToken, numbers: [sms.from] });
    const res = await t.api<{ id: string }>('POST', '/v1/channel-accounts', key, { channel: 'sms', provider: 'twilio', account_sid: sms.accountSid, auth_token: sms.authToken, from: sms.from });
    expect(res.status).toBe(201);
    return { ...sms, id: res.body.id };
  }

  const lineSays = (line: { botUserId: string }, user: string, input: { text?: string; postbackData?: string }) => sayOnLine(t, line.botUserId, user, input);

  it('links a LINE user to a 91APP member found through Member Connect Cloud', async () => {
    const { key } = await workspace('Ninety Tea');
    const shopId = String(40000 + Math.floor(Math.random() * 9999));
    const apiKey = hex(16);
    t.app91.addShop({ shopId, apiKey });
    const conn = await t.api<{ id: string }>('POST', '/v1/store-connections', key, { platform: '91app', shop_id: shopId, api_key: apiKey });
    expect(conn.status).toBe(201);
    const member = t.app91.addMember(shopId, { name: 'Wang Li', email: 'li@example.tw', cellphone: '0912000333' });
    const line = await lineAccount(key);
    await smsAccount(key);
    expect((await t.api('PUT', '/v1/chat-settings', key, { linking: { store_connection_id: conn.body.id, verify_by: 'sms' } })).status).toBe(200);

    const user = `U${hex(16)}`;
    await lineSays(line, user, { postbackData: 'a:link_account' });
    const asked = await lineSays(line, user, { text: '+886912000333' });
    expect(texts(asked)).toMatch(/6-digit code/);
    const sms = await waitFor(() => t.twilio.messages('+886912000333')[0] ?? null, { what: 'the SMS code' });
    const code = /\b(\d{6})\b/.exec(sms.body)![1]!;
    const linked = await lineSays(line, user, { text: code });
    expect(texts(linked)).toMatch(/Your account is linked/);
    const customers = await t.api<{ data: Array<{ identities: Array<{ kind: string; value: string; store_connection_id: string | null }> }> }>('GET', `/v1/customers?query=${user}`, key);
    expect(customers.body.data[0]!.identities).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'store', value: member.memberId, store_connection_id: conn.body.id })]));
  });

  async function cyberbizShop(key: string) {
    const domain = `gaps-${hex(3)}.cyberbiz.co`;
    const token = `eyJ${hex(16)}`;
    const secret = hex(16);
    t.cyberbiz.addShop({ domain, name: 'Gaps Tea', accessToken: token, appSecret: secret });
    const conn = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/store-connections', key, { platform: 'cyberbiz', shop_domain: domain, access_token: token, app_secret: secret })).body;
    t.cyberbiz.addShop({ domain, name: 'Gaps Tea', accessToken: token, appSecret: secret, webhookUrl: conn.webhook_url });
    return { domain, id: conn.id };
  }

  it('sends CYBERBIZ coupons and bonus points addressed to a store customer to their linked LINE chat', async () => {
    const { key } = await workspace('Coupon Tea');
    const shop = await cyberbizShop(key);
    const line = await lineAccount(key);
    const storeCustomer = t.cyberbiz.addCustomer(shop.domain, { name: 'Lin Mei', email: `mei-${hex(3)}@example.tw`, mobile: '0912000444' });
    const user = `U${hex(16)}`;
    const created = await t.api('POST', '/v1/customers', key, {
      name: 'Lin Mei',
      identities: [
        { kind: 'line', value: user, channel_account_id: line.id },
        { kind: 'store', value: String(storeCustomer.id), store_connection_id: shop.id },
      ],
    });
    expect(created.status).toBe(201);
    for (const type of ['coupon.issued', 'points.earned', 'points.spent']) {
      expect((await t.api('PUT', `/v1/notification-settings/${type}/line`, key, { enabled: true })).status).toBe(200);
    }
    await t.cyberbiz.emitCoupon(shop.domain, { customer_id: storeCustomer.id, code: 'BDAY-777' });
    const coupon = await waitFor(() => t.line.messages(user).find((m) => (m.text ?? '').includes('BDAY-777')) ?? null, { what: 'the coupon on LINE' });
    // {{ brand }} without a brand setting is the store's name as CYBERBIZ reports it, never the workspace's own name.
    expect(coupon.text).toContain('Gaps Tea');
    expect(coupon.text).not.toContain('Coupon Tea');
    await t.cyberbiz.emitBonusPoints(shop.domain, { customer_id: storeCustomer.id, points: 120 });
    await waitFor(() => t.line.messages(user).find((m) => (m.text ?? '').includes('120 points')) ?? null, { what: 'points received on LINE' });
    await t.cyberbiz.emitBonusPoints(shop.domain, { customer_id: storeCustomer.id, points: -30 });
    await waitFor(() => t.line.messages(user).find((m) => (m.text ?? '').includes('used 30 points')) ?? null, { what: 'points used on LINE' });
  });

  it('raises the loyalty programme’s own point events, on LINE, WhatsApp, SMS and e-mail but never Messenger', async () => {
    const { key } = await workspace('Points Tea');
    const matrix = await t.api<{ data: Array<{ event_type: string; channel: string; supported: boolean; platforms: string[] }> }>('GET', '/v1/notification-matrix', key);
    const cell = (type: string, channel: string) => matrix.body.data.find((c) => c.event_type === type && c.channel === channel)!;
    for (const channel of ['whatsapp', 'sms', 'email', 'line']) {
      for (const type of ['points.earned', 'points.spent', 'coupon.issued']) expect(cell(type, channel)).toMatchObject({ supported: true, platforms: expect.arrayContaining(['loyalty']) });
    }
    expect(cell('points.earned', 'messenger').supported).toBe(false);

    const line = await lineAccount(key);
    expect((await t.api('PUT', '/v1/chat-settings', key, { loyalty: { enabled: true, points_per_unit: '1', signup_bonus: 50, prizes: [{ id: 'tote', name: 'Tote bag', cost: 40, reward: { kind: 'code', code: 'TOTE-1' } }] } })).status).toBe(200);
    for (const type of ['points.earned', 'points.spent']) expect((await t.api('PUT', `/v1/notification-settings/${type}/line`, key, { enabled: true })).status).toBe(200);
    const user = `U${hex(16)}`;
    await lineSays(line, user, { postbackData: 'a:loyalty_join' });
    await lineSays(line, user, { text: `new-${hex(3)}@example.com` });
    await waitFor(() => t.line.messages(user).find((m) => (m.text ?? '').includes('you received 50 points')) ?? null, { what: 'the sign-up bonus notification' });
    await lineSays(line, user, { postbackData: 'loyalty:prize:tote' });
    await waitFor(() => t.line.messages(user).find((m) => (m.text ?? '').includes('you used 40 points')) ?? null, { what: 'the points used notification' });
    // Each change is one event: one notification, however often the chat repeats itself.
    await lineSays(line, user, { postbackData: 'a:loyalty_balance' });
    expect(t.line.messages(user).filter((m) => (m.text ?? '').includes('you received 50 points'))).toHaveLength(1);
    expect(t.line.messages(user).filter((m) => (m.text ?? '').includes('you used 40 points'))).toHaveLength(1);
  });

  it('fills {{ brand }} from the workspace’s brand setting, and from the shipment’s brand when the store sends one', async () => {
    const { key } = await workspace('Ops team 7');
    const patched = await t.api<{ name: string; brand_name: string | null }>('PATCH', '/v1/workspace', key, { brand_name: '  Lotus Tea ' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Ops team 7', brand_name: 'Lotus Tea' });
    expect((await t.api('PATCH', '/v1/workspace', key, { name: '' })).status).toBe(400);
    const shop = await cyberbizShop(key);
    const line = await lineAccount(key);
    const storeCustomer = t.cyberbiz.addCustomer(shop.domain, { name: 'Lin Mei', email: `mei-${hex(3)}@example.tw`, mobile: '0912000555' });
    const user = `U${hex(16)}`;
    await t.api('POST', '/v1/customers', key, { identities: [{ kind: 'line', value: user, channel_account_id: line.id }, { kind: 'store', value: String(storeCustomer.id), store_connection_id: shop.id }] });
    expect((await t.api('PUT', '/v1/notification-settings/coupon.issued/line', key, { enabled: true })).status).toBe(200);
    await t.cyberbiz.emitCoupon(shop.domain, { customer_id: storeCustomer.id, code: 'LOTUS-1' });
    const coupon = await waitFor(() => t.line.messages(user).find((m) => (m.text ?? '').includes('LOTUS-1')) ?? null, { what: 'the coupon on LINE' });
    expect(coupon.text).toContain('Lotus Tea');
    expect(coupon.text).not.toContain('Ops team 7');
  });

  async function gupshupAccount(key: string, owner: 'merchant' | 'platform') {
    const appName = `app${hex(3)}`;
    const apiKey = `gs_${hex(16)}`;
    const source = `9199${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    t.gupshup.addApp({ appName, apiKey, sourceNumber: source });
    const res = await t.api<{ id: string; callback_url: string }>('POST', '/v1/channel-accounts', key, { channel: 'whatsapp', provider: 'gupshup', owner, name: owner === 'platform' ? 'Eshopbox shared number' : 'Own number', app_name: appName, source_number: `+${source}`, api_key: apiKey });
    expect(res.status).toBe(201);
    t.gupshup.setCallbackUrl(appName, res.body.callback_url);
    return { appName, id: res.body.id };
  }

  it('enables notifications through the shared Gupshup account with the platform’s approved templates, and the own account by template id', async () => {
    const { key } = await workspace('Shared sender');
    const shared = await gupshupAccount(key, 'platform');
    t.gupshup.upsertTemplate(shared.appName, { elementName: 'order_shipped', status: 'APPROVED', data: 'Hi {{1}}, your {{2}} order {{3}} is on its way.' });
    // No template asked of the merchant: the platform's approved template for the event is used.
    const enabled = await t.api<{ enabled: boolean; template: { name: string; id: string }; preview: string | null }>('PUT', '/v1/notification-settings/order.shipped/whatsapp', key, {
      enabled: true,
      confirm_charges: true,
      variables: { '2': 'brand', '3': 'customer_order_id' },
    });
    expect(enabled.status).toBe(200);
    expect(enabled.body.template.name).toBe('order_shipped');
    // An event the platform has no approved template for is refused with the reason.
    const missing = await t.api<{ error: { message: string } }>('PUT', '/v1/notification-settings/order.delivered/whatsapp', key, { enabled: true, confirm_charges: true });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.status).toBeLessThan(500);
    expect(missing.body.error.message).toMatch(/no approved template order_delivered/);

    // The Eshopbox shipment carries its brand; {{ brand }} is that brand.
    const eshop = { workspace: `shared${hex(2)}`, clientId: `cid-${hex(4)}`, clientSecret: hex(12), refreshToken: hex(16) };
    t.eshopbox.addAccount(eshop);
    const conn = (await t.api<{ id: string; webhook_url: string; webhook_headers: Record<string, string> }>('POST', '/v1/store-connections', key, { platform: 'eshopbox', workspace: eshop.workspace, client_id: eshop.clientId, client_secret: eshop.clientSecret, refresh_token: eshop.refreshToken })).body;
    t.eshopbox.registerWebhook(eshop.workspace, { resource: 'shipment', eventType: 'PUT', version: 'v1', webhookUrl: conn.webhook_url, webhookMethod: 'POST', webhookHeaders: conn.webhook_headers });
    const phone = `98765${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    const shipment = t.eshopbox.createShipment(eshop.workspace, { shippingAddress: { contactPhone: phone } });
    await t.eshopbox.advance(eshop.workspace, shipment.shipmentId, 'dispatched');
    const sent = await waitFor(() => t.gupshup.messages(`91${phone}`)[0] ?? null, { what: 'the shipped message through the shared account' });
    expect(sent.renderedText).toContain('your KapasKraft order');

    // The merchant's own Gupshup account: a template is required, by name or by the id Gupshup shows.
    const own = await workspace('Own sender');
    const mine = await gupshupAccount(own.key, 'merchant');
    const none = await t.api<{ error: { message: string } }>('PUT', '/v1/notification-settings/order.placed/whatsapp', own.key, { enabled: true });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/^template\.name: the name or id of an approved WhatsApp template is required/);
    const template = t.gupshup.listTemplates(mine.appName).find((x) => x.elementName === 'order_placed')!;
    const byId = await t.api<{ template: { name: string; id: string } }>('PUT', '/v1/notification-settings/order.placed/whatsapp', own.key, { enabled: true, template: { id: template.id } });
    expect(byId.status).toBe(200);
    expect(byId.body.template).toMatchObject({ name: 'order_placed', id: template.id });
    const wrongId = await t.api('PUT', '/v1/notification-settings/order.placed/whatsapp', own.key, { enabled: true, template: { id: 'no-such-template' } });
    expect(wrongId.status).toBe(422);
  });

  it('says a Gupshup number is not verified until a test message from it is accepted', async () => {
    const { key } = await workspace('Number check');
    const appName = `app${hex(3)}`;
    const apiKey = `gs_${hex(16)}`;
    t.gupshup.addApp({ appName, apiKey, sourceNumber: '919900112299' });
    // A number that is not the app's: Gupshup has no API to tell, so the account is saved, and says so.
    const wrong = await t.api<{ id: string; number_check: { state: string; note: string | null } }>('POST', '/v1/channel-accounts', key, { channel: 'whatsapp', provider: 'gupshup', app_name: appName, source_number: '+919900110000', api_key: apiKey });
    expect(wrong.status).toBe(201);
    expect(wrong.body.number_check).toEqual({ state: 'unverified', note: 'number not verified — send a test message' });
    expect((await t.api('PUT', '/v1/notification-settings/order.placed/whatsapp', key, { enabled: true, template: { name: 'order_placed' } })).status).toBe(200);
    const failed = await t.api<{ status: string }>('POST', '/v1/notification-settings/order.placed/whatsapp/test-send', key, { to: '+919876512345' });
    expect(failed.body.status).toBe('failed');
    const afterFail = await t.api<{ number_check: { state: string; note: string } }>('GET', `/v1/channel-accounts/${wrong.body.id}`, key);
    expect(afterFail.body.number_check.state).toBe('unverified');
    expect(afterFail.body.number_check.note).toMatch(/^number not verified — the last test message failed: .*source/i);

    // The app's own number: the accepted test message is the proof.
    expect((await t.api('DELETE', `/v1/channel-accounts/${wrong.body.id}`, key)).status).toBe(204);
    const right = await t.api<{ id: string }>('POST', '/v1/channel-accounts', key, { channel: 'whatsapp', provider: 'gupshup', name: 'Right number', app_name: appName, source_number: '+919900112299', api_key: apiKey });
    expect(right.status).toBe(201);
    expect((await t.api('PUT', '/v1/notification-settings/order.placed/whatsapp', key, { enabled: true, channel_account_id: right.body.id, template: { name: 'order_placed' } })).status).toBe(200);
    const ok = await t.api<{ status: string }>('POST', '/v1/notification-settings/order.placed/whatsapp/test-send', key, { to: '+919876512345' });
    expect(ok.body.status).toBe('sent');
    const verified = await t.api<{ number_check: { state: string; note: string | null } }>('GET', `/v1/channel-accounts/${right.body.id}`, key);
    expect(verified.body.number_check).toEqual({ state: 'verified', note: null });
  });

  it('maps SHOPLINE’s points, store credits, customer coupons and delivered fulfillments to LINE notifications', async () => {
    const { key } = await workspace('Shopline Tea');
    const handle = `gaps${hex(3)}`;
    const accessToken = `slt_${hex(16)}`;
    const appSecret = hex(16);
    t.shopline.addStore({ handle, accessToken, appSecret });
    const conn = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/store-connections', key, { platform: 'shopline', handle, access_token: accessToken, app_secret: appSecret })).body;
    const topics = ['orders/create', 'app_memberSystem_points/challenged', 'app_memberSystem_shoppingCredit/challenged', 'user_coupon/create', 'fulfillments/update'];
    t.shopline.addStore({ handle, accessToken, appSecret, subscriptions: topics.map((topic) => ({ topic: topic.toLowerCase(), address: conn.webhook_url })) });
    const line = await lineAccount(key);
    const buyer = String(2404700000 + Math.floor(Math.random() * 99999));
    const user = `U${hex(16)}`;
    await t.api('POST', '/v1/customers', key, { identities: [{ kind: 'line', value: user, channel_account_id: line.id }, { kind: 'store', value: buyer, store_connection_id: conn.id }] });
    for (const type of ['points.earned', 'points.spent', 'credits.earned', 'coupon.issued', 'order.delivered']) {
      expect((await t.api('PUT', `/v1/notification-settings/${type}/line`, key, { enabled: true })).status).toBe(200);
    }
    const said = (needle: string) => waitFor(() => t.line.messages(user).find((m) => (m.text ?? '').includes(needle)) ?? null, { what: `"${needle}" on LINE` });

    await t.shopline.sendWebhook(handle, 'app_memberSystem_points/challenged', { buyer_id: buyer, points_balance: 320, update_type: 'INCREASE', update_value: 120, updated_at: Date.now(), updated_scene: 'SUCCESSFUL_ORDERS', store_id: '1718263946864' });
    await said('you received 120 points');
    await t.shopline.sendWebhook(handle, 'app_memberSystem_points/challenged', { buyer_id: buyer, points_balance: 300, update_type: 'DECREASE', update_value: 20, updated_at: Date.now(), store_id: '1718263946864' });
    await said('you used 20 points');
    await t.shopline.sendWebhook(handle, 'app_memberSystem_shoppingCredit/challenged', { buyer_id: buyer, current_balance: 15000, update_type: 'INCREASE', update_value: 5000, store_credits_update_reason: 'reward', updated_at: Date.now(), store_id: '1718263946864' });
    await said('you received 50.00 in reward credits');
    await t.shopline.sendWebhook(handle, 'user_coupon/create', { user_id: buyer, code: 'SL-THANKS', title: 'Thank you', created_at: new Date().toISOString() });
    await said('SL-THANKS');

    const { order } = await t.shopline.placeOrder(handle, { customer: { id: buyer } } as never);
    // The fulfillment names the order by its id: the order is recorded first, as it is when SHOPLINE sends them.
    await waitFor(async () => ((await t.api<{ data: unknown[] }>('GET', `/v1/orders?query=${encodeURIComponent(String(order.name))}`, key)).body.data.length > 0 ? true : null), { what: 'the order recorded' });
    await t.shopline.sendWebhook(handle, 'fulfillments/update', { id: `f${hex(4)}`, order_id: order.id, status: 'success', shipment_status: 'delivered', tracking_number: 'SF123', updated_at: new Date().toISOString() });
    await waitFor(() => t.line.messages(user).find((m) => (m.text ?? '').toLowerCase().includes('delivered')) ?? null, { what: 'order delivered on LINE' });
  });
});
