// Conversations end to end through the channel simulators: a customer's messages in, the hub's replies out.
// Account linking on LINE (terms, SMS code, wrong and expired codes, a restart mid-flow, an account created for
// someone the store does not know), order history, failed-delivery answers on WhatsApp performed with Eshopbox,
// the unexpected and the hand-over to an agent, and the loyalty programme on Messenger (deep link, claims once
// even when they race, a foreign order, insufficient balance, redeem, refund).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from './support/hub.js';
import { startTestHub } from './support/hub.js';
import { waitFor } from './support/services.js';
import { hubVariants } from './support/variants.js';
import { connectLine, connectMessenger, sayOnLine, texts } from './support/chat.js';

const hex = (n: number) => randomBytes(n).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Customer {
  id: string;
  identities: Array<{ kind: string; value: string; channel_account_id: string | null; store_connection_id: string | null }>;
}

const variants = hubVariants('redis');

describe.each(variants)('conversations in chat ($name)', (variant) => {
  let t: TestHub;
  let key: string;
  let workspaceId: string;
  const domain = `chat-${hex(3)}.cyberbiz.co`;
  let cyberbiz: { id: string };
  const lineChannel = { channelAccessToken: `line_${hex(16)}`, channelSecret: hex(16), botUserId: `U${hex(16)}`, displayName: 'Tea LINE' };
  let line: { id: string; webhook_url: string };
  const page = { pageId: '1487925408000111', name: 'Tea Page', pageAccessToken: `EAAP${hex(12)}`, appSecret: hex(12) };
  let messenger: { id: string; webhook_url: string };
  const wa = { phoneNumberId: '106540352249999', wabaId: '102290129349999', accessToken: `EAAG${hex(16)}`, appSecret: hex(16) };
  let whatsapp: { id: string; webhook_url: string };
  const sms = { accountSid: `AC${hex(16)}`, authToken: hex(16), from: '+15005550009' };
  const eshop = { workspace: `acme${hex(2)}`, clientId: `cid-${hex(4)}`, clientSecret: hex(12), refreshToken: hex(16) };
  let eshopbox: { id: string; webhook_url: string; webhook_headers: Record<string, string> };

  beforeAll(async () => {
    t = await startTestHub(variant);
    const ws = await t.hub.workspaces.createWorkspace('Tea House');
    workspaceId = ws.id;
    key = (await t.hub.workspaces.createApiKey(ws.id, 'tests')).key;
    const token = `eyJ${hex(16)}`;
    const secret = hex(16);
    t.cyberbiz.addShop({ domain, name: 'Tea House', accessToken: token, appSecret: secret });
    cyberbiz = (await t.api<{ id: string; webhook_url: string }>('POST', '/v1/store-connections', key, { platform: 'cyberbiz', shop_domain: domain, access_token: token, app_secret: secret })).body;
    t.cyberbiz.addShop({ domain, name: 'Tea House', accessToken: token, appSecret: secret, webhookUrl: (cyberbiz as { webhook_url?: string }).webhook_url ?? null });
    line = await connectLine(t, key, lineChannel);
    messenger = await connectMessenger(t, key, page);
    t.wa.addPhoneNumber({ ...wa, displayPhoneNumber: '15550780000', webhookUrl: null });
    whatsapp = (await t.api<typeof whatsapp>('POST', '/v1/channel-accounts', key, { channel: 'whatsapp', provider: 'meta', phone_number_id: wa.phoneNumberId, waba_id: wa.wabaId, access_token: wa.accessToken, app_secret: wa.appSecret })).body;
    t.wa.setWebhookUrl(wa.phoneNumberId, whatsapp.webhook_url);
    t.twilio.addAccount({ accountSid: sms.accountSid, authToken: sms.authToken, numbers: [sms.from] });
    expect((await t.api('POST', '/v1/channel-accounts', key, { channel: 'sms', provider: 'twilio', account_sid: sms.accountSid, auth_token: sms.authToken, from: sms.from })).status).toBe(201);
    t.eshopbox.addAccount(eshop);
    eshopbox = (await t.api<typeof eshopbox>('POST', '/v1/store-connections', key, { platform: 'eshopbox', workspace: eshop.workspace, client_id: eshop.clientId, client_secret: eshop.clientSecret, refresh_token: eshop.refreshToken })).body;
    t.eshopbox.registerWebhook(eshop.workspace, { resource: 'shipment', eventType: 'PUT', version: 'v1', webhookUrl: eshopbox.webhook_url, webhookMethod: 'POST', webhookHeaders: eshopbox.webhook_headers });

    const settings = await t.api('PUT', '/v1/chat-settings', key, {
      incorrect_reply: { enabled: true, text: 'Please pick one of the options.' },
      linking: { store_connection_id: cyberbiz.id, verify_by: 'sms', terms_url: 'https://tea.example/terms' },
      loyalty: { enabled: true, points_per_unit: '0.1', signup_bonus: 50, prizes: [{ id: 'tote', name: 'Tote bag', cost: 100, reward: { kind: 'code', code: 'TOTE-2026' } }, { id: 'teapot', name: 'Teapot', cost: 100000, reward: { kind: 'code', code: 'POT' } }] },
    });
    expect(settings.status).toBe(200);
    expect((await t.api('PUT', '/v1/notification-settings/account.linked/line', key, { enabled: true })).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  // --- LINE helpers: what the customer sees is the simulator's outbox for their user id.
  const lineOut = (user: string) => t.line.messages(user);
  const lineSays = (user: string, input: { text?: string; postbackData?: string }) => sayOnLine(t, lineChannel.botUserId, user, input);
  const quickReplies = (ms: Array<{ message: Record<string, unknown> }>) =>
    ms.flatMap((m) => ((m.message['quickReply'] as { items?: Array<{ action: { data: string; label: string } }> } | undefined)?.items ?? []).map((i) => i.action.data));
  const smsCode = async (to: string, after: number) => {
    const msg = await waitFor(() => t.twilio.messages(to).slice(after)[0] ?? null, { what: 'the SMS code' });
    return /\b(\d{6})\b/.exec(msg.body)![1]!;
  };

  it('links a LINE user to the store customer with an SMS code, after the terms, and sends "account linked"', async () => {
    const user = `U${hex(16)}`;
    t.cyberbiz.addCustomer(domain, { name: 'Lin Mei', email: 'mei@example.tw', mobile: '0912000111' });
    const hello = await lineSays(user, { text: 'hi' });
    expect(quickReplies(hello)).toContain('a:link_account');
    expect(hello[0]!.via).toBe('reply');
    const terms = await lineSays(user, { postbackData: 'a:link_account' });
    expect(texts(terms)).toContain('https://tea.example/terms');
    expect(quickReplies(terms)).toEqual(['link:accept', 'link:decline']);
    expect(texts(await lineSays(user, { postbackData: 'link:accept' }))).toMatch(/mobile number/);
    const bad = await lineSays(user, { text: 'call me maybe' });
    expect(texts(bad)).toMatch(/does not look like a mobile number/);
    const sent = await lineSays(user, { text: '+886 912 000 111' });
    expect(texts(sent)).toMatch(/We sent a 6-digit code to •••111/);
    const code = await smsCode('+886912000111', 0);
    // The code is stored only as a MAC: the message the hub keeps is masked.
    const stored = await t.api<{ data: Array<{ channel: string; content: { text: string } }> }>('GET', '/v1/messages?limit=200', key);
    expect(stored.body.data.find((m) => m.channel === 'sms')!.content.text).not.toContain(code);
    const wrong = code === '000000' ? '111111' : '000000';
    expect(texts(await lineSays(user, { text: wrong }))).toMatch(/not right\. 4 tries left/);
    await lineSays(user, { text: code });
    // The reply and the "account linked" notification are sent in parallel: either may arrive first.
    await waitFor(() => lineOut(user).find((m) => (m.text ?? '').includes('Your account is linked')) ?? null, { what: 'the linked reply' });

    const customers = await t.api<{ data: Customer[] }>('GET', `/v1/customers?query=${user}`, key);
    const customer = customers.body.data[0]!;
    expect(customer.identities).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'line', value: user, channel_account_id: line.id }), expect.objectContaining({ kind: 'store', store_connection_id: cyberbiz.id })]));
    // "Account linked" goes out as a LINE notification, where enabled.
    await waitFor(() => lineOut(user).find((m) => (m.text ?? '').includes('linked to this chat')) ?? null, { what: 'the account linked notification' });
  });

  it('answers "my orders" with the linked customer’s orders of the last 90 days, and agents see the same', async () => {
    const user = `U${hex(16)}`;
    const storeCustomer = t.cyberbiz.addCustomer(domain, { name: 'Chen Hao', email: 'hao@example.tw', mobile: '0912000222' });
    const template = t.cyberbiz.createOrder(domain).customer!;
    const recent = t.cyberbiz.createOrder(domain, { customer: { ...template, id: storeCustomer.id, email: 'hao@example.tw', mobile: '0912000222', name: 'Chen Hao' } });
    await lineSays(user, { postbackData: 'a:link_account' });
    await lineSays(user, { postbackData: 'link:accept' });
    const before = t.twilio.messages('+886912000222').length;
    await lineSays(user, { text: '+886912000222' });
    await lineSays(user, { text: await smsCode('+886912000222', before) });

    await lineSays(user, { postbackData: 'a:my_orders' });
    const flex = await waitFor(() => lineOut(user).find((m) => m.message['type'] === 'flex') ?? null, { what: 'the order carousel' });
    expect(JSON.stringify(flex?.message)).toContain(`Order ${recent.order_number}`);
    const customer = (await t.api<{ data: Customer[] }>('GET', `/v1/customers?query=${user}`, key)).body.data[0]!;
    const history = await t.api<{ data: Array<{ platform: string; window_days: number; source: string; orders: Array<{ name: string }> }> }>('GET', `/v1/customers/${customer.id}/orders`, key);
    expect(history.body.data[0]).toMatchObject({ platform: 'cyberbiz', window_days: 90, source: 'store' });
    expect(history.body.data[0]!.orders.map((o) => o.name)).toContain(String(recent.order_number));

    // Unlinking on request: the chat identity leaves the customer; "my orders" asks to link again.
    expect(texts(await lineSays(user, { postbackData: 'a:unlink_account' }))).toMatch(/no longer linked/);
    const after = (await t.api<Customer>('GET', `/v1/customers/${customer.id}`, key)).body;
    expect(after.identities.some((i) => i.kind === 'line')).toBe(false);
    await lineSays(user, { postbackData: 'a:my_orders' });
    const askToLink = await waitFor(() => lineOut(user).find((m) => (m.text ?? '').includes('Link your store account first')) ?? null, { what: 'the request to link' });
    expect(quickReplies([askToLink])).toContain('a:link_account');
  });

  it('survives a restart mid-flow, refuses an expired code, and creates the store account for an unknown customer', async () => {
    const user = `U${hex(16)}`;
    await lineSays(user, { postbackData: 'a:link_account' });
    await lineSays(user, { postbackData: 'link:accept' });
    await lineSays(user, { text: '+886933000333' });
    await smsCode('+886933000333', 0);
    await t.restart();
    // Ten minutes pass: the code expires.
    const conversation = (await t.api<{ data: Array<{ id: string; address: string }> }>('GET', '/v1/conversations?limit=200', key)).body.data.find((c) => c.address === user)!;
    const state = (await t.hub.uow.repos.conversations.get(workspaceId, conversation.id))!.state as { codeId: string };
    await t.hub.uow.repos.verificationCodes.update(workspaceId, state.codeId, { expiresAt: Date.now() - 1 });
    const expired = await lineSays(user, { text: '123456' });
    expect(texts(expired)).toMatch(/expired/);
    await lineSays(user, { postbackData: 'link:resend' });
    const code = await smsCode('+886933000333', 1);
    const unknown = await lineSays(user, { text: code });
    expect(texts(unknown)).toMatch(/no account with •••333/);
    await lineSays(user, { postbackData: 'link:create' });
    await waitFor(() => lineOut(user).find((m) => (m.text ?? '').includes('Your account is linked')) ?? null, { what: 'the linked reply' });
    expect(t.cyberbiz.customers(domain).some((c) => c.mobile?.replace(/\D/g, '').endsWith('933000333'))).toBe(true);
  });

  it('failed delivery on WhatsApp: the answer is performed with Eshopbox and recorded with its mode; a late answer is explained', async () => {
    const enabled = await t.api('PUT', '/v1/notification-settings/order.delivery_failed/whatsapp', key, { enabled: true, template: { name: 'order_placed', language: 'en_US' } });
    expect(enabled.status).toBe(200);
    const shipment = t.eshopbox.createShipment(eshop.workspace, { shippingAddress: { contactPhone: '9876500011' } });
    await t.eshopbox.advance(eshop.workspace, shipment.shipmentId, 'failed_delivery');
    await waitFor(() => t.wa.messages('919876500011').find((m) => m.type === 'template') ?? null, { what: 'the failed-delivery template' });
    const waOut = () => t.wa.messages('919876500011').filter((m) => m.type !== 'template');

    await t.wa.emitInbound({ phoneNumberId: wa.phoneNumberId, from: '919876500011', text: 'Deliver again' });
    await waitFor(() => t.eshopbox.resolutions(eshop.workspace).find((r) => r.shipmentId === shipment.shipmentId) ?? null, { what: 'the NDR resolution' });
    expect(t.eshopbox.resolutions(eshop.workspace).find((r) => r.shipmentId === shipment.shipmentId)!.body).toMatchObject({ resolutionCode: 'ACTF001', customerOrderNumber: shipment.customerOrderNumber });
    await waitFor(() => waOut().find((m) => m.renderedText.includes('try to deliver again')) ?? null, { what: 'the confirmation' });
    const order = (await t.api<{ data: Array<{ id: string }> }>('GET', `/v1/orders?query=${shipment.customerOrderNumber}`, key)).body.data[0]!;
    const activity = await t.api<{ data: Array<{ kind: string; summary: string; data: { mode?: string } }> }>('GET', `/v1/orders/${order.id}/activity`, key);
    expect(activity.body.data.find((a) => a.kind === 'customer.action')).toMatchObject({ data: { mode: 'WhatsApp' } });

    await t.wa.emitInbound({ phoneNumberId: wa.phoneNumberId, from: '919876500011', text: 'cancel' });
    await waitFor(() => waOut().find((m) => m.renderedText.includes('already have your answer')) ?? null, { what: 'the late answer' });
    expect(t.eshopbox.resolutions(eshop.workspace).filter((r) => r.shipmentId === shipment.shipmentId)).toHaveLength(1);
  });

  it('failed delivery: an unexpected reply gets the merchant’s message; a date reschedules', async () => {
    const shipment = t.eshopbox.createShipment(eshop.workspace, { shippingAddress: { contactPhone: '9876500022' } });
    await t.eshopbox.advance(eshop.workspace, shipment.shipmentId, 'failed_delivery');
    await waitFor(() => t.wa.messages('919876500022').find((m) => m.type === 'template') ?? null, { what: 'the template' });
    const out = () => t.wa.messages('919876500022').filter((m) => m.type !== 'template');
    await t.wa.emitInbound({ phoneNumberId: wa.phoneNumberId, from: '919876500022', text: 'what?' });
    const incorrect = await waitFor(() => out().find((m) => m.renderedText.includes('Please pick one of the options.')) ?? null, { what: 'the incorrect-reply message' });
    expect(incorrect.interactive?.choices.map((c) => c.title)).toContain('Another date');
    await t.wa.emitInbound({ phoneNumberId: wa.phoneNumberId, from: '919876500022', text: '2' });
    await waitFor(() => out().find((m) => m.renderedText.includes('Which day')) ?? null, { what: 'the date question' });
    await t.wa.emitInbound({ phoneNumberId: wa.phoneNumberId, from: '919876500022', text: '2099-01-05' });
    const resolution = await waitFor(() => t.eshopbox.resolutions(eshop.workspace).find((r) => r.shipmentId === shipment.shipmentId) ?? null, { what: 'the reschedule' });
    expect(resolution.body).toMatchObject({ resolutionCode: 'ACTF002', deferredDate: '2099-01-05' });
  });

  it('failed delivery: repeated unexpected replies hand the chat to an agent in a ticket named after the order', async () => {
    expect((await t.api('PUT', '/v1/notification-settings/order.delivery_failed/whatsapp', key, { enabled: true, template: { name: 'order_placed', language: 'en_US' } })).status).toBe(200);
    const shipment = t.eshopbox.createShipment(eshop.workspace, { shippingAddress: { contactPhone: '9876500044' } });
    await t.eshopbox.advance(eshop.workspace, shipment.shipmentId, 'failed_delivery');
    await waitFor(() => t.wa.messages('919876500044').find((m) => m.type === 'template') ?? null, { what: 'the template' });
    for (const text of ['what?', 'huh', 'no idea']) {
      const before = t.wa.messages('919876500044').length;
      await t.wa.emitInbound({ phoneNumberId: wa.phoneNumberId, from: '919876500044', text });
      await waitFor(() => (t.wa.messages('919876500044').length > before ? true : null), { what: `the answer to ${text}` });
    }
    const order = (await t.api<{ data: Array<{ name: string }> }>('GET', `/v1/orders?query=${shipment.customerOrderNumber}`, key)).body.data[0]!;
    const ticket = await waitFor(async () => (await t.api<{ data: Array<{ subject: string | null; title: string; customer_external_id: string; order: { id: string } | null }> }>('GET', '/v1/tickets?source=WhatsApp&limit=100', key)).body.data.find((x) => x.customer_external_id === '919876500044') ?? null, { what: 'the hand-over ticket' });
    expect(ticket.subject).toBe(`Order ${order.name}: repeated unexpected replies to a failed-delivery message`);
    expect(ticket.title).toBe(ticket.subject);
    expect(ticket.order?.id).toBe(order.name);
  });

  it('hands the conversation to an agent after repeated unexpected replies; automated replies pause; the agent answers', async () => {
    const from = '919876500033';
    const say = (text: string) => t.wa.emitInbound({ phoneNumberId: wa.phoneNumberId, from, text });
    const out = () => t.wa.messages(from);
    await say('hello');
    await waitFor(() => out().length >= 1 || null, { what: 'the welcome' });
    await say('asdf');
    await say('qwerty');
    await say('zxcv');
    await waitFor(() => out().find((m) => m.renderedText.includes('get a person to help you')) ?? null, { what: 'the hand-over' });
    const inbox = await t.api<{ data: Array<{ id: string; address: string; mode: string; handover_reason: string }> }>('GET', '/v1/conversations?mode=agent', key);
    const conversation = inbox.body.data.find((c) => c.address === from)!;
    expect(conversation.handover_reason).toMatch(/unexpected replies/);
    const count = out().length;
    await say('are you there?');
    await sleep(300);
    expect(out()).toHaveLength(count);
    const reply = await t.api<{ status: string }>('POST', `/v1/conversations/${conversation.id}/messages`, key, { text: 'Hi, this is Asha from support. How can I help?' });
    expect(reply.status).toBe(202);
    await waitFor(() => out().find((m) => m.renderedText.includes('Asha from support')) ?? null, { what: 'the agent reply' });
    const html = await t.api<{ error: { message: string } }>('POST', `/v1/conversations/${conversation.id}/messages`, key, { text: '<b>hi</b>' });
    expect(html.status).toBe(400);
    const released = await t.api<{ mode: string }>('POST', `/v1/conversations/${conversation.id}/release`, key);
    expect(released.body.mode).toBe('bot');
  });

  it('loyalty on Messenger: a deep link joins and claims, each order once even when claims race, prizes only when covered, refunds take points back', async () => {
    const psid = '7702407863220001';
    const template = t.cyberbiz.createOrder(domain).customer!;
    const fan = { ...template, id: template.id + 1000, email: 'fan@example.tw', name: 'Fan' };
    const first = t.cyberbiz.createOrder(domain, { customer: fan, email: 'fan@example.tw' } as never);
    const out = () => t.messenger.messages(psid);
    const says = async (input: { text?: string; ref?: string; postbackPayload?: string }) => {
      const before = out().length;
      await t.messenger.emitInbound({ pageId: page.pageId, psid, ...input });
      return waitFor(() => (out().length > before ? out().slice(before) : null), { what: `a Messenger reply to ${JSON.stringify(input)}` });
    };
    const all = (ms: unknown[]) => JSON.stringify(ms);

    expect(all(await says({ ref: `claim-${first.order_number}` }))).toMatch(/join our rewards programme first/);
    await says({ text: 'fan@example.tw' });
    const claimed = await waitFor(() => (all(out()).includes('You got') ? out() : null), { what: 'the claim' });
    const points = Math.floor(Number(first.prices.total_price) * 0.1);
    expect(all(claimed)).toContain(`You got ${points} points`);

    expect(all(await says({ text: `CLAIM ${first.order_number}` }))).toMatch(/already collected/);
    const foreign = t.cyberbiz.createOrder(domain);
    expect(all(await says({ text: `claim ${foreign.order_number}` }))).toMatch(/another e-mail address/);

    const second = t.cyberbiz.createOrder(domain, { customer: fan, email: 'fan@example.tw' } as never);
    const before = out().length;
    await Promise.all([
      t.messenger.emitInbound({ pageId: page.pageId, psid, text: `CLAIM ${second.order_number}` }),
      t.messenger.emitInbound({ pageId: page.pageId, psid, text: `claim #${second.order_number}` }),
    ]);
    await waitFor(() => (out().length >= before + 2 ? true : null), { what: 'both answers' });
    const customer = (await t.api<{ data: Customer[] }>('GET', `/v1/customers?query=${psid}`, key)).body.data[0]!;
    const loyalty = await t.api<{ balance: number; ledger: Array<{ reason: string; details: { orderName?: string } }> }>('GET', `/v1/customers/${customer.id}/loyalty`, key);
    expect(loyalty.body.ledger.filter((e) => e.reason === 'order_claim' && e.details.orderName === String(second.order_number))).toHaveLength(1);

    expect(all(await says({ postbackPayload: 'loyalty:prize:teapot' }))).toMatch(/needs 100000 points/);
    const redeemed = await says({ postbackPayload: 'loyalty:prize:tote' });
    expect(all(redeemed)).toContain('TOTE-2026');

    const beforeRefund = (await t.api<{ balance: number }>('GET', `/v1/customers/${customer.id}/loyalty`, key)).body.balance;
    await t.cyberbiz.emitOrderEvent(first.id, 'orders/refunded');
    const after = await waitFor(async () => {
      const l = await t.api<{ balance: number; ledger: Array<{ reason: string }> }>('GET', `/v1/customers/${customer.id}/loyalty`, key);
      return l.body.ledger.some((e) => e.reason === 'refund_reversal') ? l.body : null;
    }, { what: 'the refund reversal' });
    expect(after.balance).toBe(beforeRefund - points);
  });

  it('flow modules, the welcome module as WhatsApp buttons, and persistent menus', async () => {
    const sub = await t.api<{ id: string }>('POST', '/v1/flow-modules', key, { name: 'Shipping info', text: 'We ship within 2 days.', buttons: [] });
    expect(sub.status).toBe(201);
    const bad = await t.api<{ error: { message: string } }>('POST', '/v1/flow-modules', key, { name: 'Bad', text: 'x', buttons: [{ id: 'a', title: 'A title that is far too long', on_click: { kind: 'action', action: 'my_orders' } }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('buttons[0].title');
    const main = await t.api<{ id: string }>('POST', '/v1/flow-modules', key, {
      name: 'Main menu',
      text: 'Welcome to Tea House! What would you like to do?',
      keywords: ['menu'],
      buttons: [
        { id: 'orders', title: 'My orders', on_click: { kind: 'action', action: 'my_orders' } },
        { id: 'ship', title: 'Shipping', on_click: { kind: 'module', module_id: sub.body.id } },
        { id: 'web', title: 'Our shop', on_click: { kind: 'url', url: 'https://tea.example' } },
      ],
    });
    expect(main.status).toBe(201);
    expect((await t.api('PUT', '/v1/chat-settings', key, { welcome_module_id: main.body.id })).status).toBe(200);
    const from = '919876500088';
    await t.wa.emitInbound({ phoneNumberId: wa.phoneNumberId, from, text: 'hi' });
    const welcome = await waitFor(() => t.wa.messages(from)[0] ?? null, { what: 'the welcome module' });
    expect(welcome.interactive?.choices.map((c) => c.title)).toEqual(['My orders', 'Shipping']);
    expect(welcome.renderedText).toContain('https://tea.example');
    await t.wa.emitInbound({ phoneNumberId: wa.phoneNumberId, from, buttonPayload: `m:${main.body.id}:ship`, buttonTitle: 'Shipping', contextId: welcome.id });
    await waitFor(() => t.wa.messages(from).find((m) => m.renderedText.includes('We ship within 2 days')) ?? null, { what: 'the sub-module' });

    const lineMenu = await t.api<{ menu_id: string }>('PUT', `/v1/channel-accounts/${line.id}/menu`, key, { chat_bar_text: 'Menu', items: [{ title: 'Link account', action: 'link_account' }, { title: 'Main', module_id: main.body.id }, { title: 'Shop', url: 'https://tea.example' }] });
    expect(lineMenu.status).toBe(200);
    expect(t.line.listRichMenus(lineChannel.botUserId).find((m) => m.richMenuId === lineMenu.body.menu_id)?.isDefault).toBe(true);
    expect((await t.api('PUT', `/v1/channel-accounts/${messenger.id}/menu`, key, { items: [{ title: 'My orders', action: 'my_orders' }] })).status).toBe(200);
    const waMenu = await t.api<{ error: { message: string } }>('PUT', `/v1/channel-accounts/${whatsapp.id}/menu`, key, { items: [{ title: 'x', action: 'my_orders' }] });
    expect(waMenu.status).toBe(400);
    expect(waMenu.body.error.message).toMatch(/no persistent menu/);
  });
});
